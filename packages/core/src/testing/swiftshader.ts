// WebGPU on any Linux machine, GPU or not: Dawn (inside ONNX Runtime's WebGPU execution provider, and the
// npm `webgpu` package) runs on Vulkan, and SwiftShader is a Vulkan driver that computes on the CPU,
// slowly but exactly. Debian's chromium package ships it (`vk_swiftshader_icd.json` next to chromium's
// libraries); the Vulkan loader is Debian's `libvulkan1`. Pointing the loader at that one driver makes a
// backend's WebGPU code paths testable everywhere, with the same adapter on every machine.
//
// Call `useSwiftShader()` at the top of a test file, before any WebGPU adapter is created in that
// process (each vitest test file runs in its own process): the loader reads its variables then.

import { existsSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where SwiftShader's Vulkan driver manifest is installed by the browsers that ship it. */
export const SWIFTSHADER_ICD_CANDIDATES: readonly string[] = [
  '/usr/lib/chromium/vk_swiftshader_icd.json', // Debian, Ubuntu (deb) chromium
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', // Fedora chromium
  '/opt/google/chrome/vk_swiftshader_icd.json', // Google Chrome
];

/** What to install when SwiftShader or the Vulkan loader is missing. */
export const SWIFTSHADER_HINT = 'on Debian or Ubuntu: apt-get install chromium libvulkan1';

export type SwiftShaderLookup =
  { readonly available: true; readonly icd: string } | { readonly available: false; readonly reason: string };

/** The Vulkan loader's shared library, in the usual folders or the dynamic linker's cache. */
function vulkanLoaderInstalled(env: Readonly<Record<string, string | undefined>>): boolean {
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/lib64',
    '/usr/local/lib',
  ];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  const cache = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  return cache.status === 0 && cache.stdout.includes('libvulkan.so.1');
}

/**
 * Find SwiftShader's driver manifest (`RNN_SCRATCH_SWIFTSHADER_ICD` when set, else the browsers'
 * install folders) and the Vulkan loader; when either is missing, say which.
 */
export function findSwiftShader(env: Readonly<Record<string, string | undefined>> = process.env): SwiftShaderLookup {
  if (process.platform !== 'linux')
    return { available: false, reason: `SwiftShader through the Vulkan loader is set up on Linux only` };
  const override = env.RNN_SCRATCH_SWIFTSHADER_ICD;
  const candidates = override ? [override] : SWIFTSHADER_ICD_CANDIDATES;
  const icd = candidates.find((p) => existsSync(p));
  if (icd === undefined)
    return {
      available: false,
      reason: `SwiftShader's Vulkan driver manifest is not installed (looked for ${candidates.join(', ')}; ${SWIFTSHADER_HINT})`,
    };
  if (!vulkanLoaderInstalled(env))
    return { available: false, reason: `the Vulkan loader libvulkan.so.1 is not installed (${SWIFTSHADER_HINT})` };
  return { available: true, icd };
}

/**
 * Point this process's Vulkan loader at SwiftShader alone (`VK_DRIVER_FILES` and its older name
 * `VK_ICD_FILENAMES`) and give Dawn an `XDG_RUNTIME_DIR` when there is none. Returns the lookup: when
 * SwiftShader is not available nothing is changed and `reason` says why.
 */
export function useSwiftShader(): SwiftShaderLookup {
  const found = findSwiftShader();
  if (!found.available) return found;
  process.env.VK_DRIVER_FILES = found.icd;
  process.env.VK_ICD_FILENAMES = found.icd;
  delete process.env.VK_ADD_DRIVER_FILES;
  delete process.env.VK_LOADER_DRIVERS_SELECT;
  delete process.env.VK_LOADER_DRIVERS_DISABLE;
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'rnn-scratch-xdg-'));
  return found;
}
