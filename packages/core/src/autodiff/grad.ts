// Reverse-mode autodiff as a graph-to-graph transform (JAX-style, not a runtime tape): walking the
// forward nodes backwards, each node's VJP rule appends the backward computation to the SAME builder.
// Gradients of a value used several times (W_hh at every time step) accumulate with `add`, exactly
// like micrograd's `+=`.

import { type Sym, GraphBuilder, type Graph, isPrimitiveNode } from '../ir/graph.js';
import { GraphError, type PrimitiveName } from '../ir/primitives.js';
import { isFloat, sameShape } from '../ir/dtype.js';
import { type VjpRule, padAlong, vjpRules, zerosAlong } from './vjp-rules.js';

/**
 * Sum a cotangent that has a broadcast shape back to `shape` (the one place broadcasting is undone):
 * sum away extra leading axes and axes where `shape` has a 1.
 */
export function unbroadcast(g: Sym, shape: readonly number[]): Sym {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? g.sum(axes) : g;
  return summed.reshape(shape);
}

// #region gradients
/**
 * Append to `loss.builder` the gradient of `loss` with respect to each of `wrt`, and return them.
 * `loss` is usually a scalar; a non-scalar loss is seeded with ones (the gradient of its sum).
 * A `wrt` the loss does not depend on gets zeros.
 */
export function gradients(loss: Sym, wrt: readonly Sym[]): Sym[] {
  const b = loss.builder;
  if (!isFloat(loss.dtype)) throw new GraphError(`grad: loss ${loss} must be a float value`);
  for (const w of wrt) if (!isFloat(w.dtype)) throw new GraphError(`grad: cannot differentiate with respect to ${w} (not float)`);

  // Only nodes that lie on a path from some `wrt` to `loss` need a cotangent.
  const n = loss.id + 1;
  const dependsOnWrt = new Uint8Array(n);
  for (const w of wrt) if (w.id < n) dependsOnWrt[w.id] = 1;
  for (let id = 0; id < n; id++) {
    if (b.node(id).inputs.some((i) => dependsOnWrt[i])) dependsOnWrt[id] = 1;
  }

  // Each value collects the cotangents of all its uses; they are summed once, when the backward walk
  // reaches the value (see `accumulate`).
  const contributions = new Map<number, Sym[]>();
  const cotangentOf = (id: number): Sym | undefined => {
    const list = contributions.get(id);
    if (list === undefined) return undefined;
    const total = accumulate(list);
    contributions.set(id, [total]);
    return total;
  };
  contributions.set(loss.id, [b.scalar(1, loss.dtype).broadcastTo(loss.shape)]);

  for (let id = loss.id; id >= 0; id--) {
    const node = b.node(id);
    if (!isPrimitiveNode(node) || !dependsOnWrt[id]) continue;
    const g = cotangentOf(id);
    if (g === undefined) continue;
    const inputs = node.inputs.map((i) => b.sym(i));
    const rule = vjpRules[node.op] as VjpRule<PrimitiveName>;
    const grads = rule(g, { inputs, out: b.sym(id), attrs: node.attrs });
    grads.forEach((gi, k) => {
      const x = inputs[k];
      if (gi === null || !dependsOnWrt[x.id] || !isFloat(x.dtype)) return;
      const list = contributions.get(x.id) ?? [];
      list.push(unbroadcast(gi, x.shape));
      contributions.set(x.id, list);
    });
  }
  return wrt.map((w) => cotangentOf(w.id) ?? b.zeros(w.dtype, w.shape));
}
// #endregion gradients

/**
 * Sum the cotangents from every use of one value. Mathematically this is just `c1 + c2 + ...`
 * (micrograd's `+=`). Three shapes of sum that an unrolled RNN produces are rewritten into fewer,
 * larger operations; the result is the same sum (up to float rounding order):
 * - slices of one value (X_t W_xh for each t): each use pads its piece with zeros, so the sum is
 *   one concat of the pieces, with zeros only in the gaps;
 * - `A_t^T @ B_t` for each t (dW_hh = sum_t H_{t-1}^T dA_t): one product of the stacked operands,
 *   `[A_1; A_2; ...]^T @ [B_1; B_2; ...]`;
 * - column sums `sum_rows(G_t)` for each t (db_h): one column sum of the stacked G_t.
 */
