// Sums of many same-shaped terms, as autodiff writes the gradient of a value used at every time step of
// an unrolled RNN (one `add` per use: micrograd's `+=`), rewritten into fewer, larger operations that
// compute the same sum (up to the order of float rounding). Three kinds of term are stacked:
// - padded slices of one value: the gradient of X_t = X[tB:(t+1)B] is concat([zeros?, dX_t, zeros?]),
//   so the sum of all of them is one concat of the pieces, with zeros only in the gaps;
// - products A_t^T @ B_t (dW_hh = sum_t H_{t-1}^T dA_t): one product [A_1; A_2; ...]^T @ [B_1; B_2; ...];
// - column sums sum(G_t, axis 0) (db_h = sum_t colsum(dA_t)): one column sum of the stacked G_t.
// The other terms are added first, in their order, then the stacked ones. A sum with nothing to stack
// is left as it is.

import { type Shape, sameShape } from '../dtype.js';
import type { Graph, Node, Sym } from '../graph.js';
import type { AttrsOf } from '../primitives.js';
import { rewriteGraph } from './rewrite.js';

interface Piece {
  readonly offset: number;
  readonly piece: Sym;
  /** The padded term itself. */
  readonly term: Sym;
}

/** The terms of one sum, sorted by kind; `rest` are the ones that do not stack. */
interface Terms {
  readonly rest: Sym[];
  /** Padded slices by axis. */
  readonly slices: Map<number, Piece[]>;
  readonly products: Array<{ a: Sym; g: Sym; term: Sym }>;
  readonly colSums: Array<{ G: Sym; term: Sym }>;
}

export function stackTimeStepSums(graph: Graph): Graph {
  const { nodes } = graph;
  const uses = new Uint32Array(nodes.length);
  for (const n of nodes) for (const i of n.inputs) uses[i]++;
  for (const o of graph.outputs) uses[o.id]++;
  // An add read only by one add of the same shape is part of that add's sum, not a sum of its own.
  const inner = new Uint8Array(nodes.length);
  for (const n of nodes) {
    if (n.op !== 'add') continue;
    for (const i of n.inputs)
      if (nodes[i].op === 'add' && uses[i] === 1 && sameShape(nodes[i].shape, n.shape)) inner[i] = 1;
  }

  return rewriteGraph(graph, (node, _args, { value }) => {
    if (node.op !== 'add' || inner[node.id]) return undefined;
    const terms: Terms = { rest: [], slices: new Map(), products: [], colSums: [] };
    for (const id of termsOf(nodes, inner, node.id)) {
      const term = nodes[id];
      const slice = asPaddedSlice(nodes, term, node.shape);
      if (slice) {
        const pieces = terms.slices.get(slice.axis) ?? [];
        pieces.push({ offset: slice.offset, piece: value(slice.piece), term: value(id) });
        terms.slices.set(slice.axis, pieces);
      } else if (isTransposedProduct(nodes, term, node.shape)) {
        terms.products.push({ a: value(term.inputs[0]), g: value(term.inputs[1]), term: value(id) });
      } else if (isColumnSum(nodes, term, node.shape))
        terms.colSums.push({ G: value(term.inputs[0]), term: value(id) });
      else terms.rest.push(value(id));
    }
    return stackedSum(terms, node.shape);
  });
}

/** The sum with each kind of term stacked into one op, or undefined when no kind has two terms to stack. */
function stackedSum({ rest, slices, products, colSums }: Terms, shape: Shape): Sym | undefined {
  const tiles = (pieces: readonly Piece[], axis: number) => pieces.length > 1 && tileWithoutOverlap(pieces, axis);
  const anySlicesTile = [...slices].some(([axis, pieces]) => tiles(pieces, axis));
  if (!anySlicesTile && products.length < 2 && colSums.length < 2) return undefined;
  const sum = [...rest];
  for (const [axis, pieces] of slices) {
    if (tiles(pieces, axis)) sum.push(concatWithGaps(pieces, axis, shape));
    else sum.push(...pieces.map((p) => p.term));
  }
  if (products.length === 1) sum.push(products[0].term);
  else if (products.length > 1) {
    const b = products[0].a.builder;
    const A = b.op(
      'concat',
      products.map((p) => p.a),
      { axis: 0 },
    );
    const G = b.op(
      'concat',
      products.map((p) => p.g),
      { axis: 0 },
    );
    sum.push(A.matmul(G, { transA: true }));
  }
  if (colSums.length === 1) sum.push(colSums[0].term);
  else if (colSums.length > 1)
    sum.push(
      colSums[0].G.builder
        .op(
          'concat',
          colSums.map((c) => c.G),
          { axis: 0 },
        )
        .sum(0),
    );
  return sum.reduce((total, t) => total.add(t));
}

