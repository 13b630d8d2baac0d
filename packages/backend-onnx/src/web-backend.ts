// The onnx backend on ONNX Runtime Web (onnxruntime-web): devices webgpu and wasm, in browsers, in Web
// Workers and in Node (wasm). The same lowering and session code as the Node entry (session.ts); only the
// ORT module and the devices differ.

import { type Executable, type Graph, formatType } from '@rnn-scratch/core';
import * as ort from 'onnxruntime-web/webgpu';
import { OnnxDeviceUnavailableError } from './probe.js';
import { OnnxSessionBackend, type SessionOptions } from './session.js';
import {
  type OnnxWebDevice,
  type OnnxWebOptions,
  configureOnnxWeb,
  isOnnxWebDevice,
  probeWebDevice,
  webDeviceSoftware,
} from './web-devices.js';

export interface OnnxWebBackendOptions extends OnnxWebOptions {
  /** `wasm` (default) or `webgpu`. */
  readonly device?: OnnxWebDevice;
  /** Extra ORT session options, merged over the defaults. */
  readonly sessionOptions?: SessionOptions;
}

export class OnnxWebBackend extends OnnxSessionBackend {
  declare readonly device: OnnxWebDevice;
  /** The wasm threads in force (1 unless the page is cross-origin isolated). */
  readonly threads: number;

  constructor(options: OnnxWebBackendOptions = {}) {
    const device = options.device ?? 'wasm';
    if (!isOnnxWebDevice(device)) throw new Error(`onnx: unknown device "${String(device)}"; use webgpu or wasm`);
    const { threads } = configureOnnxWeb(options);
    const software = webDeviceSoftware(device);
    super({
      ort,
      device,
      // WebGPU has no float64, and this build's wasm kernels are float32 (and int32) only.
      floatPrecision: 32,
      ...(software !== undefined ? { software } : {}),
      sessionOptions: () => ({
        executionProviders: [device],
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        logSeverityLevel: 3,
        ...options.sessionOptions,
      }),
    });
    this.threads = threads;
  }

  /** Refuses float64 graphs in one line: onnxruntime-web/webgpu has no float64 kernels on either device. */
  override async compile(graph: Graph): Promise<Executable> {
    const wide = graph.nodes.find((n) => n.dtype === 'float64');
    if (wide !== undefined) {
      const what = wide.op === 'input' ? `input "${wide.name}"` : `node %${wide.id} (${wide.op})`;
      throw new Error(
        `onnx:${this.device} cannot run this graph: ${what} is ${formatType(wide.dtype, wide.shape)}, and onnxruntime-web ` +
          `computes in float32 (floatPrecision 32). Build the graph in float32, or use onnxruntime-node's onnx:cpu.`,
      );
    }
    return super.compile(graph);
  }
}

/**
 * Create an onnx backend on onnxruntime-web's `device` after checking that it really works here (a tiny
 * session is created and run). Throws OnnxDeviceUnavailableError with the reason and a fix otherwise.
 */
export async function createOnnxWebBackend(options: OnnxWebBackendOptions = {}): Promise<OnnxWebBackend> {
  const device = options.device ?? 'wasm';
  if (!isOnnxWebDevice(device)) {
    throw new OnnxDeviceUnavailableError(
      String(device),
      'unknown device; onnx devices here are webgpu, wasm',
      undefined,
    );
  }
  configureOnnxWeb(options);
  await probeWebDevice(device);
  return new OnnxWebBackend({ ...options, device });
}
