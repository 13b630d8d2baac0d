// The tfjs backend: a core graph is lowered (lower.ts) and then executed op by op by core's `interpret`
// with the tfjs kernel table (kernels.ts). Constants become tfjs tensors once per compiled graph;
// every intermediate tensor is freed as soon as its last reader has run, and the whole run sits inside
// `tf.tidy`, so memory stays flat over any number of runs.

import {
  type Backend,
  type ConstantNode,
  type Executable,
  type Feeds,
  type GatherIndexCheck,
  type Graph,
  type HostTensor,
  type KernelTable,
  type Outputs,
  SPEC_VERSION,
  checkFeeds,
  checkGatherIndices,
  formatType,
  gatherIndexChecks,
  interpret,
  lastUses,
} from '@rnn-scratch/core';
import * as tf from '@tensorflow/tfjs-core';
import { kernelsFor } from './kernels.js';
import { type LoweringOptions, defaultLowering, lowerGraph } from './lower.js';
import {
  TFJS_DEVICES,
  type TfjsDevice,
  type TfjsRuntime,
  type TfjsRuntimeLoader,
  type TfjsRuntimeOptions,
  TfjsRuntimeUnavailableError,
  isTfjsDevice,
  tfjsRuntimes,
  withEngine,
} from './runtime.js';

export interface TfjsBackendOptions extends TfjsRuntimeOptions {
  /**
   * `cuda`, `node`, `webgpu`, `webgl` (browsers), `wasm` or `cpu`. For the best one that works here, ask core's registry:
   * `resolveBackend('tfjs')` (after importing this package, which registers the devices).
   */
  readonly device: TfjsDevice;
  /** Override the graph rewrites chosen for the runtime (see lower.ts); mostly for benchmarks and tests. */
  readonly lowering?: Partial<LoweringOptions>;
  /** @internal a separate loader (tests) */
  readonly loader?: TfjsRuntimeLoader;
}

/** A graph this backend cannot run (float64 values). */
export class TfjsUnsupportedGraphError extends Error {
  override name = 'TfjsUnsupportedGraphError';
}

function rejectFloat64(graph: Graph, id: string): void {
  for (const n of graph.nodes) {
    if (n.dtype !== 'float64') continue;
    const what = n.op === 'input' ? `input "${n.name}"` : `node %${n.id} (${n.op})`;
    throw new TfjsUnsupportedGraphError(
      `${id} cannot run this graph: ${what} is ${formatType(n.dtype, n.shape)}, and no TensorFlow.js backend ` +
        `computes in float64 (floatPrecision 32). Build the graph in float32, e.g. buildTrainStep({ ..., dtype: 'float32' }).`,
    );
  }
}

function toHost(node: { dtype: string; shape: readonly number[] }, data: tf.TypedArray): HostTensor {
  if (node.dtype === 'int32') {
    const ints = data instanceof Int32Array ? data : Int32Array.from(data);
    return { dtype: 'int32', shape: [...node.shape], data: ints };
  }
  const floats = data instanceof Float32Array ? data : Float32Array.from(data);
  return { dtype: 'float32', shape: [...node.shape], data: floats };
}

/** A compiled graph: the lowered graph, its constants as tfjs tensors, and the interpreter's plan. */
export class TfjsExecutable implements Executable {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly last: Int32Array;
  private readonly kernels: KernelTable<tf.Tensor>;
  /** Fed gather indices, checked before each run: tfjs-backend-webgpu's gather does not check them. */
  private readonly gatherChecks: readonly GatherIndexCheck[];
  private disposed = false;

  constructor(
    readonly graph: Graph,
    /** What actually runs: `graph` after the runtime's rewrites. */
    readonly lowered: Graph,
    private readonly runtime: TfjsRuntime,
    private readonly constants: ReadonlyMap<number, tf.Tensor>,
    private readonly onDispose: (exe: TfjsExecutable) => void,
  ) {
    this.inputNames = graph.inputs.map((i) => i.name);
    this.outputNames = graph.outputs.map((o) => o.name);
    this.last = lastUses(lowered);
    this.kernels = kernelsFor(runtime.backendName);
    this.gatherChecks = gatherIndexChecks(graph);
  }

  async run(feeds: Feeds): Promise<Outputs> {
    if (this.disposed) throw new Error(`tfjs:${this.runtime.device}: this executable has been disposed`);
    checkFeeds(this.graph, feeds);
    checkGatherIndices(this.gatherChecks, feeds);
    return withEngine(this.runtime, () => this.runNow(feeds));
  }