/** The terms of the sum whose last add is `root`, left to right. */
function termsOf(nodes: readonly Node[], inner: Uint8Array, root: number): number[] {
  const terms: number[] = [];
  const stack = [root];
  while (stack.length) {
    const id = stack.pop()!;
    if (id !== root && !inner[id]) terms.push(id);
    else stack.push(...[...nodes[id].inputs].reverse());
  }
  return terms;
}

/** A term `concat([zeros?, piece, zeros?], axis)`: the gradient of a slice along one axis. */
function asPaddedSlice(
  nodes: readonly Node[],
  term: Node,
  shape: Shape,
): { axis: number; offset: number; piece: number } | undefined {
  if (term.op !== 'concat' || term.inputs.length < 2 || !sameShape(term.shape, shape)) return undefined;
  const { axis } = term.attrs as AttrsOf<'concat'>;
  const real = term.inputs.filter((id) => !isZeros(nodes, id));
  if (real.length !== 1) return undefined;
  const before = term.inputs.slice(0, term.inputs.indexOf(real[0]));
  return { axis, offset: before.reduce((n, id) => n + nodes[id].shape[axis], 0), piece: real[0] };
}

/** `broadcast(0)`: the zeros autodiff pads with. */
function isZeros(nodes: readonly Node[], id: number): boolean {
  const n = nodes[id];
  if (n.op !== 'broadcast') return false;
  const src = nodes[n.inputs[0]];
  return src.op === 'constant' && src.value.data.length === 1 && Object.is(src.value.data[0], 0);
}

/** A term `A^T @ B` with both operands 2-D. */
function isTransposedProduct(nodes: readonly Node[], term: Node, shape: Shape): boolean {
  if (term.op !== 'matmul' || !sameShape(term.shape, shape)) return false;
  const { transA, transB } = term.attrs as AttrsOf<'matmul'>;
  return transA && !transB && nodes[term.inputs[0]].shape.length === 2;
}

/** A term `sum(G, axes=[0])` of a 2-D G, as autodiff writes the gradient of a bias added to every row. */
function isColumnSum(nodes: readonly Node[], term: Node, shape: Shape): boolean {
  if (term.op !== 'sum' || !sameShape(term.shape, shape)) return false;
  const { axes, keepDims } = term.attrs as AttrsOf<'sum'>;
  return !keepDims && axes.length === 1 && axes[0] === 0 && nodes[term.inputs[0]].shape.length === 2;
}

function tileWithoutOverlap(pieces: readonly Piece[], axis: number): boolean {
  const sorted = [...pieces].sort((p, q) => p.offset - q.offset);
  return sorted.every((p, i) => i === 0 || p.offset >= sorted[i - 1].offset + sorted[i - 1].piece.shape[axis]);
}

/** The pieces in order along `axis`, with zeros where none covers. */
function concatWithGaps(pieces: readonly Piece[], axis: number, shape: Shape): Sym {
  const b = pieces[0].piece.builder;
  const zeros = (size: number) =>
    b.zeros(
      pieces[0].piece.dtype,
      shape.map((d, i) => (i === axis ? size : d)),
    );
  const parts: Sym[] = [];
  let at = 0;
  for (const { offset, piece } of [...pieces].sort((p, q) => p.offset - q.offset)) {
    if (offset > at) parts.push(zeros(offset - at));
    parts.push(piece);
    at = offset + piece.shape[axis];
  }
  if (at < shape[axis]) parts.push(zeros(shape[axis] - at));
  return b.op('concat', parts, { axis });
}
