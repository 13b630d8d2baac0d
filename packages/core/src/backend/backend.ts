// The backend contract (spec version v1). Core builds graphs; a backend compiles a whole graph once
// and runs it many times. Nothing here knows about gradients: backward passes are just more graph.

import type { DType, HostTensor } from '../ir/dtype.js';
import { formatType, sameShape, sizeOf } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';

export const SPEC_VERSION = 'v1' as const;

export type Feeds = Readonly<Record<string, HostTensor>>;
export type Outputs = Record<string, HostTensor>;

// #region contract
export interface Executable {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Run the graph once. Every declared input must be fed with its exact dtype and shape. */
  run(feeds: Feeds): Promise<Outputs>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly specVersion: typeof SPEC_VERSION;
  /** Registry name, e.g. `reference`, `onnx`, `tfjs`. */
  readonly name: string;
  /** Where it computes, e.g. `cpu`, `webgpu`, `wasm`. `${name}:${device}` identifies a backend in output. */
  readonly device: string;
  /** Widest float the backend computes in natively: 64 if it runs float64 graphs, else 32. */
  readonly floatPrecision: 32 | 64;
  /**
   * Set when `device` is a GPU API served by a software rasteriser on the CPU, naming it (e.g.
   * `'SwiftShader'`). Such a backend computes correctly but slower than a CPU backend: the registry lists
   * it as "software" and `auto` takes it only when nothing else works. Unset for real hardware and CPUs.
   */
  readonly software?: string;
  compile(graph: Graph): Promise<Executable>;
  dispose(): Promise<void>;
}
// #endregion contract

/** A wrong feed: names the input and what was expected. */
export class FeedError extends Error {
  override name = 'FeedError';
}

/** Check feeds against a graph's inputs before anything runs (shared by every backend). */
export function checkFeeds(graph: Graph, feeds: Feeds): void {
  for (const { name, id } of graph.inputs) {
    const want = graph.nodes[id];
    const got = feeds[name];
    if (got === undefined)
      throw new FeedError(`missing feed for input "${name}" (${formatType(want.dtype, want.shape)})`);
    if (got.dtype !== want.dtype || !sameShape(got.shape, want.shape)) {
      throw new FeedError(
        `input "${name}" expects ${formatType(want.dtype, want.shape)} but was fed ${formatType(got.dtype, got.shape)}`,
      );
    }
    if (got.data.length !== sizeOf(got.shape)) {
      throw new FeedError(`input "${name}": data has ${got.data.length} elements, shape needs ${sizeOf(got.shape)}`);
    }
    if (!matchesDType(got.data, got.dtype)) {
      throw new FeedError(`input "${name}": dtype says ${got.dtype} but data is a ${got.data.constructor.name}`);
    }
  }
  for (const name of Object.keys(feeds)) {
    if (!graph.inputs.some((i) => i.name === name)) {
      throw new FeedError(
        `unknown feed "${name}"; the graph's inputs are ${graph.inputs.map((i) => i.name).join(', ')}`,
      );
    }
  }
}

function matchesDType(data: unknown, dtype: DType): boolean {
  if (dtype === 'float32') return data instanceof Float32Array;
  if (dtype === 'float64') return data instanceof Float64Array;
  return data instanceof Int32Array;
}