  private async runNow(feeds: Feeds): Promise<Outputs> {
    if (this.disposed) throw new Error(`tfjs:${this.runtime.device}: this executable has been disposed`);
    const { lowered, constants } = this;
    const persistent = new Set<tf.Tensor>(constants.values());
    const inputs: Record<string, tf.Tensor> = {};
    // Arrays a result must not share: the caller's feeds and the graph's constants (the cpu backend
    // stores both without copying, and a graph output may be a feed or a constant itself).
    const shared = new Set<ArrayBufferLike>();
    for (const n of lowered.nodes) if (n.op === 'constant') shared.add(n.value.data.buffer);
    for (const { name } of lowered.inputs) {
      const f = feeds[name];
      shared.add(f.data.buffer);
      inputs[name] = tf.tensor(f.data as Float32Array | Int32Array, [...f.shape], f.dtype as 'float32' | 'int32');
    }
    let results: Record<string, tf.Tensor> | undefined;
    try {
      results = tf.tidy(() =>
        interpret(
          lowered,
          this.kernels,
          inputs,
          {
            constant: (node: ConstantNode) => constants.get(node.id)!,
            release: (t: tf.Tensor) => {
              if (!persistent.has(t)) t.dispose();
            },
          },
          this.last,
        ),
      );
      const out: Outputs = {};
      const values = await Promise.all(lowered.outputs.map((o) => results![o.name].data()));
      lowered.outputs.forEach((o, i) => {
        let data = values[i];
        if (shared.has(data.buffer)) data = data.slice();
        out[o.name] = toHost(lowered.nodes[o.id], data);
      });
      return out;
    } finally {
      if (results) for (const t of Object.values(results)) if (!persistent.has(t)) t.dispose();
      for (const t of Object.values(inputs)) t.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Queued behind any run in flight, so its constants are not freed under it.
    await withEngine(
      this.runtime,
      () => {
        for (const t of this.constants.values()) t.dispose();
      },
      { activate: false },
    );
    this.onDispose(this);
  }
}

/**
 * Runs core graphs on one TensorFlow.js runtime (float32 and int32 only). Create it with
 * `TfjsBackend.create({ device })` or through the registry (`resolveBackend('tfjs:wasm')`).
 */
export class TfjsBackend implements Backend {
  readonly specVersion = SPEC_VERSION;
  readonly name = 'tfjs';
  readonly floatPrecision = 32 as const;
  readonly device: TfjsDevice;
  /** On `webgpu`: the software rasteriser its adapter is (e.g. `SwiftShader`), when it is one. */
  readonly software?: string;
  private readonly executables = new Set<TfjsExecutable>();
  private disposed = false;

  private constructor(
    readonly runtime: TfjsRuntime,
    private readonly lowering: LoweringOptions,
  ) {
    this.device = runtime.device;
    if (runtime.software !== undefined) this.software = runtime.software;
  }

  /** Load (once per process) and smoke-test the runtime for `device`; rejects with TfjsRuntimeUnavailableError. */
  static async create(options: TfjsBackendOptions): Promise<TfjsBackend> {
    const { device } = options;
    if (!isTfjsDevice(device)) {
      throw new TfjsRuntimeUnavailableError(
        String(device),
        `unknown tfjs device; the devices are ${TFJS_DEVICES.join(', ')}`,
        undefined,
      );
    }
    const runtime = await (options.loader ?? tfjsRuntimes).load(device, options);
    return new TfjsBackend(runtime, { ...defaultLowering(runtime.backendName), ...options.lowering });
  }

  get id(): string {
    return `tfjs:${this.device}`;
  }

  async compile(graph: Graph): Promise<Executable> {
    if (this.disposed) throw new Error(`${this.id}: this backend has been disposed`);
    rejectFloat64(graph, this.id);
    const lowered = lowerGraph(graph, this.lowering);
    const constants = await withEngine(this.runtime, () => {
      const map = new Map<number, tf.Tensor>();
      for (const n of lowered.nodes) {
        if (n.op !== 'constant') continue;
        map.set(
          n.id,
          tf.tensor(n.value.data as Float32Array | Int32Array, [...n.shape], n.dtype as 'float32' | 'int32'),
        );
      }
      return map;
    });
    const exe = new TfjsExecutable(graph, lowered, this.runtime, constants, (e) => this.executables.delete(e));
    this.executables.add(exe);
    return exe;
  }

  /** Frees every executable compiled by this backend. The runtime itself stays loaded (it is per process). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.executables].map((e) => e.dispose()));
  }
}
