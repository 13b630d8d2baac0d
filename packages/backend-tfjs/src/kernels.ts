// The whole backend in one table: one TensorFlow.js op per core primitive. Core's `interpret` walks a
// graph and calls these; gradients are already in the graph (core autodiff), so tfjs never records a tape.
//
// Semantics follow core's reference kernels (`@rnn-scratch/core` backend/reference-kernels.ts). Where a
// tfjs op differs, the line says how it is bridged.

import { type DType, type KernelTable, type Shape, sizeOf } from '@rnn-scratch/core';
import * as tf from '@tensorflow/tfjs-core';

type T = tf.Tensor;

/** A new tensor object that shares `x`'s data (no copy on any backend): the interpreter may free `x`. */
function alias(x: T): T {
  return tf.reshape(x, x.shape);
}

export const tfjsKernels: KernelTable<T> = {
  add: ([a, b]) => tf.add(a, b),
  sub: ([a, b]) => tf.sub(a, b),
  mul: ([a, b]) => tf.mul(a, b),
  div: ([a, b]) => tf.div(a, b),
  maximum: ([a, b]) => tf.maximum(a, b),
  minimum: ([a, b]) => tf.minimum(a, b),
  // tfjs returns bool; core wants 1/0 in the inputs' dtype.
  greaterEqual: ([a, b], _attrs, out) => tf.cast(tf.greaterEqual(a, b), out.dtype as tf.DataType),
  neg: ([x]) => tf.neg(x),
  exp: ([x]) => tf.exp(x),
  log: ([x]) => tf.log(x),
  tanh: ([x]) => tf.tanh(x),
  sigmoid: ([x]) => tf.sigmoid(x),
  sqrt: ([x]) => tf.sqrt(x),
  // No tape here, so the identity is all there is to it.
  stopGradient: ([x]) => alias(x),

  // An empty inner dimension sums nothing: zeros (XNNPACK refuses to build that product at all).
  matmul: ([a, b], { transA, transB }, out) =>
    a.shape[transA ? 0 : 1] === 0
      ? tf.zeros([...out.shape], out.dtype as tf.DataType)
      : tf.matMul(a, b, transA, transB),
  // tfjs treats an empty axis list as "no axes" too, but say it outright: empty axes = identity.
  // Summing an empty tensor gives zeros: said here because tfjs-backend-webgpu cannot allocate the empty input.
  sum: ([x], { axes, keepDims }, out) =>
    axes.length === 0
      ? alias(x)
      : x.size === 0
        ? tf.zeros([...out.shape], out.dtype as tf.DataType)
        : tf.sum(x, [...axes], keepDims),
  max: ([x], { axes, keepDims }) => (axes.length === 0 ? alias(x) : tf.max(x, [...axes], keepDims)),
  reshape: ([x], { shape }) => tf.reshape(x, [...shape]),
  transpose: ([x], { perm }) => tf.transpose(x, [...perm]),
  broadcast: ([x], { shape }) => tf.broadcastTo(x, [...shape]),
  // tf.slice refuses scalars; a slice of a scalar (no axes to cut) is the scalar.
  slice: ([x], { starts, ends }) =>
    x.rank === 0
      ? alias(x)
      : tf.slice(
          x,
          [...starts],
          ends.map((e, i) => e - starts[i]),
        ),
  concat: (inputs, { axis }) => (inputs.length === 1 ? alias(inputs[0]) : tf.concat([...inputs], axis)),
  gather: ([table, indices]) => tf.gather(table, indices, 0),
  oneHot: ([indices], { depth }, out) => {
    // tfjs-backend-wasm writes int32 bits whatever dtype is asked for, so ask for int32 and cast;
    // tf.oneHot refuses depth 1, which core allows.
    const hot =
      depth === 1 ? tf.expandDims(tf.equal(indices, 0), -1) : tf.oneHot(indices as tf.Tensor1D, depth, 1, 0, 'int32');
    return tf.cast(hot, out.dtype as tf.DataType);
  },
  // float32 -> int32 truncates toward zero on every tfjs backend (typed-array conversion), as core says.
  cast: ([x], { dtype }) => (x.dtype === dtype ? alias(x) : tf.cast(x, dtype as tf.DataType)),
};

/**
 * Rows of a table through `gatherND`, which copies whole rows; tfjs-backend-wasm's `gather` computes a
 * multi-index per ELEMENT (and allocates while doing it), which is far slower for wide rows. gatherND
 * does not check its indices, so they are checked here, as `tf.gather` (and core) do.
 */
function gatherRows([table, indices]: readonly T[]): T {
  const rows = table.shape[0];
  const ids = indices.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const r = ids[i];
    if (r < 0 || r >= rows) throw new RangeError(`gather: index ${r} out of range for a table of ${rows} rows`);
  }
  return tf.gatherND(table, tf.expandDims(indices, -1));
}

/**
 * Every kernel, but a result with no elements is made directly: tfjs ops disagree on zero-size edge
 * cases (`broadcastTo` of [1] to [0] returns the input unchanged), and an empty tensor has no values
 * to get wrong.
 */
function withEmptyResults(table: KernelTable<T>): KernelTable<T> {
  const out: Record<string, unknown> = {};
  for (const [op, kernel] of Object.entries(table) as [string, (i: readonly T[], a: unknown, o: OutType) => T][]) {
    out[op] = (inputs: readonly T[], attrs: unknown, o: OutType) =>
      sizeOf(o.shape) === 0 ? tf.zeros([...o.shape], o.dtype as tf.DataType) : kernel(inputs, attrs, o);
  }
  return out as unknown as KernelTable<T>;
}

type OutType = { readonly shape: Shape; readonly dtype: DType };

const portable = withEmptyResults(tfjsKernels);
const wasm = withEmptyResults({ ...tfjsKernels, gather: gatherRows });

/** The kernel table for one tfjs backend (`wasm`, `cpu`, `tensorflow`, `webgpu`): the portable table plus what that runtime does better. */
export function kernelsFor(backendName: string): KernelTable<T> {
  return backendName === 'wasm' ? wasm : portable;
}
