// Telling a software WebGPU adapter from a GPU by the Vulkan drivers the loader will use: driver
// manifests and device nodes are laid out in a temporary folder that stands for the file system root.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { softwareVulkanAdapter, vulkanDrivers } from '../src/vulkan.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Write a driver manifest naming `library` under `root/dir`; returns its path. */
function manifest(dir: string, file: string, library: string): string {
  const folder = join(root, dir);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, file);
  writeFileSync(
    path,
    JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }),
  );
  return path;
}

/** Create the device node `name` (e.g. `dri/renderD128`, `nvidia0`) under `root/dev`. */
function deviceNode(name: string): void {
  mkdirSync(join(root, 'dev', name, '..'), { recursive: true });
  writeFileSync(join(root, 'dev', name), '');
}

/** Mesa's usual set: two hardware drivers and lavapipe, in the default data folder. */
function mesaDrivers(): void {
  manifest('usr/share/vulkan/icd.d', 'intel_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_intel.so');
  manifest('usr/share/vulkan/icd.d', 'lvp_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so');
  manifest('usr/share/vulkan/icd.d', 'radeon_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_radeon.so');
}

describe('software WebGPU adapters from the Vulkan drivers', () => {
  it('VK_ICD_FILENAMES naming only SwiftShader: software, whatever else is installed', () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    mesaDrivers();
    deviceNode('dri/renderD128');
    const swiftshader = manifest('opt/chromium', 'vk_swiftshader_icd.json', './libvk_swiftshader.so');
    for (const variable of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES']) {
      const lookup = { root, env: { [variable]: swiftshader } };
      expect(vulkanDrivers(lookup).map((d) => d.library)).toEqual(['./libvk_swiftshader.so']);
      expect(softwareVulkanAdapter(lookup), variable).toBe('SwiftShader');
    }
  });

  it("Mesa's drivers without a GPU device node: only lavapipe can run, so software", () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    mesaDrivers();
    expect(vulkanDrivers({ root, env: {} })).toHaveLength(3);
    expect(softwareVulkanAdapter({ root, env: {} })).toBe('lavapipe');
  });

  it("Mesa's drivers with a render node: a hardware adapter", () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    mesaDrivers();
    deviceNode('dri/renderD128');
    expect(softwareVulkanAdapter({ root, env: {} })).toBeUndefined();
  });

  it("NVIDIA's driver counts only with /dev/nvidia<N>", () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    manifest('etc/vulkan/icd.d', 'nvidia_icd.json', 'libGLX_nvidia.so.0');
    manifest('usr/share/vulkan/icd.d', 'lvp_icd.x86_64.json', 'libvulkan_lvp.so');
    expect(softwareVulkanAdapter({ root, env: {} })).toBe('lavapipe');
    deviceNode('dri/renderD128'); // a render node has no driver here but NVIDIA's, which does not use it
    expect(softwareVulkanAdapter({ root, env: {} })).toBe('lavapipe');
    deviceNode('nvidiactl');
    expect(softwareVulkanAdapter({ root, env: {} })).toBe('lavapipe');
    deviceNode('nvidia0');
    expect(softwareVulkanAdapter({ root, env: {} })).toBeUndefined();
  });

  it('reads the XDG folders, VK_ADD_DRIVER_FILES and the loader filters', () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    const home = join(root, 'home');
    manifest('home/.local/share/vulkan/icd.d', 'lvp_icd.json', 'libvulkan_lvp.so');
    const extra = manifest('extra', 'vk_swiftshader_icd.json', './libvk_swiftshader.so');
    expect(softwareVulkanAdapter({ root, env: { HOME: home } })).toBe('lavapipe');
    expect(softwareVulkanAdapter({ root, env: { HOME: home, VK_ADD_DRIVER_FILES: extra } })).toBe(
      'SwiftShader or lavapipe',
    );
    expect(
      softwareVulkanAdapter({
        root,
        env: { HOME: home, VK_ADD_DRIVER_FILES: extra, VK_LOADER_DRIVERS_DISABLE: 'lvp_*' },
      }),
    ).toBe('SwiftShader');
    expect(
      softwareVulkanAdapter({
        root,
        env: { HOME: home, VK_ADD_DRIVER_FILES: extra, VK_LOADER_DRIVERS_SELECT: '*lvp*' },
      }),
    ).toBe('lavapipe');
    // A folder in VK_DRIVER_FILES means its manifests; a broken manifest is skipped.
    writeFileSync(join(root, 'extra', 'broken.json'), '{ not json');
    expect(vulkanDrivers({ root, env: { VK_DRIVER_FILES: join(root, 'extra') } }).map((d) => d.library)).toEqual([
      './libvk_swiftshader.so',
    ]);
  });

  it('no driver at all: not software (and no adapter either)', () => {
    root = mkdtempSync(join(tmpdir(), 'vulkan-'));
    expect(vulkanDrivers({ root, env: {} })).toEqual([]);
    expect(softwareVulkanAdapter({ root, env: {} })).toBeUndefined();
  });
});
