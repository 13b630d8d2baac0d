// Hand-written forward cases for the ops that only move data: reshape, transpose, broadcast, slice, concat.

import type { AnyOpCaseSpec } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

// X = [[1, 2, 3], [4, 5, 6]]; G = the 3x4 grid [[1..4], [5..8], [9..12]]; C[i][j][k] = 1 + 4i + 2j + k.
const X = { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] };
const G = { shape: [3, 4], values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] };
const C = { shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] };

export const shapeOpCases: AnyOpCaseSpec[] = [
  // ---- reshape: row-major order is kept
  {
    op: 'reshape',
    name: 'matrix',
    dtypes: FI,
    attrs: { shape: [3, 2] },
    inputs: [X],
    expected: { shape: [3, 2], values: X.values },
  },
  {
    op: 'reshape',
    name: 'flatten',
    dtypes: FI,
    attrs: { shape: [6] },
    inputs: [X],
    expected: { shape: [6], values: X.values },
  },
  {
    op: 'reshape',
    name: 'scalar-to-1x1',
    dtypes: FI,
    attrs: { shape: [1, 1] },
    inputs: [{ shape: [], values: [7] }],
    expected: { shape: [1, 1], values: [7] },
  },
  {
    op: 'reshape',
    name: '1x1-to-scalar',
    dtypes: FI,
    attrs: { shape: [] },
    inputs: [{ shape: [1, 1], values: [7] }],
    expected: { shape: [], values: [7] },
  },
  { op: 'reshape', name: 'same-shape', dtypes: FI, attrs: { shape: [2, 3] }, inputs: [X], expected: X },
  {
    op: 'reshape',
    name: 'zero-size',
    dtypes: F,
    attrs: { shape: [3, 0] },
    inputs: [{ shape: [0, 3], values: [] }],
    expected: { shape: [3, 0], values: [] },
  },
  // ---- transpose
  {
    op: 'transpose',
    name: 'matrix',
    dtypes: FI,
    attrs: { perm: [1, 0] },
    inputs: [X],
    expected: { shape: [3, 2], values: [1, 4, 2, 5, 3, 6] },
  },
  {
    // out[i][k][j] = C[i][j][k]
    op: 'transpose',
    name: 'swap-last-two',
    dtypes: F,
    attrs: { perm: [0, 2, 1] },
    inputs: [C],
    expected: { shape: [2, 2, 2], values: [1, 3, 2, 4, 5, 7, 6, 8] },
  },
  {
    // out[k][i][j] = x[i][j][k] for x of shape [2, 1, 3]
    op: 'transpose',
    name: 'rotate-axes',
    dtypes: FI,
    attrs: { perm: [2, 0, 1] },
    inputs: [{ shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6] }],
    expected: { shape: [3, 2, 1], values: [1, 4, 2, 5, 3, 6] },
  },
  { op: 'transpose', name: 'identity', dtypes: FI, attrs: { perm: [0, 1] }, inputs: [X], expected: X },
  {
    op: 'transpose',
    name: 'scalar',
    dtypes: F,
    attrs: { perm: [] },
    inputs: [{ shape: [], values: [3] }],
    expected: { shape: [], values: [3] },
  },
  {
    op: 'transpose',
    name: 'zero-size',
    dtypes: F,
    attrs: { perm: [1, 0] },
    inputs: [{ shape: [0, 2], values: [] }],
    expected: { shape: [2, 0], values: [] },
  },
  // ---- broadcast
  {
    op: 'broadcast',
    name: 'leading-axis',
    dtypes: FI,
    attrs: { shape: [2, 3] },
    inputs: [{ shape: [3], values: [1, 2, 3] }],
    expected: { shape: [2, 3], values: [1, 2, 3, 1, 2, 3] },
  },
  {
    op: 'broadcast',
    name: 'stretch-column',
    dtypes: FI,
    attrs: { shape: [2, 3] },
    inputs: [{ shape: [2, 1], values: [1, 2] }],
    expected: { shape: [2, 3], values: [1, 1, 1, 2, 2, 2] },
  },
  {
    op: 'broadcast',
    name: 'leading-and-stretch',
    dtypes: F,
    attrs: { shape: [2, 2, 3] },
    inputs: [{ shape: [2, 1], values: [1, 2] }],
    expected: { shape: [2, 2, 3], values: [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2] },
  },
  {
    op: 'broadcast',
    name: 'scalar',
    dtypes: FI,
    attrs: { shape: [2, 2] },
    inputs: [{ shape: [], values: [5] }],
    expected: { shape: [2, 2], values: [5, 5, 5, 5] },
  },
  { op: 'broadcast', name: 'same-shape', dtypes: F, attrs: { shape: [2, 3] }, inputs: [X], expected: X },
  {
    op: 'broadcast',
    name: 'zero-size',
    dtypes: F,
    attrs: { shape: [0, 3] },
    inputs: [{ shape: [3], values: [1, 2, 3] }],
    expected: { shape: [0, 3], values: [] },
  },
  // ---- slice: x[starts[0]:ends[0], starts[1]:ends[1]]
  {
    op: 'slice',
    name: 'rows',
    dtypes: FI,
    attrs: { starts: [1, 0], ends: [3, 4] },
    inputs: [G],
    expected: { shape: [2, 4], values: [5, 6, 7, 8, 9, 10, 11, 12] },
  },
  {
    op: 'slice',
    name: 'inner-block',
    dtypes: FI,
    attrs: { starts: [0, 1], ends: [2, 3] },
    inputs: [G],
    expected: { shape: [2, 2], values: [2, 3, 6, 7] },
  },
  {
    op: 'slice',
    name: 'last-column',
    dtypes: FI,
    attrs: { starts: [0, 3], ends: [3, 4] },
    inputs: [G],
    expected: { shape: [3, 1], values: [4, 8, 12] },
  },
  {
    op: 'slice',
    name: 'vector',
    dtypes: F,
    attrs: { starts: [1], ends: [4] },
    inputs: [{ shape: [5], values: [10, 11, 12, 13, 14] }],
    expected: { shape: [3], values: [11, 12, 13] },
  },
  {
    // out[i][0][k] = C[i][1][k]
    op: 'slice',
    name: 'middle-axis',
    dtypes: F,
    attrs: { starts: [0, 1, 0], ends: [2, 2, 2] },
    inputs: [C],
    expected: { shape: [2, 1, 2], values: [3, 4, 7, 8] },
  },
  {
    op: 'slice',
    name: 'empty-range',
    dtypes: FI,
    attrs: { starts: [1, 2], ends: [1, 4] },
    inputs: [G],
    expected: { shape: [0, 2], values: [] },
  },
  { op: 'slice', name: 'whole', dtypes: FI, attrs: { starts: [0, 0], ends: [3, 4] }, inputs: [G], expected: G },
  {
    op: 'slice',
    name: 'scalar',
    dtypes: F,
    attrs: { starts: [], ends: [] },
    inputs: [{ shape: [], values: [9] }],
    expected: { shape: [], values: [9] },
  },
  // ---- concat
  {
    op: 'concat',
    name: 'axis0',
    dtypes: FI,
    attrs: { axis: 0 },
    inputs: [
      { shape: [1, 2], values: [1, 2] },
      { shape: [2, 2], values: [3, 4, 5, 6] },
    ],
    expected: { shape: [3, 2], values: [1, 2, 3, 4, 5, 6] },
  },
  {
    op: 'concat',
    name: 'axis1',
    dtypes: FI,
    attrs: { axis: 1 },
    inputs: [
      { shape: [2, 1], values: [1, 2] },
      { shape: [2, 2], values: [3, 4, 5, 6] },
    ],
    expected: { shape: [2, 3], values: [1, 3, 4, 2, 5, 6] },
  },
  {
    op: 'concat',
    name: 'negative-axis',
    dtypes: FI,
    attrs: { axis: -1 },
    inputs: [
      { shape: [2, 1], values: [1, 2] },
      { shape: [2, 2], values: [3, 4, 5, 6] },
    ],
    expected: { shape: [2, 3], values: [1, 3, 4, 2, 5, 6] },
  },
  {
    // Four inputs, one of them empty along the axis.
    op: 'concat',
    name: 'many-inputs',
    dtypes: FI,
    attrs: { axis: 1 },
    inputs: [
      { shape: [2, 1], values: [1, 2] },
      { shape: [2, 2], values: [3, 4, 5, 6] },
      { shape: [2, 0], values: [] },
      { shape: [2, 1], values: [7, 8] },
    ],
    expected: { shape: [2, 4], values: [1, 3, 4, 7, 2, 5, 6, 8] },
  },
  {
    op: 'concat',
    name: '3d-axis0',
    dtypes: F,
    attrs: { axis: 0 },
    inputs: [
      { shape: [1, 2, 2], values: [1, 2, 3, 4] },
      { shape: [1, 2, 2], values: [5, 6, 7, 8] },
    ],
    expected: { shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, 8] },
  },
  {
    op: 'concat',
    name: '3d-axis1',
    dtypes: F,
    attrs: { axis: 1 },
    inputs: [
      { shape: [2, 1, 2], values: [1, 2, 3, 4] },
      { shape: [2, 2, 2], values: [5, 6, 7, 8, 9, 10, 11, 12] },
    ],
    expected: { shape: [2, 3, 2], values: [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12] },
  },
  {
    op: 'concat',
    name: '3d-axis2',
    dtypes: F,
    attrs: { axis: 2 },
    inputs: [
      { shape: [2, 1, 1], values: [1, 2] },
      { shape: [2, 1, 2], values: [3, 4, 5, 6] },
    ],
    expected: { shape: [2, 1, 3], values: [1, 3, 4, 2, 5, 6] },
  },
  {
    op: 'concat',
    name: 'single-input',
    dtypes: FI,
    attrs: { axis: 0 },
    inputs: [{ shape: [2], values: [1, 2] }],
    expected: { shape: [2], values: [1, 2] },
  },
];
