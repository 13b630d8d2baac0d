// Is the WebGPU adapter that ONNX Runtime finds on Linux a software rasteriser? ONNX Runtime's Node
// binding does not report its adapter, so this reads what its WebGPU implementation (Dawn, on Vulkan)
// reads: the Vulkan loader's driver manifests (ICDs). When every driver that can run here is a software
// rasteriser (SwiftShader, lavapipe), the adapter can only be one of them.
//
// A hardware driver can only run where its GPU's device node exists: NVIDIA's needs `/dev/nvidia<N>`,
// the others (Mesa's radeon, intel, nouveau...; AMD's amdvlk; WSL's dozen) `/dev/dri/renderD*` or
// `/dev/dxg`. Mesa installs all of its drivers together, so a machine without a GPU typically has
// intel and radeon manifests next to lavapipe's: they count for nothing there.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { softwareAdapterName } from '@rnn-scratch/core';

/** One Vulkan driver: its manifest file and the library it names. */
export interface VulkanDriver {
  readonly manifest: string;
  readonly library: string;
}

export interface VulkanLookup {
  /** The environment to read the loader's variables from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The file system root the default folders and `/dev` are under (default `/`; tests use a temporary folder). */
  readonly root?: string;
}

function splitPaths(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p !== '');
}

/** Manifest files in `path`: the file itself, or the `.json` files of a folder. */
function manifestsIn(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(path, f));
  } catch {
    return [];
  }
}

/** A glob of the loader's driver filters (`*` only) as a test on a manifest file name. */
function globMatcher(patterns: string | undefined): ((name: string) => boolean) | undefined {
  const globs = (patterns ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (globs.length === 0) return undefined;
  const res = globs.map(
    (g) =>
      new RegExp(
        `^${g
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        'i',
      ),
  );
  return (name) => res.some((re) => re.test(name));
}

/**
 * The Vulkan drivers the loader will use, from its manifest files: `VK_DRIVER_FILES` (or the older
 * `VK_ICD_FILENAMES`) when set, else `VK_ADD_DRIVER_FILES` plus the default folders (`vulkan/icd.d` under
 * the XDG config and data folders, `/etc`, `/usr/local/etc`...), filtered by `VK_LOADER_DRIVERS_SELECT`
 * and `VK_LOADER_DRIVERS_DISABLE`.
 */
export function vulkanDrivers(lookup: VulkanLookup = {}): VulkanDriver[] {
  const env = lookup.env ?? process.env;
  const root = lookup.root ?? '/';
  const at = (p: string) => join(root, p);
  const inHome = (sub: string) => (env.HOME ? [join(env.HOME, sub)] : []);
  const orDefault = (value: string | undefined, fallback: string[]) =>
    splitPaths(value).length > 0 ? splitPaths(value) : fallback;
  let paths = splitPaths(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  if (paths.length === 0) {
    const dirs = [
      ...(env.XDG_CONFIG_HOME ? [env.XDG_CONFIG_HOME] : inHome('.config')),
      ...orDefault(env.XDG_CONFIG_DIRS, [at('etc/xdg')]),
      at('usr/local/etc'),
      at('etc'),
      ...(env.XDG_DATA_HOME ? [env.XDG_DATA_HOME] : inHome('.local/share')),
      ...orDefault(env.XDG_DATA_DIRS, [at('usr/local/share'), at('usr/share')]),
    ];
    paths = [...splitPaths(env.VK_ADD_DRIVER_FILES), ...dirs.map((d) => join(d, 'vulkan', 'icd.d'))];
  }
  const select = globMatcher(env.VK_LOADER_DRIVERS_SELECT);
  const disable = globMatcher(env.VK_LOADER_DRIVERS_DISABLE);
  const drivers: VulkanDriver[] = [];
  for (const manifest of [...new Set(paths.flatMap(manifestsIn))]) {
    const name = basename(manifest);
    if ((select && !select(name)) || disable?.(name)) continue;
    try {
      const json = JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { library_path?: unknown } };
      const library = json.ICD?.library_path;
      if (typeof library === 'string' && library !== '') drivers.push({ manifest, library });
    } catch {
      // not a readable driver manifest: the loader skips it too
    }
  }
  return drivers;
}

/** Can this hardware driver find its GPU here (is the device node it opens there)? */
function hasDeviceNode(driver: VulkanDriver, root: string): boolean {
  const dev = join(root, 'dev');
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  if (/nvidia/i.test(driver.library) || /nvidia/i.test(basename(driver.manifest))) {
    return list(dev).some((f) => /^nvidia\d+$/.test(f));
  }
  return list(join(dev, 'dri')).some((f) => f.startsWith('renderD')) || existsSync(join(dev, 'dxg'));
}

/**
 * On Linux: the software rasteriser(s) WebGPU's adapter must come from, e.g. `'SwiftShader'` or
 * `'lavapipe'` (several joined with " or "), when no hardware Vulkan driver can run here but a software
 * one is installed; undefined when a hardware driver can run (or there is no driver at all).
 */
export function softwareVulkanAdapter(lookup: VulkanLookup = {}): string | undefined {
  const root = lookup.root ?? '/';
  const drivers = vulkanDrivers(lookup);
  const software = new Set<string>();
  for (const d of drivers) {
    const name = softwareAdapterName(d.library, basename(d.manifest));
    if (name !== undefined) software.add(name);
    else if (hasDeviceNode(d, root)) return undefined;
  }
  return software.size > 0 ? [...software].join(' or ') : undefined;
}
