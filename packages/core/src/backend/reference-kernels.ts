// Plain-TypeScript kernels: the living definition of every primitive. Slow and simple on purpose;
// every other backend is tested against these. Values are computed in float64 and stored in the
// output's dtype, so a float32 result is the correctly rounded float64 result.

import { type DType, type HostTensor, type Shape, allocate, sizeOf } from '../ir/dtype.js';
import type { KernelTable } from './interpret.js';

type T = HostTensor;

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

function make(dtype: DType, shape: Shape, data?: ArrayLike<number>): T {
  const out = allocate(dtype, sizeOf(shape));
  if (data) out.set(data);
  return { dtype, shape: [...shape], data: out };
}

/** For each element of `outShape`, the flat index into a tensor of `shape` broadcast to it. */
function broadcastIndex(shape: Shape, outShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const r = outShape.length;
  const inStrides = stridesOf(shape);
  // stride 0 on broadcast axes (size 1 or missing)
  const s = outShape.map((d, i) => {
    const j = i - (r - shape.length);
    return j < 0 || shape[j] === 1 ? 0 : inStrides[j];
  });
  const counter = new Array<number>(r).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = off;
    for (let a = r - 1; a >= 0; a--) {
      counter[a]++;
      off += s[a];
      if (counter[a] < outShape[a]) break;
      off -= s[a] * counter[a];
      counter[a] = 0;
    }
  }
  return idx;
}

function binary(f: (a: number, b: number) => number) {
  return (inputs: readonly T[], _attrs: unknown, out: { shape: Shape; dtype: DType }): T => {
    const [a, b] = inputs;
    const res = make(out.dtype, out.shape);
    const n = res.data.length;
    const ad = a.data;
    const bd = b.data;
    if (ad.length === n && bd.length === n) {
      for (let i = 0; i < n; i++) res.data[i] = f(ad[i], bd[i]);
    } else if (ad.length === n && bd.length === 1) {
      const bv = bd[0];
      for (let i = 0; i < n; i++) res.data[i] = f(ad[i], bv);
    } else if (ad.length === 1 && bd.length === n) {
      const av = ad[0];
      for (let i = 0; i < n; i++) res.data[i] = f(av, bd[i]);
    } else {
      const ia = broadcastIndex(a.shape, out.shape);
      const ib = broadcastIndex(b.shape, out.shape);
      for (let i = 0; i < n; i++) res.data[i] = f(ad[ia[i]], bd[ib[i]]);
    }
    return res;
  };
}

function unary(f: (x: number) => number) {
  return (inputs: readonly T[], _attrs: unknown, out: { shape: Shape; dtype: DType }): T => {
    const [x] = inputs;
    const res = make(out.dtype, out.shape);
    for (let i = 0; i < x.data.length; i++) res.data[i] = f(x.data[i]);
    return res;
  };
}

/** Reduce over `axes` with `init` and `f`; output shape comes from the shape rule. */
function reduce(
  x: T,
  axes: readonly number[],
  outShape: Shape,
  init: number,
  f: (acc: number, v: number) => number,
): T {
  const res = make(x.dtype, outShape);
  const acc = new Float64Array(res.data.length).fill(init);
  const r = x.shape.length;
  const keptStrides = new Array<number>(r).fill(0);
  // stride of each input axis in the (keepDims-free) output
  let s = 1;
  for (let a = r - 1; a >= 0; a--) {
    if (axes.includes(a)) continue;
    keptStrides[a] = s;
    s *= x.shape[a];
  }
  const counter = new Array<number>(r).fill(0);
  let o = 0;
  for (let k = 0; k < x.data.length; k++) {
    acc[o] = f(acc[o], x.data[k]);
    for (let a = r - 1; a >= 0; a--) {
      counter[a]++;
      o += keptStrides[a];
      if (counter[a] < x.shape[a]) break;
      o -= keptStrides[a] * counter[a];
      counter[a] = 0;
    }
  }
  res.data.set(acc);
  return res;
}

