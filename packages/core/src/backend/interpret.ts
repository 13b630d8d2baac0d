// A graph interpreter generic over the tensor type T: give it one kernel per primitive and it runs any
// graph. The reference backend uses it with plain-TypeScript kernels; backend-tfjs with tfjs kernels.

import type { DType, HostTensor, Shape } from '../ir/dtype.js';
import { type ConstantNode, type Graph, type PrimitiveNode, isPrimitiveNode } from '../ir/graph.js';
import type { AttrsOf, PrimitiveName } from '../ir/primitives.js';

// #region kernel-table
export type Kernel<P extends PrimitiveName, T> = (
  inputs: readonly T[],
  attrs: AttrsOf<P>,
  out: { readonly shape: Shape; readonly dtype: DType },
) => T;

/** One kernel per primitive; a missing entry is a compile error. */
export type KernelTable<T> = { readonly [P in PrimitiveName]: Kernel<P, T> };
// #endregion kernel-table

export interface InterpretHooks<T> {
  /** Turn a constant node into a T (called once per run, or cached by the caller). */
  constant(node: ConstantNode): T;
  /** Called when a value is no longer needed (e.g. to free device memory); optional. */
  release?(value: T): void;
}

/** Per graph: for each node, the index of the last node that reads it (so values can be freed early). */
export function lastUses(graph: Graph): Int32Array {
  const last = new Int32Array(graph.nodes.length).fill(-1);
  for (const n of graph.nodes) for (const i of n.inputs) last[i] = n.id;
  for (const o of graph.outputs) last[o.id] = graph.nodes.length; // outputs live to the end
  return last;
}

/** Run `graph` on `inputs` (by name) and return its outputs (by name). */
export function interpret<T>(
  graph: Graph,
  kernels: KernelTable<T>,
  inputs: Readonly<Record<string, T>>,
  hooks: InterpretHooks<T>,
  last: Int32Array = lastUses(graph),
): Record<string, T> {
  const values: (T | undefined)[] = new Array(graph.nodes.length);
  const owned = new Uint8Array(graph.nodes.length); // 1 for values this run created (safe to release)
  for (const n of graph.nodes) {
    if (n.op === 'input') {
      values[n.id] = inputs[n.name];
      continue;
    }
    if (n.op === 'constant') {
      values[n.id] = hooks.constant(n);
      owned[n.id] = 1;
      continue;
    }
    if (!isPrimitiveNode(n)) continue;
    const args = n.inputs.map((i) => values[i] as T);
    const kernel = kernels[n.op] as Kernel<PrimitiveName, T>;
    values[n.id] = kernel(args, (n as PrimitiveNode).attrs, n);
    owned[n.id] = 1;
    if (hooks.release) {
      for (const i of new Set(n.inputs)) {
        if (last[i] === n.id && owned[i]) {
          hooks.release(values[i] as T);
          values[i] = undefined;
        }
      }
    }
  }
  const out: Record<string, T> = {};
  for (const o of graph.outputs) out[o.name] = values[o.id] as T;
  return out;
}

export type { HostTensor };
