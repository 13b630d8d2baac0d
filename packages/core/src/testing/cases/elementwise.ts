// Hand-written forward cases for the elementwise primitives. Expected values are worked out by hand
// (or are well-known constants written to 17 digits), NOT computed by the reference kernels, so these
// cases also catch a wrong reference kernel.

import type { AnyOpCaseSpec } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

export const elementwiseCases: AnyOpCaseSpec[] = [
  // ---- add: broadcasting in every direction
  {
    op: 'add',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
      { shape: [2, 3], values: [10, 20, 30, 40, 50, 60] },
    ],
    expected: { shape: [2, 3], values: [11, 22, 33, 44, 55, 66] },
  },
  {
    op: 'add',
    name: 'broadcast-row',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
      { shape: [3], values: [10, 20, 30] },
    ],
    expected: { shape: [2, 3], values: [11, 22, 33, 14, 25, 36] },
  },
  {
    op: 'add',
    name: 'broadcast-both',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 1], values: [1, 2] },
      { shape: [1, 3], values: [10, 20, 30] },
    ],
    expected: { shape: [2, 3], values: [11, 21, 31, 12, 22, 32] },
  },
  {
    op: 'add',
    name: 'leading-axes',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 1, 2], values: [1, 2, 3, 4] },
      { shape: [3, 2], values: [10, 20, 30, 40, 50, 60] },
    ],
    expected: { shape: [2, 3, 2], values: [11, 22, 31, 42, 51, 62, 13, 24, 33, 44, 53, 64] },
  },
  {
    op: 'add',
    name: 'scalars',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [], values: [3] },
      { shape: [], values: [-5] },
    ],
    expected: { shape: [], values: [-2] },
  },
  {
    op: 'add',
    name: 'scalar-operand',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [], values: [0.5] },
      { shape: [2, 2], values: [1, 2, 3, 4] },
    ],
    expected: { shape: [2, 2], values: [1.5, 2.5, 3.5, 4.5] },
  },
  {
    op: 'add',
    name: 'constant-operand',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [3], values: [1, 2, 3] },
      { shape: [3], values: [0.25, 0.5, 0.75], constant: true },
    ],
    expected: { shape: [3], values: [1.25, 2.5, 3.75] },
  },
  {
    // Both operands fed as views into the middle of larger buffers: the backend must honour byteOffset.
    op: 'add',
    name: 'view-operands',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [1, 2, 3, 4], view: true },
      { shape: [2], values: [10, 20], view: true },
    ],
    expected: { shape: [2, 2], values: [11, 22, 13, 24] },
  },
  {
    op: 'add',
    name: 'zero-size',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [0, 3], values: [] },
      { shape: [3], values: [1, 2, 3] },
    ],
    expected: { shape: [0, 3], values: [] },
  },
  // ---- sub, mul, div
  {
    op: 'sub',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [4], values: [5, 0, -3, 7] },
      { shape: [4], values: [2, 4, -3, -1] },
    ],
    expected: { shape: [4], values: [3, -4, 0, 8] },
  },
  {
    op: 'sub',
    name: 'broadcast-column',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
      { shape: [2, 1], values: [1, 10] },
    ],
    expected: { shape: [2, 3], values: [0, 1, 2, -6, -5, -4] },
  },
  {
    op: 'sub',
    name: 'scalar-minus-vector',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [], values: [1] },
      { shape: [3], values: [0.25, 1, 2] },
    ],
    expected: { shape: [3], values: [0.75, 0, -1] },
  },
  {
    op: 'mul',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [1, -2, 3, 0] },
      { shape: [2, 2], values: [4, 5, -6, 7] },
    ],
    expected: { shape: [2, 2], values: [4, -10, -18, 0] },
  },
  {
    op: 'mul',
    name: 'broadcast-row',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [1, 2, 3, 4] },
      { shape: [2], values: [0.5, -2] },
    ],
    expected: { shape: [2, 2], values: [0.5, -4, 1.5, -8] },
  },
  {
    op: 'mul',
    name: 'zero-size',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 0], values: [] },
      { shape: [2, 1], values: [1, 2] },
    ],
    expected: { shape: [2, 0], values: [] },
  },
  {
    op: 'div',
    name: 'same-shape',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [4], values: [1, 3, -2, 0] },
      { shape: [4], values: [4, 2, 8, 5] },
    ],
    expected: { shape: [4], values: [0.25, 1.5, -0.25, 0] },
  },
  {
    op: 'div',
    name: 'broadcast-scalar-divisor',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [1, 2, 3, 4] },
      { shape: [], values: [4] },
    ],
    expected: { shape: [2, 2], values: [0.25, 0.5, 0.75, 1] },
  },
  {
    // IEEE: x/0 is +-Infinity, 0/0 is NaN.
    op: 'div',
    name: 'by-zero',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [3], values: [1, -1, 0] },
      { shape: [3], values: [0, 0, 0] },
    ],
    expected: { shape: [3], values: [Infinity, -Infinity, NaN] },
  },
  // ---- maximum, minimum, greaterEqual
  {
    op: 'maximum',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [4], values: [1, -2, 3, -4] },
      { shape: [4], values: [0, 0, 5, -5] },
    ],
    expected: { shape: [4], values: [1, 0, 5, -4] },
  },
  {
    op: 'maximum',
    name: 'broadcast-scalar',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [-1, 2, -3, 4] },
      { shape: [], values: [0] },
    ],
    expected: { shape: [2, 2], values: [0, 2, 0, 4] },
  },
  {
    op: 'minimum',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [4], values: [1, -2, 3, -4] },
      { shape: [4], values: [0, 0, 5, -5] },
    ],
    expected: { shape: [4], values: [0, -2, 3, -5] },
  },
  {
    op: 'minimum',
    name: 'broadcast-row',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 2], values: [1, 2, 3, 4] },
      { shape: [2], values: [2.5, 1.5] },
    ],
    expected: { shape: [2, 2], values: [1, 1.5, 2.5, 1.5] },
  },
  {
    // A mask in the inputs' dtype: 1 where a >= b (ties included), else 0.
    op: 'greaterEqual',
    name: 'same-shape',
    dtypes: FI,
    attrs: {},
    inputs: [
      { shape: [4], values: [1, 2, 3, -1] },
      { shape: [4], values: [2, 2, 2, -2] },
    ],
    expected: { shape: [4], values: [0, 1, 1, 1] },
  },
  {
    op: 'greaterEqual',
    name: 'broadcast-column',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
      { shape: [2, 1], values: [2, 5] },
    ],
    expected: { shape: [2, 3], values: [0, 1, 1, 0, 1, 1] },
  },
  // ---- unary
  {
    op: 'neg',
    name: 'vector',
    dtypes: FI,
    attrs: {},
    inputs: [{ shape: [3], values: [1, -2, 0] }],
    expected: { shape: [3], values: [-1, 2, -0] },
  },
  {
    op: 'neg',
    name: 'scalar',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [], values: [2.5] }],
    expected: { shape: [], values: [-2.5] },
  },
  {
    op: 'neg',
    name: 'zero-size',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [0], values: [] }],
    expected: { shape: [0], values: [] },
  },
  {
    op: 'exp',
    name: 'vector',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [4], values: [0, 1, -1, 2] }],
    expected: { shape: [4], values: [1, 2.718281828459045, 0.36787944117144233, 7.38905609893065] },
  },
  {
    op: 'exp',
    name: 'scalar',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [], values: [0] }],
    expected: { shape: [], values: [1] },
  },
  {
    // exp overflows to +Infinity and underflows to 0 without NaN.
    op: 'exp',
    name: 'extremes',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [2], values: [1000, -1000] }],
    expected: { shape: [2], values: [Infinity, 0] },
  },
  {
    op: 'log',
    name: 'vector',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [4], values: [1, 2, 0.5, 0] }],
    expected: { shape: [4], values: [0, 0.6931471805599453, -0.6931471805599453, -Infinity] },
  },
  {
    op: 'tanh',
    name: 'vector',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [5], values: [0, 0.5, -1, 20, -20] }],
    expected: { shape: [5], values: [0, 0.46211715726000974, -0.7615941559557649, 1, -1] },
  },
  {
    op: 'tanh',
    name: 'zero-size',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [2, 0], values: [] }],
    expected: { shape: [2, 0], values: [] },
  },
  {
    op: 'sigmoid',
    name: 'vector',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [7], values: [0, 0.5, -1, 20, -20, 100, -100] }],
    expected: {
      shape: [7],
      values: [
        0.5, 0.6224593312018546, 0.2689414213699951, 0.9999999979388463, 2.0611536181902037e-9, 1.0,
        3.7200759760208356e-44,
      ],
    },
  },
  {
    op: 'sigmoid',
    name: 'zero-size',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [2, 0], values: [] }],
    expected: { shape: [2, 0], values: [] },
  },
  {
    op: 'sqrt',
    name: 'vector',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [5], values: [0, 1, 4, 2.25, 2] }],
    expected: { shape: [5], values: [0, 1, 2, 1.5, 1.4142135623730951] },
  },
  {
    op: 'stopGradient',
    name: 'identity',
    dtypes: FI,
    attrs: {},
    inputs: [{ shape: [2, 2], values: [1, -2, 3, -4] }],
    expected: { shape: [2, 2], values: [1, -2, 3, -4] },
  },
  {
    op: 'stopGradient',
    name: 'scalar',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [], values: [0.75] }],
    expected: { shape: [], values: [0.75] },
  },
];
