// Which ONNX Runtime execution providers work HERE. `ort.listSupportedBackends()` is not the answer:
// it lists cuda (and tensorrt) although their shared libraries are absent, and webgpu although there
// may be no GPU. So a device counts as available only after a tiny 1-op model has been created AND
// run on its execution provider. The result (or the reason) is cached per device and process.

import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { firstLine } from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import { OnnxDeviceUnavailableError, probeCache, runTinyModel } from './probe.js';
import { softwareVulkanAdapter } from './vulkan.js';

export { OnnxDeviceUnavailableError };

export type OnnxDevice = 'cpu' | 'webgpu' | 'cuda';
export const ONNX_DEVICES: readonly OnnxDevice[] = ['cpu', 'webgpu', 'cuda'];

export function isOnnxDevice(device: string): device is OnnxDevice {
  return (ONNX_DEVICES as readonly string[]).includes(device);
}

/** ORT's execution provider list for a device: exactly one EP, so a missing one fails instead of silently running on CPU. */
export function executionProvidersFor(device: OnnxDevice): string[] {
  return [device];
}

/** How to make a device available (shown next to the reason). */
export function deviceHint(device: string): string | undefined {
  switch (device) {
    case 'webgpu':
      return (
        'WebGPU needs a GPU and, on Linux, its Vulkan driver: install the GPU driver and the Vulkan loader ' +
        "(e.g. `apt-get install libvulkan1` plus your vendor's Vulkan ICD), then check `vulkaninfo --summary`"
      );
    case 'cuda':
      return (
        'onnx:cuda needs Linux x64, an NVIDIA driver, CUDA 12 and cuDNN 9, and the CUDA provider files that ' +
        "onnxruntime-node's install script downloads (skipped when the script is not allowed or with " +
        'ONNXRUNTIME_NODE_INSTALL=skip): allow the script ("allowScripts": {"onnxruntime-node": true} in the ' +
        "package.json of your project, or of the rnn-scratch repository's root), then run " +
        '`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`'
      );
    default:
      return undefined;
  }
}

/** Turn ORT's long error text into one readable reason. */
export function summarizeOrtError(device: string, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/No supported adapters|Failed to get a WebGPU adapter/i.test(text)) {
    return 'no WebGPU adapter was found (ONNX Runtime: "Failed to get a WebGPU adapter: No supported adapters")';
  }
  if (/Failed to load shared library|cannot open shared object file|Failed to load library/i.test(text)) {
    return `ONNX Runtime could not load the ${device} execution provider library ("${firstLine(text)}")`;
  }
  if (/is unsupported/i.test(text)) {
    return `this onnxruntime-node build has no ${device} execution provider ("${firstLine(text)}")`;
  }
  return firstLine(text);
}

/**
 * Resolve when `device` can create and run a session here; otherwise reject with an
 * OnnxDeviceUnavailableError carrying the reason and a fix. Cached per device.
 */
export const probeDevice: (device: string) => Promise<void> = probeCache((device) => runProbe(device));

async function runProbe(device: string): Promise<void> {
  if (!isOnnxDevice(device)) {
    throw new OnnxDeviceUnavailableError(
      device,
      `unknown device; onnx devices are ${ONNX_DEVICES.join(', ')}`,
      undefined,
    );
  }
  // A quick negative answer without asking ORT (which would print a red error log for a missing library).
  // For webgpu on Linux, Dawn prints a warning to stderr that cannot be silenced when the Vulkan loader
  // is absent, so that case is answered from the file system too.
  const missing =
    device === 'cuda'
      ? missingCudaFiles()
      : device === 'webgpu' && process.platform === 'linux' && !vulkanLoaderFound()
        ? 'the Vulkan loader libvulkan.so.1 was not found, so WebGPU has no adapter here'
        : undefined;
  if (missing !== undefined) throw new OnnxDeviceUnavailableError(device, missing, deviceHint(device));
  try {
    await runTinyModel(ort, {
      executionProviders: executionProvidersFor(device),
      logSeverityLevel: 4, // the caller gets the reason; keep ORT's own error log quiet
    });
  } catch (err) {
    let reason = summarizeOrtError(device, err);
    if (device === 'webgpu' && process.platform === 'linux' && !vulkanLoaderFound()) {
      reason += '; the Vulkan loader libvulkan.so.1 was not found';
    }
    throw new OnnxDeviceUnavailableError(device, reason, deviceHint(device));
  }
}

/** The folder holding onnxruntime-node's native binding and libonnxruntime. */
export function ortBinaryDir(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node'); // .../onnxruntime-node/dist/index.js
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Why the CUDA provider cannot load, judged from the files alone; undefined when they are there. */
function missingCudaFiles(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return `onnxruntime-node has CUDA only on Linux x64 (this is ${process.platform}-${process.arch})`;
  }
  const dir = ortBinaryDir();
  const libs = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
  const absent = libs.filter((f) => !existsSync(join(dir, f)));
  if (absent.length === 0) return undefined;
  return `the CUDA execution provider files are not installed (${absent.join(', ')} missing in ${dir})`;
}

function vulkanLoaderFound(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/lib64',
    '/usr/local/lib',
  ];
  if (dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')))) return true;
  // Folders registered with the dynamic linker (ld.so.conf) are in its cache.
  const cache = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  return cache.status === 0 && cache.stdout.includes('libvulkan.so.1');
}

let webgpuSoftware: { readonly name: string | undefined } | undefined;

/**
 * When onnx:webgpu's adapter can only be a software rasteriser, its name (e.g. `'SwiftShader'`): on
 * Linux, judged from the Vulkan drivers installed (see vulkan.ts). Cached per process.
 */
export function webgpuSoftwareAdapter(): string | undefined {
  webgpuSoftware ??= { name: process.platform === 'linux' ? softwareVulkanAdapter() : undefined };
  return webgpuSoftware.name;
}
