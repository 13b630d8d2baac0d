// A graph's inputs and outputs as typed views of shared memory: the main thread and a worker read and write
// the same bytes, so a step's parameters and gradients never travel through messages.

import { type DType, type Shape, sizeOf } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';

export interface Slot {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly buffer: SharedArrayBuffer;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/** One shared buffer per named value of `graph` (its `inputs` or `outputs`), sized by its static shape. */
export function slotsOf(graph: Graph, which: 'inputs' | 'outputs'): Slot[] {
  return graph[which].map(({ name, id }) => {
    const { dtype, shape } = graph.nodes[id];
    return { name, dtype, shape, buffer: new SharedArrayBuffer(sizeOf(shape) * BYTES[dtype]) };
  });
}

/** The typed view of a slot. */
export function view(s: Slot): Float32Array | Float64Array | Int32Array {
  if (s.dtype === 'float64') return new Float64Array(s.buffer);
  return s.dtype === 'int32' ? new Int32Array(s.buffer) : new Float32Array(s.buffer);
}
