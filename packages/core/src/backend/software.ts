// Software GPUs: rasterisers that implement a GPU API (Vulkan, D3D12) on the CPU. A WebGPU device on one
// of them works, but a train step runs far slower there than on a CPU backend, so the registry lists it as
// available but "software" and `auto` takes it only when nothing else works.

const SOFTWARE_ADAPTERS: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  { name: 'SwiftShader', pattern: /swiftshader/i },
  // Mesa's Vulkan rasteriser: the driver is lavapipe (`libvulkan_lvp.so`), its device calls itself llvmpipe.
  { name: 'lavapipe', pattern: /lavapipe|(^|[^a-z])lvp([^a-z]|$)/i },
  { name: 'llvmpipe', pattern: /llvmpipe/i },
  { name: 'WARP', pattern: /microsoft basic render driver/i },
];

/**
 * The software rasteriser named in any of `texts` (adapter vendor, architecture, device or description
 * strings, a Vulkan driver's library path...), e.g. `'SwiftShader'`; undefined when none is.
 */
export function softwareAdapterName(...texts: ReadonlyArray<string | undefined>): string | undefined {
  for (const { name, pattern } of SOFTWARE_ADAPTERS) {
    if (texts.some((t) => t !== undefined && pattern.test(t))) return name;
  }
  return undefined;
}