function accumulate(list: readonly Sym[]): Sym {
  if (list.length === 1) return list[0];
  const b = list[0].builder;
  const rest: Sym[] = [];
  const slices = new Map<number, Array<{ offset: number; piece: Sym }>>();
  const products: Array<{ a: Sym; g: Sym }> = [];
  const rowSums: Sym[] = [];
  for (const c of list) {
    const slice = asPaddedSlice(c);
    const product = asTransposedProduct(c);
    const rowSum = asRowSum(c);
    if (slice) slices.set(slice.axis, [...(slices.get(slice.axis) ?? []), slice]);
    else if (product) products.push(product);
    else if (rowSum) rowSums.push(rowSum);
    else rest.push(c);
  }
  const like = list[0];
  for (const [axis, pieces] of slices) {
    if (pieces.length === 1 || !tileWithoutOverlap(pieces, axis)) {
      rest.push(...pieces.map((p) => padAlong(p.piece, axis, p.offset, like.shape[axis])));
      continue;
    }
    pieces.sort((p, q) => p.offset - q.offset);
    const parts: Sym[] = [];
    let at = 0;
    for (const { offset, piece } of pieces) {
      if (offset > at) parts.push(zerosAlong(piece, axis, offset - at));
      parts.push(piece);
      at = offset + piece.shape[axis];
    }
    if (at < like.shape[axis]) parts.push(zerosAlong(pieces[0].piece, axis, like.shape[axis] - at));
    rest.push(b.op('concat', parts, { axis }));
  }
  if (products.length === 1) rest.push(products[0].a.matmul(products[0].g, { transA: true }));
  else if (products.length > 1) {
    const A = b.op('concat', products.map((p) => p.a), { axis: 0 });
    const G = b.op('concat', products.map((p) => p.g), { axis: 0 });
    rest.push(A.matmul(G, { transA: true }));
  }
  if (rowSums.length === 1) rest.push(rowSums[0].sum(0));
  else if (rowSums.length > 1) rest.push(b.op('concat', rowSums, { axis: 0 }).sum(0));
  let total = rest[0];
  for (const c of rest.slice(1)) total = total.add(c);
  return total.shape.length === like.shape.length ? total : total.reshape(like.shape);
}

/** A value built as `concat([zeros?, piece, zeros?], axis)`: the VJP of a slice along one axis. */
function asPaddedSlice(c: Sym): { axis: number; offset: number; piece: Sym } | undefined {
  const node = c.builder.node(c.id);
  if (node.op !== 'concat') return undefined;
  const axis = (node.attrs as { axis: number }).axis;
  const parts = node.inputs.map((i) => c.builder.sym(i));
  const isZeros = (s: Sym) => {
    const n = c.builder.node(s.id);
    if (n.op !== 'broadcast') return false;
    const src = c.builder.node(n.inputs[0]);
    return src.op === 'constant' && src.value.data.length === 1 && src.value.data[0] === 0;
  };
  const real = parts.filter((p) => !isZeros(p));
  if (real.length !== 1 || parts.length < 2) return undefined;
  let offset = 0;
  for (const p of parts) {
    if (p === real[0] || p.id === real[0].id) break;
    offset += p.shape[axis];
  }
  return { axis, offset, piece: real[0] };
}

/** `a^T @ g` with both operands 2-D. */
function asTransposedProduct(c: Sym): { a: Sym; g: Sym } | undefined {
  const node = c.builder.node(c.id);
  if (node.op !== 'matmul') return undefined;
  const { transA, transB } = node.attrs as { transA: boolean; transB: boolean };
  if (!transA || transB) return undefined;
  return { a: c.builder.sym(node.inputs[0]), g: c.builder.sym(node.inputs[1]) };
}

/** `sum(G, axes=[0])` of a 2-D G (possibly reshaped to itself), as `unbroadcast` makes for a bias: returns G. */
function asRowSum(c: Sym): Sym | undefined {
  const node = c.builder.node(c.id);
  const inner = node.op === 'reshape' ? c.builder.node(node.inputs[0]) : node;
  if (inner.op !== 'sum') return undefined;
  const { axes, keepDims } = inner.attrs as { axes: readonly number[]; keepDims: boolean };
  const G = c.builder.sym(inner.inputs[0]);
  if (keepDims || G.rank !== 2 || axes.length !== 1 || axes[0] !== 0 || c.rank !== 1) return undefined;
  return G;
}

function tileWithoutOverlap(pieces: ReadonlyArray<{ offset: number; piece: Sym }>, axis: number): boolean {
  const sorted = [...pieces].sort((p, q) => p.offset - q.offset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].offset < sorted[i - 1].offset + sorted[i - 1].piece.shape[axis]) return false;
  }
  return true;
}

/**
 * `grad(graph, 'loss', ['W', 'b'])`: a new graph with the same inputs, the original outputs, and one
 * more output `grad_<name>` per differentiated input.
 */
export function grad(graph: Graph, loss: string, wrt: readonly string[]): Graph {
  const { builder, inputs, outputs } = GraphBuilder.from(graph);
  const l = outputs[loss];
  if (!l) throw new GraphError(`grad: graph has no output "${loss}"`);
  const ws = wrt.map((name) => {
    const s = inputs[name];
    if (!s) throw new GraphError(`grad: graph has no input "${name}"`);
    return s;
  });
  const gs = gradients(l, ws);
  for (const o of graph.outputs) builder.output(o.name, outputs[o.name]);
  wrt.forEach((name, i) => builder.output(`grad_${name}`, gs[i]));
  return builder.build();
}
