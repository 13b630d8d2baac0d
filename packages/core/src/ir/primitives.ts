// THE op set. Every graph is made of these primitives (plus inputs and constants); every backend
// implements exactly these, and autodiff has one rule for each. Composite ops (softmax, cross-entropy,
// clipping) live in `ops/` and are built from primitives, so they need no kernels or gradients of their own.

import { type DType, type Shape, formatType, isFloat, sameShape, sizeOf } from './dtype.js';

// #region op-set
/** Elementwise binary ops; they broadcast numpy-style (shapes aligned from the right, 1s stretch). */
export const BINARY_PRIMITIVES = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greaterEqual'] as const;
/** Elementwise unary ops. `stopGradient` is the identity whose gradient is zero. */
export const UNARY_PRIMITIVES = ['neg', 'exp', 'log', 'tanh', 'sigmoid', 'sqrt', 'stopGradient'] as const;
export const OTHER_PRIMITIVES = [
  'matmul',
  'sum',
  'max',
  'reshape',
  'transpose',
  'broadcast',
  'slice',
  'concat',
  'gather',
  'oneHot',
  'cast',
] as const;

export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
export type PrimitiveName = BinaryPrimitive | UnaryPrimitive | (typeof OTHER_PRIMITIVES)[number];
// #endregion op-set

export const PRIMITIVES: readonly PrimitiveName[] = [...BINARY_PRIMITIVES, ...UNARY_PRIMITIVES, ...OTHER_PRIMITIVES];

type NoAttrs = Record<string, never>;

/** The attributes each primitive carries (static: they are part of the graph, not fed at run time). */
export interface PrimitiveAttrs {
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  maximum: NoAttrs;
  minimum: NoAttrs;
  /** 1 where a >= b, else 0, in the inputs' dtype (a mask, used by the gradients of max/maximum). */
  greaterEqual: NoAttrs;
  neg: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  tanh: NoAttrs;
  /**
   * 1 / (1 + exp(-x)), the gates of the GRU and the LSTM. A primitive rather than a composite: both engines
   * have a native kernel (ONNX `Sigmoid`, `tf.sigmoid`), the VJP is one line (s * (1 - s), from the output),
   * a native kernel never overflows where `exp(-x)` would, and an LSTM step has three of them per time step.
   */
  sigmoid: NoAttrs;
  sqrt: NoAttrs;
  stopGradient: NoAttrs;
  /** 2-D matrix product `op(A) @ op(B)` where op transposes when the flag is set. */
  matmul: { readonly transA: boolean; readonly transB: boolean };
  sum: { readonly axes: readonly number[]; readonly keepDims: boolean };
  max: { readonly axes: readonly number[]; readonly keepDims: boolean };
  reshape: { readonly shape: Shape };
  transpose: { readonly perm: readonly number[] };
  /** Stretch size-1 (or missing leading) axes to `shape`, numpy rules. */
  broadcast: { readonly shape: Shape };
  /** Contiguous slice `x[starts[0]:ends[0], starts[1]:ends[1], ...]` over every axis. */
  slice: { readonly starts: readonly number[]; readonly ends: readonly number[] };
  concat: { readonly axis: number };
  /** Rows of a table: `out[i...] = table[indices[i...]]` (axis 0); an embedding lookup. */
  gather: NoAttrs;
  /** `out[i..., k] = indices[i...] == k ? 1 : 0` for k < depth. */
  oneHot: { readonly depth: number; readonly dtype: DType };
  cast: { readonly dtype: DType };
}

export type AttrsOf<P extends PrimitiveName> = PrimitiveAttrs[P];

