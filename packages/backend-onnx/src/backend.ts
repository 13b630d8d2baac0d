// The onnx backend: a whole core graph (forward + backward + clipping + update) is lowered to ONE ONNX
// model and run by one ONNX Runtime InferenceSession. Sessions are cached by the graph's structural
// hash, so compiling the same graph again costs nothing.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Backend,
  type DType,
  type Executable,
  type Feeds,
  type Graph,
  type HostTensor,
  type Outputs,
  type GatherIndexCheck,
  SPEC_VERSION,
  checkFeeds,
  checkGatherIndices,
  gatherIndexChecks,
  hashGraph,
} from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import {
  type OnnxDevice,
  OnnxDeviceUnavailableError,
  executionProvidersFor,
  isOnnxDevice,
  probeDevice,
  webgpuSoftwareAdapter,
} from './devices.js';
import { lowerGraph } from './lower.js';
import { encodeModel } from './onnx-model.js';

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

const ORT_TYPE: Record<DType, 'float32' | 'float64' | 'int32'> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
};

/** A compiled graph: one InferenceSession plus the name mapping between the IR and the ONNX model. */
export class OnnxExecutable implements Executable {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** How many `compile` calls handed out this executable and have not disposed it yet. */
  private refs = 1;
  /** Fed gather indices, checked before each run: ORT's GPU Gather kernels do not check them. */
  private readonly gatherChecks: readonly GatherIndexCheck[];
  private disposed = false;

  constructor(
    readonly graph: Graph,
    readonly hash: string,
    readonly session: ort.InferenceSession,
    private readonly onnxOutputNames: readonly string[],
    private readonly onRelease: (exe: OnnxExecutable) => void,
  ) {
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
    this.gatherChecks = gatherIndexChecks(graph);
  }

  /** @internal the cache hands the same executable out again */
  retain(): this {
    this.refs++;
    return this;
  }

  async run(feeds: Feeds): Promise<Outputs> {
    if (this.disposed) throw new Error('onnx: this executable has been disposed');
    checkFeeds(this.graph, feeds);
    checkGatherIndices(this.gatherChecks, feeds);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const { name } of this.graph.inputs) {
      const t = feeds[name];
      // Zero-copy: ort.Tensor wraps the typed array; the native binding reads it in place.
      ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.dtype], t.data, t.shape as number[]);
    }
    const results = await this.session.run(ortFeeds);
    const out: Outputs = {};
    this.graph.outputs.forEach((o, k) => {
      const node = this.graph.nodes[o.id];
      const r = results[this.onnxOutputNames[k]] as ort.Tensor;
      out[o.name] = toHost(r, node.dtype, node.shape);
    });
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    if (--this.refs > 0) return;
    await this.release();
  }

  /** @internal release the session now, whoever still holds it */
  async release(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.onRelease(this);
    await this.session.release();
  }
}

function toHost(t: ort.Tensor, dtype: DType, shape: readonly number[]): HostTensor {
  const data = t.data;
  const ok =
    (dtype === 'float32' && data instanceof Float32Array) ||
    (dtype === 'float64' && data instanceof Float64Array) ||
    (dtype === 'int32' && data instanceof Int32Array);
  if (!ok) throw new Error(`onnx: output of type ${t.type} where the graph says ${dtype}`);
  return { dtype, shape: [...shape], data: data as Float32Array | Float64Array | Int32Array } as HostTensor;
}

export class OnnxBackend implements Backend {
  readonly specVersion = SPEC_VERSION;
  readonly name = 'onnx';
  readonly device: OnnxDevice;
  readonly floatPrecision: 32 | 64;
  /** On `webgpu`: the software rasteriser its adapter must be (e.g. `SwiftShader`), when no GPU driver can run here. */
  readonly software?: string;
  readonly threads: number;
  private readonly cache = new Map<string, Promise<OnnxExecutable>>();
  private readonly options: OnnxBackendOptions;
  private disposed = false;

  constructor(options: OnnxBackendOptions = {}) {
    const device = options.device ?? 'cpu';
    if (!isOnnxDevice(device)) throw new Error(`onnx: unknown device "${String(device)}"; use cpu, webgpu or cuda`);
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`onnx: threads must be a positive integer, got ${threads}`);
    this.device = device;
    const software = device === 'webgpu' ? webgpuSoftwareAdapter() : undefined;
    if (software !== undefined) this.software = software;
    this.threads = threads;
    this.floatPrecision = floatPrecisionOf(device);
    this.options = options;
  }

  /** The ORT session options this backend uses (exposed for tests and probes). */
  sessionOptions(): ort.InferenceSession.SessionOptions {
    const base: ort.InferenceSession.SessionOptions = {
      executionProviders: executionProvidersFor(this.device),
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      logSeverityLevel: this.options.logSeverityLevel ?? 3,
      // Spinning intra-op threads burn the cores between the small kernels of an RNN step.
      ...(this.threads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
    };
    return { ...base, ...this.options.sessionOptions };
  }

  async compile(graph: Graph): Promise<Executable> {
    if (this.disposed) throw new Error('onnx: this backend has been disposed');
    const hash = hashGraph(graph);
    const cached = this.cache.get(hash);
    if (cached !== undefined) {
      const exe = await cached;
      return exe.retain();
    }
    const pending = this.createExecutable(graph, hash);
    this.cache.set(hash, pending);
    try {
      return await pending;
    } catch (err) {
      this.cache.delete(hash);
      throw err;
    }
  }

  private async createExecutable(graph: Graph, hash: string): Promise<OnnxExecutable> {
    const lowered = lowerGraph(graph, { name: `rnn_scratch_${hash}` });
    const bytes = encodeModel(lowered.model);
    const dumpDir = this.options.dumpDir ?? process.env.RNN_SCRATCH_ONNX_DUMP;
    if (dumpDir) {
      mkdirSync(dumpDir, { recursive: true });
      writeFileSync(join(dumpDir, `${hash}.onnx`), bytes);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, this.sessionOptions());
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`onnx:${this.device}: ONNX Runtime rejected the lowered graph ${hash}: ${msg.trim()}`, {
        cause: err,
      });
    }
    return new OnnxExecutable(graph, hash, session, lowered.outputNames, () => this.cache.delete(hash));
  }

  /** Number of live compiled sessions (for tests). */
  get cachedSessions(): number {
    return this.cache.size;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const p of all) {
      const exe = await p.catch(() => undefined);
      await exe?.release();
    }
  }
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
