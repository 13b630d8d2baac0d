// Comparing tensors with a tolerance. Deliberately independent of vitest: it throws a plain Error whose
// message says which case, which element, and by how much, so a failure can be read without a debugger.

import { type DType, type HostTensor, formatType } from '../ir/dtype.js';
import { stridesOf } from '../backend/reference-kernels.js';

/** `|actual - expected| <= atol + rtol * |expected|`, elementwise (numpy `allclose`). */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * Tolerances for values computed by a backend, by dtype. float64 is only that tight on a backend that
 * computes in float64 (`floatPrecision: 64`); a 32-bit backend gets float32 tolerances for everything.
 * int32 results must be exact.
 */
export const TOLERANCES: { readonly [D in DType]: Tolerance } = {
  int32: { rtol: 0, atol: 0 },
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
};

export function toleranceFor(dtype: DType, floatPrecision: 32 | 64): Tolerance {
  if (dtype === 'float64' && floatPrecision === 32) return TOLERANCES.float32;
  return TOLERANCES[dtype];
}

/** Bit for bit (NaN still equals NaN). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

function isTensor(x: HostTensor | ArrayLike<number>): x is HostTensor {
  return (x as HostTensor).data !== undefined && (x as HostTensor).shape !== undefined;
}

/** `[1, 2]` for flat index 5 of shape [2, 3]; `5` when the shape is unknown. */
function formatIndex(flat: number, shape: readonly number[] | undefined): string {
  if (shape === undefined || shape.length === 0) return String(flat);
  const strides = stridesOf(shape);
  return `[${strides.map((s, i) => Math.floor(flat / s) % shape[i]).join(', ')}]`;
}

function closeEnough(a: number, e: number, { rtol, atol }: Tolerance): boolean {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) && Number.isNaN(a);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return a === e; // +-Infinity must match exactly
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/**
 * Throw unless `actual` matches `expected` within `tol`. Given two tensors, dtype and shape must match
 * too. NaN matches only NaN, and an infinity only the same infinity. `context` (usually the case id)
 * starts the message, followed by the first mismatching element, both values and the mismatch count.
 */
export function expectClose(
  actual: HostTensor | ArrayLike<number>,
  expected: HostTensor | ArrayLike<number>,
  tol: Tolerance,
  context: string,
): void {
  let shape: readonly number[] | undefined;
  if (isTensor(actual) && isTensor(expected)) {
    const got = formatType(actual.dtype, actual.shape);
    const want = formatType(expected.dtype, expected.shape);
    if (got !== want) throw new Error(`${context}: expected a ${want} result, got ${got}`);
    shape = expected.shape;
  }
  const a = isTensor(actual) ? actual.data : actual;
  const e = isTensor(expected) ? expected.data : expected;
  if (a.length !== e.length) throw new Error(`${context}: expected ${e.length} values, got ${a.length}`);

  let first = -1;
  let count = 0;
  for (let i = 0; i < e.length; i++) {
    if (closeEnough(a[i], e[i], tol)) continue;
    if (first < 0) first = i;
    count++;
  }
  if (first < 0) return;
  const diff = Math.abs(a[first] - e[first]);
  throw new Error(
    `${context}: element ${formatIndex(first, shape)} is ${a[first]}, expected ${e[first]} ` +
      `(|diff| ${diff.toExponential(2)} > atol ${tol.atol} + rtol ${tol.rtol} * |expected|); ` +
      `${count} of ${e.length} elements differ`,
  );
}

/** The largest absolute value (the infinity norm); used to make a tolerance relative to a whole tensor. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
