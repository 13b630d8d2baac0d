// Hand-written forward cases for matmul and the reductions.

import type { AnyOpCaseSpec } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

// A = [[1, 2, 3], [4, 5, 6]] and B = [[7, 8], [9, 10], [11, 12]]; A @ B = [[58, 64], [139, 154]].
// Each transpose combination stores an operand transposed and sets the flag, so the product is the same.
const A = [1, 2, 3, 4, 5, 6];
const A_T = [1, 4, 2, 5, 3, 6];
const B = [7, 8, 9, 10, 11, 12];
const B_T = [7, 9, 11, 8, 10, 12];
const AB = { shape: [2, 2], values: [58, 64, 139, 154] };

// X = [[1, 2, 3], [4, 5, 6]] for sum; M = [[1, 5, 3], [4, 2, 6]] for max.
const X = { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] };
const M = { shape: [2, 3], values: [1, 5, 3, 4, 2, 6] };
// C[i][j][k] = 1 + 4i + 2j + k, shape [2, 2, 2]
const C = { shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] };

export const matmulReduceCases: AnyOpCaseSpec[] = [
  {
    op: 'matmul',
    name: 'plain',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [
      { shape: [2, 3], values: A },
      { shape: [3, 2], values: B },
    ],
    expected: AB,
  },
  {
    op: 'matmul',
    name: 'transA',
    dtypes: F,
    attrs: { transA: true, transB: false },
    inputs: [
      { shape: [3, 2], values: A_T },
      { shape: [3, 2], values: B },
    ],
    expected: AB,
  },
  {
    op: 'matmul',
    name: 'transB',
    dtypes: F,
    attrs: { transA: false, transB: true },
    inputs: [
      { shape: [2, 3], values: A },
      { shape: [2, 3], values: B_T },
    ],
    expected: AB,
  },
  {
    op: 'matmul',
    name: 'transA-transB',
    dtypes: F,
    attrs: { transA: true, transB: true },
    inputs: [
      { shape: [3, 2], values: A_T },
      { shape: [2, 3], values: B_T },
    ],
    expected: AB,
  },
  {
    op: 'matmul',
    name: 'view-operands',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [
      { shape: [2, 3], values: A, view: true },
      { shape: [3, 2], values: B, view: true },
    ],
    expected: AB,
  },
  {
    op: 'matmul',
    name: 'row-times-column',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [
      { shape: [1, 3], values: [1, 2, 3] },
      { shape: [3, 1], values: [0.5, -1, 2] },
    ],
    expected: { shape: [1, 1], values: [4.5] },
  },
  {
    // An empty inner dimension: a sum of nothing is 0.
    op: 'matmul',
    name: 'zero-inner',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [
      { shape: [2, 0], values: [] },
      { shape: [0, 3], values: [] },
    ],
    expected: { shape: [2, 3], values: [0, 0, 0, 0, 0, 0] },
  },
  {
    op: 'matmul',
    name: 'zero-rows',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [
      { shape: [0, 3], values: [] },
      { shape: [3, 2], values: B },
    ],
    expected: { shape: [0, 2], values: [] },
  },
  // ---- sum
  {
    op: 'sum',
    name: 'all',
    dtypes: FI,
    attrs: { axes: [0, 1], keepDims: false },
    inputs: [X],
    expected: { shape: [], values: [21] },
  },
  {
    op: 'sum',
    name: 'all-keepdims',
    dtypes: F,
    attrs: { axes: [0, 1], keepDims: true },
    inputs: [X],
    expected: { shape: [1, 1], values: [21] },
  },
  {
    op: 'sum',
    name: 'axis0',
    dtypes: FI,
    attrs: { axes: [0], keepDims: false },
    inputs: [X],
    expected: { shape: [3], values: [5, 7, 9] },
  },
  {
    op: 'sum',
    name: 'axis1-keepdims',
    dtypes: F,
    attrs: { axes: [1], keepDims: true },
    inputs: [X],
    expected: { shape: [2, 1], values: [6, 15] },
  },
  {
    op: 'sum',
    name: 'negative-axis',
    dtypes: F,
    attrs: { axes: [-1], keepDims: false },
    inputs: [X],
    expected: { shape: [2], values: [6, 15] },
  },
  {
    op: 'sum',
    name: 'middle-axis',
    dtypes: F,
    attrs: { axes: [1], keepDims: false },
    inputs: [C],
    expected: { shape: [2, 2], values: [4, 6, 12, 14] },
  },
  {
    op: 'sum',
    name: 'outer-axes-keepdims',
    dtypes: F,
    attrs: { axes: [0, 2], keepDims: true },
    inputs: [C],
    expected: { shape: [1, 2, 1], values: [14, 22] },
  },
  { op: 'sum', name: 'no-axes', dtypes: F, attrs: { axes: [], keepDims: false }, inputs: [X], expected: X },
  {
    op: 'sum',
    name: 'scalar',
    dtypes: F,
    attrs: { axes: [], keepDims: false },
    inputs: [{ shape: [], values: [2.5] }],
    expected: { shape: [], values: [2.5] },
  },
  {
    // Summing an empty axis gives zeros; summing along a non-empty axis of an empty tensor gives an empty one.
    op: 'sum',
    name: 'zero-size-axis',
    dtypes: F,
    attrs: { axes: [0], keepDims: false },
    inputs: [{ shape: [0, 3], values: [] }],
    expected: { shape: [3], values: [0, 0, 0] },
  },
  {
    op: 'sum',
    name: 'zero-size-other-axis',
    dtypes: F,
    attrs: { axes: [1], keepDims: false },
    inputs: [{ shape: [0, 3], values: [] }],
    expected: { shape: [0], values: [] },
  },
  // ---- max
  {
    op: 'max',
    name: 'all',
    dtypes: FI,
    attrs: { axes: [0, 1], keepDims: false },
    inputs: [M],
    expected: { shape: [], values: [6] },
  },
  {
    op: 'max',
    name: 'axis0',
    dtypes: FI,
    attrs: { axes: [0], keepDims: false },
    inputs: [M],
    expected: { shape: [3], values: [4, 5, 6] },
  },
  {
    op: 'max',
    name: 'axis1-keepdims',
    dtypes: F,
    attrs: { axes: [1], keepDims: true },
    inputs: [M],
    expected: { shape: [2, 1], values: [5, 6] },
  },
  {
    op: 'max',
    name: 'negative-axis',
    dtypes: F,
    attrs: { axes: [-1], keepDims: false },
    inputs: [M],
    expected: { shape: [2], values: [5, 6] },
  },
  {
    op: 'max',
    name: 'middle-axis',
    dtypes: F,
    attrs: { axes: [1], keepDims: false },
    inputs: [C],
    expected: { shape: [2, 2], values: [3, 4, 7, 8] },
  },
  {
    // All negative: the running maximum must start at -Infinity, not 0.
    op: 'max',
    name: 'all-negative',
    dtypes: FI,
    attrs: { axes: [0], keepDims: false },
    inputs: [{ shape: [3], values: [-3, -1, -2] }],
    expected: { shape: [], values: [-1] },
  },
  {
    op: 'max',
    name: 'scalar',
    dtypes: F,
    attrs: { axes: [], keepDims: false },
    inputs: [{ shape: [], values: [-2.5] }],
    expected: { shape: [], values: [-2.5] },
  },
  {
    op: 'max',
    name: 'zero-size-other-axis',
    dtypes: F,
    attrs: { axes: [1], keepDims: false },
    inputs: [{ shape: [0, 3], values: [] }],
    expected: { shape: [0], values: [] },
  },
];
