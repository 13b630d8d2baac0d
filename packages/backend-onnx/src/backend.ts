// The onnx backend on ONNX Runtime for Node (onnxruntime-node): devices cpu, webgpu and cuda. Running the
// sessions is session.ts's work, shared with the browser entry; this module adds what only Node has:
// intra-op threads, ORT's log level, and writing every lowered model to a folder when asked.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  type OnnxDevice,
  OnnxDeviceUnavailableError,
  executionProvidersFor,
  isOnnxDevice,
  probeDevice,
  webgpuSoftwareAdapter,
} from './devices.js';
import { OnnxSessionBackend, type SessionOptions } from './session.js';
import { tuningFor } from './tuning.js';

export { OnnxExecutable } from './session.js';

export interface OnnxBackendOptions {
  /** `cpu` (default), `webgpu` or `cuda`. */
  readonly device?: OnnxDevice;
  /** Intra-op threads (default 1: on 2-core machines one thread was fastest for this workload). */
  readonly threads?: number;
  /**
   * Write every compiled model to `<dir>/<graph hash>.onnx` (open it in Netron, or load it in Python's
   * onnxruntime). Defaults to the environment variable `RNN_SCRATCH_ONNX_DUMP` when set.
   */
  readonly dumpDir?: string;
  /** ORT log level for sessions: 0 verbose ... 3 error (default) ... 4 fatal. */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** Extra ORT session options, merged over the defaults (e.g. `{ executionMode: 'parallel', interOpNumThreads: 2 }`). */
  readonly sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** Widest float each device computes float64 graphs in, ON that device (WebGPU has no float64). */
export function floatPrecisionOf(device: OnnxDevice): 32 | 64 {
  return device === 'webgpu' ? 32 : 64;
}

export class OnnxBackend extends OnnxSessionBackend {
  declare readonly device: OnnxDevice;
  readonly threads: number;

  constructor(options: OnnxBackendOptions = {}) {
    const device = options.device ?? 'cpu';
    if (!isOnnxDevice(device)) throw new Error(`onnx: unknown device "${String(device)}"; use cpu, webgpu or cuda`);
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`onnx: threads must be a positive integer, got ${threads}`);
    const software = device === 'webgpu' ? webgpuSoftwareAdapter() : undefined;
    const dumpDir = options.dumpDir ?? process.env.RNN_SCRATCH_ONNX_DUMP;
    super({
      ort,
      device,
      floatPrecision: floatPrecisionOf(device),
      ...(software !== undefined ? { software } : {}),
      sessionOptions: () => nodeSessionOptions(device, threads, options),
      tuning: tuningFor(device),
      ...(dumpDir ? { onModel: (hash: string, bytes: Uint8Array) => dump(dumpDir, hash, bytes) } : {}),
    });
    this.threads = threads;
  }
}

function nodeSessionOptions(device: OnnxDevice, threads: number, options: OnnxBackendOptions): SessionOptions {
  const base: SessionOptions = {
    executionProviders: executionProvidersFor(device),
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    logSeverityLevel: options.logSeverityLevel ?? 3,
    // Spinning intra-op threads burn the cores between the small kernels of an RNN step.
    ...(threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
  return { ...base, ...options.sessionOptions };
}

function dump(dir: string, hash: string, bytes: Uint8Array): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${hash}.onnx`), bytes);
}

/**
 * Create an onnx backend on `device` after checking that the device really works here (a tiny
 * session is created and run). Throws OnnxDeviceUnavailableError with the reason and a fix otherwise.
 */
export async function createOnnxBackend(options: OnnxBackendOptions = {}): Promise<OnnxBackend> {
  const device = options.device ?? 'cpu';
  if (!isOnnxDevice(device)) {
    throw new OnnxDeviceUnavailableError(
      String(device),
      'unknown device; onnx devices are cpu, webgpu, cuda',
      undefined,
    );
  }
  await probeDevice(device);
  return new OnnxBackend({ ...options, device });
}
