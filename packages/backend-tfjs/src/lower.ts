// Graph-to-graph rewrites applied at compile time, before the kernel table runs the graph. Each one
// computes exactly the same values with primitives that are cheaper on a given tfjs runtime; none
// changes what a graph means (at most the order of float additions inside one matmul). The rewrites
// every backend gets (x*1, x/1, broadcast folding, shared constants, common subexpressions) are core's
// graph passes, already applied to the graphs core builds.
//
// Why these exist (tfjs-backend-wasm, single thread):
// - wasm runs `matMul` through XNNPACK only when neither transpose flag is set; with a flag it takes a
//   much slower naive loop. XNNPACK also caches the packed right operand per tensor, so the 35
//   products with the same `W_hh^T` pack it once. Hence: explicit, shared transposes.
// - wasm's `slice` copies the WHOLE input out of the wasm heap (`readSync`) to cut a few rows out of it;
//   `gather` works inside the heap. Hence: row slices become gathers of constant row indices, and
//   slices of a gather become gathers of sliced (tiny, int32) indices.

import { type AttrsOf, type Graph, type GraphBuilder, type Sym, rewriteGraph, tensor } from '@rnn-scratch/core';

export interface LoweringOptions {
  /** matmul with transA/transB -> explicit `transpose` (one per operand, shared) + plain matmul. */
  readonly explicitTranspose: boolean;
  /** Row slices (only axis 0 cut) -> `gather` with constant indices; slice(gather(t, i)) -> gather(t, slice(i)). */
  readonly sliceAsGather: boolean;
}

export const NO_LOWERING: LoweringOptions = { explicitTranspose: false, sliceAsGather: false };

/** What each runtime gets by default (see scripts/bench-step.ts to time the alternatives). */
export function defaultLowering(backendName: string): LoweringOptions {
  const wasm = backendName === 'wasm';
  return { explicitTranspose: wasm, sliceAsGather: wasm };
}

/** Apply the chosen rewrites; returns a graph with the same inputs and outputs (names, dtypes, shapes). */
export function lowerGraph(graph: Graph, options: LoweringOptions): Graph {
  if (!options.explicitTranspose && !options.sliceAsGather) return graph;
  const rowIds = new Map<string, Sym>(); // constant row indices, one node per range
  return rewriteGraph(graph, (node, args, { b }) => {
    if (node.op === 'matmul' && options.explicitTranspose) {
      return withoutTransposeFlags(b, args, node.attrs as AttrsOf<'matmul'>);
    }
    if (node.op === 'slice' && options.sliceAsGather)
      return rowSlice(b, args[0], node.attrs as AttrsOf<'slice'>, rowIds);
    return undefined;
  });
}

/** `op(A) @ op(B)` as a plain matmul of explicit transposes (the builder makes each transpose once). */
function withoutTransposeFlags(b: GraphBuilder, [a, c]: readonly Sym[], attrs: AttrsOf<'matmul'>): Sym | undefined {
  const { transA, transB } = attrs;
  if (!transA && !transB) return undefined;
  const t = (x: Sym) => b.op('transpose', [x], { perm: [1, 0] });
  return b.op('matmul', [transA ? t(a) : a, transB ? t(c) : c], { transA: false, transB: false });
}

/** A slice that cuts only axis 0, as a gather of constant row indices (or of sliced gather indices). */
function rowSlice(
  b: GraphBuilder,
  x: Sym,
  { starts, ends }: AttrsOf<'slice'>,
  rowIds: Map<string, Sym>,
): Sym | undefined {
  if (x.rank < 1 || !x.shape.every((d, i) => i === 0 || (starts[i] === 0 && ends[i] === d))) return undefined;
  const [start, end] = [starts[0], ends[0]];
  if (start === 0 && end === x.shape[0]) return b.op('reshape', [x], { shape: [...x.shape] });
  const p = b.node(x.id);
  if (p.op === 'gather' && b.sym(p.inputs[1]).rank >= 1) {
    // The rows of gather(table, idx) are gathered by the leading axis of idx: slice idx instead (int32, tiny).
    const [table, idx] = p.inputs.map((id) => b.sym(id));
    const sub = idx.slice(
      idx.shape.map((_, i) => (i === 0 ? start : 0)),
      idx.shape.map((d, i) => (i === 0 ? end : d)),
    );
    return table.gather(sub);
  }
  const key = `${start}:${end}`;
  const rows = Array.from({ length: end - start }, (_, i) => start + i);
  const ids = rowIds.get(key) ?? b.constant(tensor('int32', [rows.length], rows));
  rowIds.set(key, ids);
  return x.gather(ids);
}