// #region elementwise
export const referenceKernels: KernelTable<T> = {
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => a / b),
  maximum: binary((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b)),
  minimum: binary((a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a <= b ? a : b)),
  greaterEqual: binary((a, b) => (a >= b ? 1 : 0)),
  neg: unary((x) => -x),
  exp: unary(Math.exp),
  log: unary(Math.log),
  tanh: unary(Math.tanh),
  sigmoid: unary((x) => 1 / (1 + Math.exp(-x))),
  sqrt: unary(Math.sqrt),
  stopGradient: unary((x) => x),
  // #endregion elementwise

  matmul([a, b], { transA, transB }, out) {
    const [m, n] = out.shape;
    const k = transA ? a.shape[0] : a.shape[1];
    const res = make(out.dtype, out.shape);
    const acc = new Float64Array(m * n);
    const A = a.data;
    const B = b.data;
    const lda = a.shape[1];
    const ldb = b.shape[1];
    // i-p-j loop order: the inner loop walks rows of B and of the result contiguously.
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let p = 0; p < k; p++) {
        const av = transA ? A[p * lda + i] : A[i * lda + p];
        if (av === 0) continue;
        if (!transB) {
          const bRow = p * ldb;
          for (let j = 0; j < n; j++) acc[row + j] += av * B[bRow + j];
        } else {
          for (let j = 0; j < n; j++) acc[row + j] += av * B[j * ldb + p];
        }
      }
    }
    // NaN/Inf in A must still propagate where av === 0 was skipped only for exact zeros: 0 * Inf = NaN.
    if (hasNonFinite(B)) return matmulSlow(a, b, transA, transB, out);
    res.data.set(acc);
    return res;
  },

  sum([x], { axes }, out) {
    return reduce(
      x,
      axes.map((a) => (a < 0 ? a + x.shape.length : a)),
      out.shape,
      0,
      (acc, v) => acc + v,
    );
  },
  max([x], { axes }, out) {
    return reduce(
      x,
      axes.map((a) => (a < 0 ? a + x.shape.length : a)),
      out.shape,
      -Infinity,
      (acc, v) => (Number.isNaN(acc) || Number.isNaN(v) ? NaN : v > acc ? v : acc),
    );
  },
  reshape([x], _attrs, out) {
    return make(out.dtype, out.shape, x.data);
  },
  transpose([x], { perm }, out) {
    const res = make(out.dtype, out.shape);
    const inStrides = stridesOf(x.shape);
    const s = perm.map((p) => inStrides[p]);
    const r = out.shape.length;
    const counter = new Array<number>(r).fill(0);
    let off = 0;
    for (let k = 0; k < res.data.length; k++) {
      res.data[k] = x.data[off];
      for (let a = r - 1; a >= 0; a--) {
        counter[a]++;
        off += s[a];
        if (counter[a] < out.shape[a]) break;
        off -= s[a] * counter[a];
        counter[a] = 0;
      }
    }
    return res;
  },
  broadcast([x], _attrs, out) {
    const res = make(out.dtype, out.shape);
    const idx = broadcastIndex(x.shape, out.shape);
    for (let k = 0; k < idx.length; k++) res.data[k] = x.data[idx[k]];
    return res;
  },
  slice([x], { starts }, out) {
    const res = make(out.dtype, out.shape);
    const inStrides = stridesOf(x.shape);
    const r = out.shape.length;
    let base = 0;
    for (let a = 0; a < r; a++) base += starts[a] * inStrides[a];
    const counter = new Array<number>(r).fill(0);
    let off = base;
    for (let k = 0; k < res.data.length; k++) {
      res.data[k] = x.data[off];
      for (let a = r - 1; a >= 0; a--) {
        counter[a]++;
        off += inStrides[a];
        if (counter[a] < out.shape[a]) break;
        off -= inStrides[a] * counter[a];
        counter[a] = 0;
      }
    }
    return res;
  },
  concat(inputs, { axis }, out) {
    const res = make(out.dtype, out.shape);
    const ax = axis < 0 ? axis + out.shape.length : axis;
    const outer = sizeOf(out.shape.slice(0, ax));
    const inner = sizeOf(out.shape.slice(ax + 1));
    const outRow = out.shape[ax] * inner;
    let colOffset = 0;
    for (const x of inputs) {
      const w = x.shape[ax] * inner;
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < w; j++) res.data[o * outRow + colOffset + j] = x.data[o * w + j];
      }
      colOffset += w;
    }
    return res;
  },
  gather([table, indices], _attrs, out) {
    const res = make(out.dtype, out.shape);
    const rows = table.shape[0];
    const w = sizeOf(table.shape.slice(1));
    for (let k = 0; k < indices.data.length; k++) {
      const r = indices.data[k];
      if (r < 0 || r >= rows) throw new RangeError(`gather: index ${r} out of range for a table of ${rows} rows`);
      for (let j = 0; j < w; j++) res.data[k * w + j] = table.data[r * w + j];
    }
    return res;
  },
  oneHot([indices], { depth }, out) {
    const res = make(out.dtype, out.shape);
    for (let k = 0; k < indices.data.length; k++) {
      const c = indices.data[k];
      if (c >= 0 && c < depth) res.data[k * depth + c] = 1;
    }
    return res;
  },
  cast([x], { dtype }, out) {
    const res = make(dtype, out.shape);
    if (dtype === 'int32') {
      for (let i = 0; i < x.data.length; i++) res.data[i] = Math.trunc(x.data[i]);
    } else {
      res.data.set(x.data);
    }
    return res;
  },
};

function hasNonFinite(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return true;
  return false;
}

/** Straightforward triple loop (no zero skipping) so NaN and Inf propagate exactly as IEEE says. */
function matmulSlow(a: T, b: T, transA: boolean, transB: boolean, out: { shape: Shape; dtype: DType }): T {
  const [m, n] = out.shape;
  const k = transA ? a.shape[0] : a.shape[1];
  const res = make(out.dtype, out.shape);
  const lda = a.shape[1];
  const ldb = b.shape[1];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a.data[p * lda + i] : a.data[i * lda + p];
        const bv = transB ? b.data[j * ldb + p] : b.data[p * ldb + j];
        s += av * bv;
      }
      res.data[i * n + j] = s;
    }
  }
  return res;
}
