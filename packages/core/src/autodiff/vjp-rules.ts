// One vector-Jacobian-product rule per primitive, in ONE table: a missing rule is a compile error.
//
// A rule gets the cotangent `g` of the node's output (same shape as the output) and returns one
// cotangent per input, or null where the input gets no gradient (integer indices, masks). Rules may
// return a cotangent in the OUTPUT's broadcast shape: `grad` sums it back to the input's shape in one
// place (`unbroadcast`), so no rule repeats that. The VJP of a linear op is its transpose: a slice pads,
// a concat slices, a broadcast sums, a gather scatters (here as a one-hot matrix product).

import type { Sym } from '../ir/graph.js';
import { type AttrsOf, type PrimitiveName } from '../ir/primitives.js';

export interface VjpContext<P extends PrimitiveName> {
  readonly inputs: readonly Sym[];
  readonly out: Sym;
  readonly attrs: AttrsOf<P>;
}
export type VjpRule<P extends PrimitiveName> = (g: Sym, ctx: VjpContext<P>) => ReadonlyArray<Sym | null>;

// #region vjp-table
export const vjpRules: { readonly [P in PrimitiveName]: VjpRule<P> } = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, { inputs: [a, b] }) => [g.mul(b), g.mul(a)],
  // d(a/b) = da/b - a db/b^2 = (g/b), -(g/b)*(a/b)
  div: (g, { inputs: [, b], out }) => {
    const gOverB = g.div(b);
    return [gOverB, gOverB.mul(out).neg()];
  },
  // Ties send the whole gradient to the first operand.
  maximum: (g, { inputs: [a, b] }) => {
    const aWins = a.greaterEqual(b);
    return [g.mul(aWins), g.mul(aWins.neg().add(1))];
  },
  minimum: (g, { inputs: [a, b] }) => {
    const aWins = b.greaterEqual(a);
    return [g.mul(aWins), g.mul(aWins.neg().add(1))];
  },
  greaterEqual: () => [null, null],
  neg: (g) => [g.neg()],
  exp: (g, { out }) => [g.mul(out)],
  log: (g, { inputs: [x] }) => [g.div(x)],
  // tanh'(x) = 1 - tanh(x)^2, written with the output so tanh is not recomputed.
  tanh: (g, { out }) => [g.mul(out.square().neg().add(1))],
  // sigmoid'(x) = s (1 - s) with s = sigmoid(x), again from the output.
  sigmoid: (g, { out }) => [g.mul(out.mul(out.neg().add(1)))],
  sqrt: (g, { out }) => [g.div(out.mul(2))],
  stopGradient: () => [null],

  // C = op(A) op(B). Each case is the chain rule for a matrix product with the transposes moved around.
  matmul: (g, { inputs: [a, b], attrs: { transA, transB } }) => {
    if (!transA && !transB) return [g.matmul(b, { transB: true }), a.matmul(g, { transA: true })];
    if (transA && !transB) return [b.matmul(g, { transB: true }), a.matmul(g)];
    if (!transA && transB) return [g.matmul(b), g.matmul(a, { transA: true })];
    return [b.matmul(g, { transA: true, transB: true }), g.matmul(a, { transA: true, transB: true })];
  },
  // Every input element contributed once: copy g back over the reduced axes.
  sum: (g, { inputs: [x], attrs: { axes } }) => [g.reshape(keptShape(x.shape, axes)).broadcastTo(x.shape)],
  // Only the maximal elements contributed; tied maxima share the gradient equally (like JAX and TF).
  max: (g, { inputs: [x], out, attrs: { axes } }) => {
    const kept = keptShape(x.shape, axes);
    const isMax = x.greaterEqual(out.reshape(kept).broadcastTo(x.shape));
    const ties = isMax.sum(axes, true).broadcastTo(x.shape);
    return [g.reshape(kept).broadcastTo(x.shape).mul(isMax).div(ties)];
  },
  reshape: (g, { inputs: [x] }) => [g.reshape(x.shape)],
  transpose: (g, { attrs: { perm } }) => [g.transpose(inversePermutation(perm))],
  // The output cotangent is summed back to the input's shape by `unbroadcast` in grad.ts.
  broadcast: (g) => [g],
  slice: (g, { inputs: [x], attrs: { starts, ends } }) => [padWithZeros(g, x.shape, starts, ends)],
  concat: (g, { inputs, attrs: { axis } }) => {
    const ax = axis < 0 ? axis + g.rank : axis;
    let offset = 0;
    return inputs.map((x) => {
      const piece = g.sliceAxis(ax, offset, offset + x.shape[ax]);
      offset += x.shape[ax];
      return piece;
    });
  },
  // d table = onehot(indices)^T @ g: each looked-up row receives the sum of its cotangent rows.
  gather: (g, { inputs: [table, indices] }) => {
    const rows = table.shape[0];
    const n = indices.shape.reduce((p, d) => p * d, 1);
    const width = table.shape.slice(1).reduce((p, d) => p * d, 1);
    const picks = indices.reshape([n]).oneHot(rows, table.dtype);
    const dTable = picks.matmul(g.reshape([n, width]), { transA: true });
    return [dTable.reshape(table.shape), null];
  },
  oneHot: () => [null],
  cast: (g, { inputs: [x] }) => [x.dtype === 'int32' || g.dtype === 'int32' ? null : g.cast(x.dtype)],
};
// #endregion vjp-table

/** The shape of a reduction's output with keepDims: reduced axes become 1. */
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  const ax = axes.map((a) => (a < 0 ? a + shape.length : a));
  return shape.map((d, i) => (ax.includes(i) ? 1 : d));
}

function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Put `g` back at `starts` inside zeros of `shape`, one axis at a time. */
function padWithZeros(g: Sym, shape: readonly number[], starts: readonly number[], ends: readonly number[]): Sym {
  let cur = g;
  for (let ax = 0; ax < shape.length; ax++) {
    if (starts[ax] !== 0 || ends[ax] !== shape[ax]) cur = padAlong(cur, ax, starts[ax], shape[ax]);
  }
  return cur;
}

/** Zeros shaped like `piece` except `size` along `axis`. */
function zerosAlong(piece: Sym, axis: number, size: number): Sym {
  const shape = [...piece.shape];
  shape[axis] = size;
  return piece.builder.zeros(piece.dtype, shape);
}

/** `piece` placed at `offset` along `axis` inside zeros of length `total`: concat([zeros?, piece, zeros?]). */
function padAlong(piece: Sym, axis: number, offset: number, total: number): Sym {
  const parts: Sym[] = [];
  if (offset > 0) parts.push(zerosAlong(piece, axis, offset));
  parts.push(piece);
  const after = total - offset - piece.shape[axis];
  if (after > 0) parts.push(zerosAlong(piece, axis, after));
  return parts.length === 1 ? piece : piece.builder.op('concat', parts, { axis });
}
