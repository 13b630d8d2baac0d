// The part of the onnx backend that runs sessions, shared by the Node entry (onnxruntime-node) and the
// browser entry (onnxruntime-web): a whole core graph (forward + backward + clipping + update) is lowered
// to ONE ONNX model and run by one ONNX Runtime InferenceSession. Sessions are cached by the graph's
// structural hash, so compiling the same graph again costs nothing. The two entries differ only in the ORT
// module they pass in and their devices (node: devices.ts + backend.ts; web: web-devices.ts + web-backend.ts).

import {
  type Backend,
  type DType,
  type Executable,
  type Feeds,
  type GatherIndexCheck,
  type Graph,
  type HostTensor,
  type Outputs,
  SPEC_VERSION,
  checkFeeds,
  checkGatherIndices,
  gatherIndexChecks,
  hashGraph,
} from '@rnn-scratch/core';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { lowerGraph } from './lower.js';
import { type LowerTuning, sessionConfigFor } from './tuning.js';
import { encodeModel } from './onnx-model.js';

/** What this package needs of an ONNX Runtime module: `onnxruntime-node` and `onnxruntime-web` both have it. */
export interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  readonly Tensor: new (type: 'float32' | 'float64' | 'int32', data: HostTensor['data'], dims: number[]) => Tensor;
}

export type SessionOptions = InferenceSession.SessionOptions;

/** How one onnx backend runs sessions: the ORT module, the device and its session options. */
export interface SessionConfig {
  readonly ort: OrtModule;
  readonly device: string;
  readonly floatPrecision: 32 | 64;
  /** The software rasteriser the device's adapter is (e.g. `SwiftShader`), when it is one. */
  readonly software?: string;
  readonly sessionOptions: () => SessionOptions;
  /** The lowering's rewrites for this device's kernels (tuning.ts; default none). */
  readonly tuning?: LowerTuning;
  /** Hears every lowered model (the Node entry writes it to a folder when asked). */
  readonly onModel?: (hash: string, bytes: Uint8Array) => void;
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
    readonly session: InferenceSession,
    private readonly ort: OrtModule,
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
    const ortFeeds: Record<string, Tensor> = {};
    for (const { name } of this.graph.inputs) {
      const t = feeds[name];
      // Zero-copy where the engine allows: ort.Tensor wraps the typed array.
      ortFeeds[name] = new this.ort.Tensor(ORT_TYPE[t.dtype], t.data, t.shape as number[]);
    }
    const results = await this.session.run(ortFeeds);
    const out: Outputs = {};
    this.graph.outputs.forEach((o, k) => {
      const node = this.graph.nodes[o.id];
      out[o.name] = toHost(results[this.onnxOutputNames[k]], node.dtype, node.shape);
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

function toHost(t: Tensor, dtype: DType, shape: readonly number[]): HostTensor {
  const data = t.data;
  const ok =
    (dtype === 'float32' && data instanceof Float32Array) ||
    (dtype === 'float64' && data instanceof Float64Array) ||
    (dtype === 'int32' && data instanceof Int32Array);
  if (!ok) throw new Error(`onnx: output of type ${t.type} where the graph says ${dtype}`);
  return { dtype, shape: [...shape], data: data as Float32Array | Float64Array | Int32Array } as HostTensor;
}

/** The onnx backend on one device of one ORT module. */
export class OnnxSessionBackend implements Backend {
  readonly specVersion = SPEC_VERSION;
  readonly name = 'onnx';
  readonly device: string;
  readonly floatPrecision: 32 | 64;
  /** On a GPU device: the software rasteriser its adapter is (e.g. `SwiftShader`), when it is one. */
  readonly software?: string;
  private readonly cache = new Map<string, Promise<OnnxExecutable>>();
  private disposed = false;

  constructor(private readonly config: SessionConfig) {
    this.device = config.device;
    this.floatPrecision = config.floatPrecision;
    if (config.software !== undefined) this.software = config.software;
  }

  /** The ORT session options this backend uses (exposed for tests and probes). */
  sessionOptions(): SessionOptions {
    const options = this.config.sessionOptions();
    const extra = { ...sessionConfigFor(this.config.tuning ?? {}), ...options.extra };
    return Object.keys(extra).length > 0 ? { ...options, extra } : options;
  }

  async compile(graph: Graph): Promise<Executable> {
    if (this.disposed) throw new Error('onnx: this backend has been disposed');
    const hash = hashGraph(graph);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return (await cached).retain();
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
    const lowered = lowerGraph(graph, { name: `rnn_scratch_${hash}`, ...this.config.tuning });
    const bytes = encodeModel(lowered.model);
    this.config.onModel?.(hash, bytes);
    let session: InferenceSession;
    try {
      session = await this.config.ort.InferenceSession.create(bytes, this.sessionOptions());
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`onnx:${this.device}: ONNX Runtime rejected the lowered graph ${hash}: ${msg.trim()}`, {
        cause: err,
      });
    }
    const release = () => this.cache.delete(hash);
    return new OnnxExecutable(graph, hash, session, this.config.ort, lowered.outputNames, release);
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
