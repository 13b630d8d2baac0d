// Generated forward cases: bigger random operands (seeded by the case id), expected output = the
// reference kernel's result. They catch indexing bugs that tiny hand-written cases can miss.

import type { AnyOpCaseSpec } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

export const randomCases: AnyOpCaseSpec[] = [
  { op: 'add', name: 'random-broadcast', dtypes: FI, attrs: {}, inputs: [{ shape: [4, 1, 5] }, { shape: [3, 5] }] },
  { op: 'sub', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] },
  { op: 'mul', name: 'random-broadcast', dtypes: FI, attrs: {}, inputs: [{ shape: [2, 3, 4] }, { shape: [4] }] },
  { op: 'div', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4] }, { shape: [3, 1], fill: 'positive' }] },
  { op: 'maximum', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }, { shape: [1, 4] }] },
  { op: 'minimum', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] },
  { op: 'greaterEqual', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }, { shape: [4] }] },
  { op: 'neg', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }] },
  { op: 'exp', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'wide' }] },
  { op: 'log', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'positive' }] },
  { op: 'tanh', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'wide' }] },
  { op: 'sqrt', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'positive' }] },
  { op: 'stopGradient', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4] }] },
  { op: 'matmul', name: 'random', dtypes: F, attrs: { transA: false, transB: false }, inputs: [{ shape: [4, 7] }, { shape: [7, 5] }] },
  { op: 'matmul', name: 'random-transA', dtypes: F, attrs: { transA: true, transB: false }, inputs: [{ shape: [7, 4] }, { shape: [7, 5] }] },
  { op: 'matmul', name: 'random-transB', dtypes: F, attrs: { transA: false, transB: true }, inputs: [{ shape: [4, 7] }, { shape: [5, 7] }] },
  { op: 'matmul', name: 'random-transA-transB', dtypes: F, attrs: { transA: true, transB: true }, inputs: [{ shape: [7, 4] }, { shape: [5, 7] }] },
  { op: 'sum', name: 'random-outer-axes', dtypes: FI, attrs: { axes: [0, 2], keepDims: false }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'sum', name: 'random-middle-keepdims', dtypes: F, attrs: { axes: [1], keepDims: true }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'max', name: 'random-last-axis', dtypes: FI, attrs: { axes: [-1], keepDims: false }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'max', name: 'random-first-axes-keepdims', dtypes: F, attrs: { axes: [0, 1], keepDims: true }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'reshape', name: 'random', dtypes: F, attrs: { shape: [5, 12] }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'transpose', name: 'random', dtypes: FI, attrs: { perm: [2, 0, 1] }, inputs: [{ shape: [2, 3, 4] }] },
  { op: 'transpose', name: 'random-4d', dtypes: F, attrs: { perm: [3, 1, 0, 2] }, inputs: [{ shape: [2, 3, 4, 2] }] },
  { op: 'broadcast', name: 'random', dtypes: F, attrs: { shape: [2, 3, 5, 4] }, inputs: [{ shape: [3, 1, 4] }] },
  { op: 'slice', name: 'random', dtypes: FI, attrs: { starts: [1, 0, 2], ends: [3, 5, 5] }, inputs: [{ shape: [4, 5, 6] }] },
  {
    op: 'concat', name: 'random', dtypes: FI, attrs: { axis: 1 },
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 1, 4] }, { shape: [2, 2, 4] }],
  },
  { op: 'gather', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [6, 3] }, { dtype: 'int32', shape: [2, 4], fill: { int: [0, 6] } }] },
  {
    op: 'oneHot', name: 'random', dtypes: F, attrs: (dtype) => ({ depth: 6, dtype }),
    inputs: [{ dtype: 'int32', shape: [2, 5], fill: { int: [-1, 7] } }],
  },
  { op: 'cast', name: 'random-to-int32', dtypes: F, attrs: { dtype: 'int32' }, inputs: [{ shape: [3, 4], fill: 'wide' }] },
];