/** What a shape rule sees of each input. */
export interface AbstractValue {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A shape or dtype error found while building a graph. The message names the op and every operand. */
export class GraphError extends Error {
  override name = 'GraphError';
}

function describe(op: string, inputs: readonly AbstractValue[]): string {
  return `${op}(${inputs.map((v) => formatType(v.dtype, v.shape)).join(', ')})`;
}

function fail(op: string, inputs: readonly AbstractValue[], why: string): never {
  throw new GraphError(`${describe(op, inputs)}: ${why}`);
}

/** Numpy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function normAxes(op: string, inputs: readonly AbstractValue[], axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  for (const a of out)
    if (!Number.isInteger(a) || a < 0 || a >= rank) fail(op, inputs, `axis ${a} out of range for rank ${rank}`);
  if (new Set(out).size !== out.length) fail(op, inputs, `repeated axis in [${axes.join(', ')}]`);
  return out.sort((x, y) => x - y);
}

function checkDims(op: string, inputs: readonly AbstractValue[], shape: Shape): void {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0) fail(op, inputs, `bad dimension ${d} in [${shape.join(', ')}]`);
}

function unaryRule(op: UnaryPrimitive) {
  return (inputs: readonly AbstractValue[]): AbstractValue => {
    const [x] = inputs;
    if (op !== 'stopGradient' && op !== 'neg' && !isFloat(x.dtype)) fail(op, inputs, 'needs a float input');
    return { shape: [...x.shape], dtype: x.dtype };
  };
}

function binaryRule(op: BinaryPrimitive) {
  return (inputs: readonly AbstractValue[]): AbstractValue => {
    const [a, b] = inputs;
    if (a.dtype !== b.dtype) fail(op, inputs, `dtypes differ (${a.dtype} vs ${b.dtype}); cast one explicitly`);
    if (op === 'div' && !isFloat(a.dtype)) fail(op, inputs, 'needs float inputs');
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) fail(op, inputs, 'shapes do not broadcast');
    return { shape, dtype: a.dtype };
  };
}

function reduceRule(op: 'sum' | 'max') {
  return (inputs: readonly AbstractValue[], attrs: AttrsOf<'sum'>): AbstractValue => {
    const [x] = inputs;
    const axes = normAxes(op, inputs, attrs.axes, x.shape.length);
    if (op === 'max') for (const a of axes) if (x.shape[a] === 0) fail(op, inputs, `max over empty axis ${a}`);
    const shape: number[] = [];
    x.shape.forEach((d, i) => {
      if (!axes.includes(i)) shape.push(d);
      else if (attrs.keepDims) shape.push(1);
    });
    return { shape, dtype: x.dtype };
  };
}

type ShapeRule<P extends PrimitiveName> = (inputs: readonly AbstractValue[], attrs: AttrsOf<P>) => AbstractValue;

/** Number of inputs each primitive takes (`concat` takes one or more). */
export const ARITY: { readonly [P in PrimitiveName]: number | 'variadic' } = {
  add: 2,
  sub: 2,
  mul: 2,
  div: 2,
  maximum: 2,
  minimum: 2,
  greaterEqual: 2,
  neg: 1,
  exp: 1,
  log: 1,
  tanh: 1,
  sigmoid: 1,
  sqrt: 1,
  stopGradient: 1,
  matmul: 2,
  sum: 1,
  max: 1,
  reshape: 1,
  transpose: 1,
  broadcast: 1,
  slice: 1,
  concat: 'variadic',
  gather: 2,
  oneHot: 1,
  cast: 1,
};

/** Shape and dtype rules ("abstract evaluation"): computed when a node is added, so errors surface early. */
export const shapeRules: { readonly [P in PrimitiveName]: ShapeRule<P> } = {
  add: binaryRule('add'),
  sub: binaryRule('sub'),
  mul: binaryRule('mul'),
  div: binaryRule('div'),
  maximum: binaryRule('maximum'),
  minimum: binaryRule('minimum'),
  greaterEqual: binaryRule('greaterEqual'),
  neg: unaryRule('neg'),
  exp: unaryRule('exp'),
  log: unaryRule('log'),
  tanh: unaryRule('tanh'),
  sigmoid: unaryRule('sigmoid'),
  sqrt: unaryRule('sqrt'),
  stopGradient: unaryRule('stopGradient'),
  matmul(inputs, { transA, transB }) {
    const [a, b] = inputs;
    if (a.shape.length !== 2 || b.shape.length !== 2) fail('matmul', inputs, 'needs two 2-D operands');
    if (a.dtype !== b.dtype) fail('matmul', inputs, `dtypes differ (${a.dtype} vs ${b.dtype})`);
    if (!isFloat(a.dtype)) fail('matmul', inputs, 'needs float operands');
    const [m, k1] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    if (k1 !== k2)
      fail('matmul', inputs, `inner dimensions differ (${k1} vs ${k2}; transA=${transA}, transB=${transB})`);
    return { shape: [m, n], dtype: a.dtype };
  },
  sum: reduceRule('sum'),
  max: reduceRule('max'),
  reshape(inputs, { shape }) {
    const [x] = inputs;
    checkDims('reshape', inputs, shape);
    if (sizeOf(shape) !== sizeOf(x.shape))
      fail('reshape', inputs, `cannot reshape to [${shape.join(', ')}]: sizes differ`);
    return { shape: [...shape], dtype: x.dtype };
  },
  transpose(inputs, { perm }) {
    const [x] = inputs;
    const r = x.shape.length;
    if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
      fail('transpose', inputs, `perm [${perm.join(', ')}] is not a permutation of ${r} axes`);
    }
    return { shape: perm.map((p) => x.shape[p]), dtype: x.dtype };
  },
  broadcast(inputs, { shape }) {
    const [x] = inputs;
    checkDims('broadcast', inputs, shape);
    const out = broadcastShapes(x.shape, shape);
    if (out === null || !sameShape(out, shape)) fail('broadcast', inputs, `cannot broadcast to [${shape.join(', ')}]`);
    return { shape: [...shape], dtype: x.dtype };
  },
  slice(inputs, { starts, ends }) {
    const [x] = inputs;
    const r = x.shape.length;
    if (starts.length !== r || ends.length !== r) fail('slice', inputs, `needs ${r} starts and ends`);
    const shape = x.shape.map((d, i) => {
      const s = starts[i];
      const e = ends[i];
      if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > d || s > e) {
        fail('slice', inputs, `bad range ${s}:${e} on axis ${i} of size ${d}`);
      }
      return e - s;
    });
    return { shape, dtype: x.dtype };
  },
  concat(inputs, { axis }) {
    if (inputs.length === 0) fail('concat', inputs, 'needs at least one input');
    const [first] = inputs;
    const r = first.shape.length;
    const ax = axis < 0 ? axis + r : axis;
    if (ax < 0 || ax >= r) fail('concat', inputs, `axis ${axis} out of range for rank ${r}`);
    let total = 0;
    for (const v of inputs) {
      if (v.dtype !== first.dtype) fail('concat', inputs, 'dtypes differ');
      if (v.shape.length !== r || v.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
        fail('concat', inputs, `shapes differ off axis ${ax}`);
      }
      total += v.shape[ax];
    }
    const shape = [...first.shape];
    shape[ax] = total;
    return { shape, dtype: first.dtype };
  },
  gather(inputs) {
    const [table, indices] = inputs;
    if (indices.dtype !== 'int32') fail('gather', inputs, 'indices must be int32');
    if (table.shape.length < 1) fail('gather', inputs, 'table must have at least one axis');
    return { shape: [...indices.shape, ...table.shape.slice(1)], dtype: table.dtype };
  },
  oneHot(inputs, { depth, dtype }) {
    const [indices] = inputs;
    if (indices.dtype !== 'int32') fail('oneHot', inputs, 'indices must be int32');
    if (!Number.isInteger(depth) || depth < 1) fail('oneHot', inputs, `bad depth ${depth}`);
    return { shape: [...indices.shape, depth], dtype };
  },
  cast(inputs, { dtype }) {
    return { shape: [...inputs[0].shape], dtype };
  },
};
