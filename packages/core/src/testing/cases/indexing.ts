// Hand-written forward cases for gather, oneHot and cast: the ops where int32 meets float.

import type { AnyOpCaseSpec } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

// The table [[1, 2], [3, 4], [5, 6]]: row r is [2r + 1, 2r + 2].
const TABLE = { shape: [3, 2], values: [1, 2, 3, 4, 5, 6] };
const ids = (shape: number[], values: number[]) => ({ dtype: 'int32' as const, shape, values });

export const indexingCases: AnyOpCaseSpec[] = [
  // ---- gather: rows of a table (an embedding lookup); indices are int32, the table any dtype
  {
    op: 'gather',
    name: 'rows',
    dtypes: FI,
    attrs: {},
    inputs: [TABLE, ids([4], [2, 0, 2, 1])],
    expected: { shape: [4, 2], values: [5, 6, 1, 2, 5, 6, 3, 4] },
  },
  {
    op: 'gather',
    name: '2d-indices',
    dtypes: FI,
    attrs: {},
    inputs: [TABLE, ids([2, 2], [0, 1, 2, 2])],
    expected: { shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 5, 6] },
  },
  {
    op: 'gather',
    name: 'scalar-index',
    dtypes: FI,
    attrs: {},
    inputs: [TABLE, ids([], [1])],
    expected: { shape: [2], values: [3, 4] },
  },
  {
    op: 'gather',
    name: 'vector-table',
    dtypes: FI,
    attrs: {},
    inputs: [{ shape: [4], values: [10, 20, 30, 40] }, ids([2], [3, 0])],
    expected: { shape: [2], values: [40, 10] },
  },
  {
    // The table and the indices fed as views into the middle of larger buffers.
    op: 'gather',
    name: 'view-operands',
    dtypes: FI,
    attrs: {},
    inputs: [
      { ...TABLE, view: true },
      { ...ids([3], [2, 0, 1]), view: true },
    ],
    expected: { shape: [3, 2], values: [5, 6, 1, 2, 3, 4] },
  },
  {
    op: 'gather',
    name: 'no-indices',
    dtypes: F,
    attrs: {},
    inputs: [TABLE, ids([0], [])],
    expected: { shape: [0, 2], values: [] },
  },
  // ---- oneHot: out[i, k] = indices[i] == k; the output dtype is an attr (here the case dtype)
  {
    op: 'oneHot',
    name: 'vector',
    dtypes: FI,
    attrs: (dtype) => ({ depth: 3, dtype }),
    inputs: [ids([3], [0, 2, 1])],
    expected: { shape: [3, 3], values: [1, 0, 0, 0, 0, 1, 0, 1, 0] },
  },
  {
    // An index outside [0, depth) gives a row of zeros, as in tf.oneHot. NB: ONNX OneHot counts a negative
    // index from the back (-1 is depth - 1), so an ONNX lowering has to mask negative indices itself.
    op: 'oneHot',
    name: 'out-of-range',
    dtypes: FI,
    attrs: (dtype) => ({ depth: 3, dtype }),
    inputs: [ids([3], [-1, 3, 1])],
    expected: { shape: [3, 3], values: [0, 0, 0, 0, 0, 0, 0, 1, 0] },
  },
  {
    op: 'oneHot',
    name: '2d-indices',
    dtypes: F,
    attrs: (dtype) => ({ depth: 2, dtype }),
    inputs: [ids([2, 2], [1, 0, 0, 1])],
    expected: { shape: [2, 2, 2], values: [0, 1, 1, 0, 1, 0, 0, 1] },
  },
  {
    op: 'oneHot',
    name: 'scalar-index',
    dtypes: FI,
    attrs: (dtype) => ({ depth: 4, dtype }),
    inputs: [ids([], [2])],
    expected: { shape: [4], values: [0, 0, 1, 0] },
  },
  {
    // Depth 1: a single column, 1 where the index is 0 (tf.oneHot itself refuses depth 1).
    op: 'oneHot',
    name: 'depth-1',
    dtypes: FI,
    attrs: (dtype) => ({ depth: 1, dtype }),
    inputs: [ids([4], [-1, 0, 1, 0])],
    expected: { shape: [4, 1], values: [0, 1, 0, 1] },
  },
  {
    op: 'oneHot',
    name: 'no-indices',
    dtypes: F,
    attrs: (dtype) => ({ depth: 3, dtype }),
    inputs: [ids([0], [])],
    expected: { shape: [0, 3], values: [] },
  },
  // ---- cast
  {
    // float -> int32 truncates toward zero (C, numpy astype, tf.cast); -0.5 becomes 0.
    op: 'cast',
    name: 'float-to-int32',
    dtypes: F,
    attrs: { dtype: 'int32' },
    inputs: [{ shape: [6], values: [1.7, -1.7, 0.5, -0.5, 3, -2.75] }],
    expected: { dtype: 'int32', shape: [6], values: [1, -1, 0, 0, 3, -2] },
  },
  {
    op: 'cast',
    name: 'int32-to-float',
    dtypes: F,
    attrs: (dtype) => ({ dtype }),
    inputs: [ids([4], [1, -2, 0, 100000])],
    expected: { shape: [4], values: [1, -2, 0, 100000] },
  },
  {
    op: 'cast',
    name: 'same-dtype',
    dtypes: FI,
    attrs: (dtype) => ({ dtype }),
    inputs: [{ shape: [3], values: [1, -2, 3] }],
    expected: { shape: [3], values: [1, -2, 3] },
  },
  {
    // Widening is exact: float32(0.1) is 0.100000001490116119384765625.
    op: 'cast',
    name: 'float32-to-float64',
    dtypes: ['float64'],
    attrs: { dtype: 'float64' },
    inputs: [{ dtype: 'float32', shape: [2], values: [0.1, -2.5] }],
    expected: { shape: [2], values: [0.10000000149011612, -2.5] },
  },
  {
    op: 'cast',
    name: 'float64-to-float32',
    dtypes: ['float64'],
    attrs: { dtype: 'float32' },
    inputs: [{ shape: [2], values: [0.1, -2.5] }],
    expected: { dtype: 'float32', shape: [2], values: [0.10000000149011612, -2.5] },
  },
  {
    op: 'cast',
    name: 'zero-size',
    dtypes: F,
    attrs: { dtype: 'int32' },
    inputs: [{ shape: [0, 2], values: [] }],
    expected: { dtype: 'int32', shape: [0, 2], values: [] },
  },
];
