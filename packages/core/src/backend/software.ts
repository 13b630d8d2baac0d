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

/** What a GPUAdapter tells about itself (`info`; older implementations: `requestAdapterInfo()`). */
export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
  /** Dawn's adapter type (`discrete GPU`, `integrated GPU`, `CPU`...), where an implementation reports it. */
  readonly adapterType?: string;
}

/** The parts of a WebGPU `GPUAdapter` (browser or Dawn for Node) that say what it is. */
export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  requestAdapterInfo?(): Promise<GpuAdapterInfoLike>;
  readonly isFallbackAdapter?: boolean;
}

/**
 * The software rasteriser a WebGPU adapter is (SwiftShader, lavapipe, llvmpipe, a CPU-type or fallback
 * adapter), judged from its info; undefined for a hardware GPU (or an adapter that tells nothing).
 */
export async function softwareGpuAdapter(adapter: GpuAdapterLike): Promise<string | undefined> {
  let info = adapter.info;
  if (info === undefined && typeof adapter.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      // no information: judged as hardware
    }
  }
  const named = softwareAdapterName(info?.vendor, info?.architecture, info?.device, info?.description);
  if (named !== undefined) return named;
  if (/^cpu$/i.test(info?.adapterType ?? '')) return info?.description || info?.vendor || 'a CPU adapter';
  if (info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true)
    return info?.description || 'a fallback adapter';
  return undefined;
}
