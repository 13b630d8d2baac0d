// Which devices ONNX Runtime Web can use HERE: `webgpu` (its WebGPU execution provider, when
// `navigator.gpu` gives an adapter) and `wasm` (its CPU execution provider compiled to WebAssembly with
// SIMD; multi-threaded only where the page is cross-origin isolated, because threads need
// SharedArrayBuffer). The module is `onnxruntime-web/webgpu`: its WebGPU EP is the one onnxruntime-node
// has (Dawn's kernels); the default build's older JSEP kernels computed a wrong loss for the train step on
// SwiftShader. The same build runs in Node (wasm), where the conformance suite tests it. A device counts
// as available after a tiny model has been created and run on it; the answer (or the reason) is remembered
// per device.

import { firstLine, softwareGpuAdapter, type GpuAdapterLike } from '@rnn-scratch/core';
import * as ort from 'onnxruntime-web/webgpu';
import { OnnxDeviceUnavailableError, probeCache, runTinyModel } from './probe.js';

export type OnnxWebDevice = 'webgpu' | 'wasm';
/** Best first: the order in which the registry tries them for plain `onnx` and `auto`. */
export const ONNX_WEB_DEVICES: readonly OnnxWebDevice[] = ['webgpu', 'wasm'];

export function isOnnxWebDevice(device: string): device is OnnxWebDevice {
  return (ONNX_WEB_DEVICES as readonly string[]).includes(device);
}

export interface OnnxWebOptions {
  /**
   * Where onnxruntime-web finds its `.wasm` (and `.mjs`) files: a URL prefix ending in `/`. Unset: where the
   * bundler put them (Vite emits them next to the bundle), or, in Node, the package's own `dist/`.
   */
  readonly wasmPaths?: string;
  /** wasm threads (default: 1; more only where the page is cross-origin isolated). */
  readonly threads?: number;
}

/** How the wasm device runs here: its threads, and why only one when that is so. */
export interface WasmThreading {
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  /** Why the wasm device runs on one thread only, when it is because of the page. */
  readonly note?: string;
}

let configured: WasmThreading | undefined;

/**
 * Set onnxruntime-web's wasm options. Only the first call counts: the engine reads them when it
 * initialises, at the first session (a later call returns what is in force).
 */
export function configureOnnxWeb(options: OnnxWebOptions = {}): WasmThreading {
  if (configured !== undefined) return configured;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const wanted = options.threads ?? 1;
  if (!Number.isInteger(wanted) || wanted < 1)
    throw new RangeError(`onnx: threads must be a positive integer, got ${wanted}`);
  const threads = isolated ? wanted : 1;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  ort.env.logLevel = 'error';
  const note =
    wanted > 1 && !isolated
      ? 'this page is not cross-origin isolated (no SharedArrayBuffer), so WebAssembly runs on one thread'
      : undefined;
  configured = { threads, crossOriginIsolated: isolated, ...(note !== undefined ? { note } : {}) };
  return configured;
}

/** How to make a device available (shown next to the reason). */
export function webDeviceHint(device: string): string | undefined {
  return device === 'webgpu'
    ? 'use a browser with WebGPU enabled (Chrome or Edge 113 and later; elsewhere see the browser’s WebGPU setting) on a page served over https or from localhost'
    : undefined;
}

interface GpuLike {
  requestAdapter(): Promise<GpuAdapterLike | null>;
}

const softwareNames = new Map<string, string | undefined>();

/** After a successful probe: the software rasteriser the device's adapter is (e.g. `SwiftShader`), if it is one. */
export function webDeviceSoftware(device: OnnxWebDevice): string | undefined {
  return softwareNames.get(device);
}

/** Resolve when `device` can run a session here; otherwise reject with the reason and a fix. Cached per device. */
export const probeWebDevice: (device: string) => Promise<void> = probeCache((device) => runWebProbe(device));

async function runWebProbe(device: string): Promise<void> {
  const fail = (reason: string): never => {
    throw new OnnxDeviceUnavailableError(device, reason, webDeviceHint(device));
  };
  if (!isOnnxWebDevice(device)) fail(`unknown device; onnx devices here are ${ONNX_WEB_DEVICES.join(', ')}`);
  configureOnnxWeb();
  if (device === 'webgpu') softwareNames.set(device, await webgpuAdapter(fail));
  try {
    await runTinyModel(ort, { executionProviders: [device] });
  } catch (err) {
    fail(`ONNX Runtime Web could not run on ${device}: ${firstLine(err)}`);
  }
}

/** Find a WebGPU adapter, or fail with the reason; resolves to the software rasteriser it is, if it is one. */
async function webgpuAdapter(fail: (reason: string) => never): Promise<string | undefined> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (gpu == null) fail('there is no WebGPU here (navigator.gpu is undefined)');
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu!.requestAdapter();
  } catch (err) {
    fail(`requesting a WebGPU adapter failed: ${firstLine(err)}`);
  }
  if (adapter == null) fail('no WebGPU adapter was found (no GPU, or no driver for it)');
  return softwareGpuAdapter(adapter!);
}
