// Generated forward cases: bigger random operands (seeded by the case id), expected output = the
// reference kernel's result. They catch indexing bugs that tiny hand-written cases can miss. After the
// list of single cases come three grids: every binary op in every way broadcasting lines up two
// operands, every unary op on a scalar and on a 3-d operand, and both reductions over every kind of
// axis list.

import type { Shape } from '../../ir/dtype.js';
import type { BinaryPrimitive, UnaryPrimitive } from '../../ir/primitives.js';
import type { AnyOpCaseSpec, Fill } from './types.js';

const F = ['float32', 'float64'] as const;
const FI = ['float32', 'float64', 'int32'] as const;

/** Operand shapes of a binary op, for each way broadcasting can line them up. */
const BROADCASTS: { readonly [name: string]: readonly [Shape, Shape] } = {
  'same-shape': [
    [3, 4],
    [3, 4],
  ],
  'stretch-both': [
    [3, 1],
    [1, 4],
  ],
  'vector-last': [[2, 3, 4], [4]],
  'vector-first': [[4], [2, 3, 4]],
  'scalar-first': [[], [3, 4]],
  'scalar-second': [[3, 4], []],
  scalars: [[], []],
  'stretch-and-grow': [
    [2, 1, 4],
    [3, 1],
  ],
};

/**
 * `op/<op>/random-<broadcast>` for every entry of BROADCASTS but those in `except` (a single case in
 * `randomCases` already has exactly those operands).
 */
function broadcastGrid(
  op: BinaryPrimitive,
  dtypes: typeof F | typeof FI,
  fill: { readonly first?: Fill; readonly second?: Fill } = {},
  except: readonly string[] = [],
): AnyOpCaseSpec[] {
  return Object.entries(BROADCASTS)
    .filter(([name]) => !except.includes(name))
    .map(([name, [a, b]]) => ({
      op,
      name: `random-${name}`,
      dtypes,
      attrs: {},
      inputs: [
        { shape: a, fill: fill.first },
        { shape: b, fill: fill.second },
      ],
    }));
}

/** `op/<op>/random-scalar` and `op/<op>/random-3d`: the single random cases in `randomCases` are all [3, 4]. */
function unaryGrid(op: UnaryPrimitive, dtypes: typeof F | typeof FI, fill?: Fill): AnyOpCaseSpec[] {
  return [
    { op, name: 'random-scalar', dtypes, attrs: {}, inputs: [{ shape: [], fill }] },
    { op, name: 'random-3d', dtypes, attrs: {}, inputs: [{ shape: [2, 3, 5], fill }] },
  ];
}

/** Axis lists for a [2, 3, 4] operand: none, one, two or all axes, a negative axis, with and without keepDims. */
const REDUCTIONS: readonly (readonly [name: string, axes: number[], keepDims: boolean])[] = [
  ['no-axes', [], false],
  ['no-axes-keepdims', [], true],
  ['axis0', [0], false],
  ['axis1-keepdims', [1], true],
  ['axis2', [2], false],
  ['axes02', [0, 2], false],
  ['axes02-keepdims', [0, 2], true],
  ['all', [0, 1, 2], false],
  ['all-keepdims', [0, 1, 2], true],
  ['negative-axis', [-1], false],
];

/** `op/<op>/random-<axes>` for every entry of REDUCTIONS, and `op/<op>/random-scalar` (a scalar, no axes). */
function reductionGrid(op: 'sum' | 'max'): AnyOpCaseSpec[] {
  return [
    ...REDUCTIONS.map(([name, axes, keepDims]): AnyOpCaseSpec => ({
      op,
      name: `random-${name}`,
      dtypes: FI,
      attrs: { axes, keepDims },
      inputs: [{ shape: [2, 3, 4] }],
    })),
    { op, name: 'random-scalar', dtypes: FI, attrs: { axes: [], keepDims: false }, inputs: [{ shape: [] }] },
  ];
}

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
  { op: 'sigmoid', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'wide' }] },
  { op: 'sqrt', name: 'random', dtypes: F, attrs: {}, inputs: [{ shape: [3, 4], fill: 'positive' }] },
  { op: 'stopGradient', name: 'random', dtypes: FI, attrs: {}, inputs: [{ shape: [3, 4] }] },
  {
    op: 'matmul',
    name: 'random',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [{ shape: [4, 7] }, { shape: [7, 5] }],
  },
  {
    op: 'matmul',
    name: 'random-transA',
    dtypes: F,
    attrs: { transA: true, transB: false },
    inputs: [{ shape: [7, 4] }, { shape: [7, 5] }],
  },
  {
    op: 'matmul',
    name: 'random-transB',
    dtypes: F,
    attrs: { transA: false, transB: true },
    inputs: [{ shape: [4, 7] }, { shape: [5, 7] }],
  },
  {
    op: 'matmul',
    name: 'random-transA-transB',
    dtypes: F,
    attrs: { transA: true, transB: true },
    inputs: [{ shape: [7, 4] }, { shape: [5, 7] }],
  },
  {
    op: 'sum',
    name: 'random-outer-axes',
    dtypes: FI,
    attrs: { axes: [0, 2], keepDims: false },
    inputs: [{ shape: [3, 4, 5] }],
  },
  {
    op: 'sum',
    name: 'random-middle-keepdims',
    dtypes: F,
    attrs: { axes: [1], keepDims: true },
    inputs: [{ shape: [3, 4, 5] }],
  },
  {
    op: 'max',
    name: 'random-last-axis',
    dtypes: FI,
    attrs: { axes: [-1], keepDims: false },
    inputs: [{ shape: [3, 4, 5] }],
  },
  {
    op: 'max',
    name: 'random-first-axes-keepdims',
    dtypes: F,
    attrs: { axes: [0, 1], keepDims: true },
    inputs: [{ shape: [3, 4, 5] }],
  },
  { op: 'reshape', name: 'random', dtypes: FI, attrs: { shape: [5, 12] }, inputs: [{ shape: [3, 4, 5] }] },
  { op: 'transpose', name: 'random', dtypes: FI, attrs: { perm: [2, 0, 1] }, inputs: [{ shape: [2, 3, 4] }] },
  { op: 'transpose', name: 'random-4d', dtypes: F, attrs: { perm: [3, 1, 0, 2] }, inputs: [{ shape: [2, 3, 4, 2] }] },
  { op: 'broadcast', name: 'random', dtypes: F, attrs: { shape: [2, 3, 5, 4] }, inputs: [{ shape: [3, 1, 4] }] },
  {
    op: 'broadcast',
    name: 'random-stretch-outer',
    dtypes: FI,
    attrs: { shape: [2, 3, 4] },
    inputs: [{ shape: [1, 3, 1] }],
  },
  {
    op: 'slice',
    name: 'random',
    dtypes: FI,
    attrs: { starts: [1, 0, 2], ends: [3, 5, 5] },
    inputs: [{ shape: [4, 5, 6] }],
  },
  {
    op: 'slice',
    name: 'random-every-axis',
    dtypes: FI,
    attrs: { starts: [1, 0, 2], ends: [3, 3, 5] },
    inputs: [{ shape: [3, 4, 5] }],
  },
  {
    op: 'slice',
    name: 'random-rows-3d',
    dtypes: FI,
    attrs: { starts: [1, 0, 0], ends: [3, 2, 3] },
    inputs: [{ shape: [5, 2, 3] }],
  },
  {
    op: 'concat',
    name: 'random',
    dtypes: FI,
    attrs: { axis: 1 },
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 1, 4] }, { shape: [2, 2, 4] }],
  },
  {
    op: 'gather',
    name: 'random',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [6, 3] }, { dtype: 'int32', shape: [2, 4], fill: { int: [0, 6] } }],
  },
  {
    op: 'oneHot',
    name: 'random',
    dtypes: FI,
    attrs: (dtype) => ({ depth: 6, dtype }),
    inputs: [{ dtype: 'int32', shape: [2, 5], fill: { int: [-1, 7] } }],
  },
  {
    op: 'cast',
    name: 'random-to-int32',
    dtypes: F,
    attrs: { dtype: 'int32' },
    inputs: [{ shape: [3, 4], fill: 'wide' }],
  },
  ...broadcastGrid('add', FI),
  ...broadcastGrid('sub', FI, {}, ['same-shape']),
  ...broadcastGrid('mul', FI, {}, ['vector-last']),
  ...broadcastGrid('div', F, { second: 'positive' }),
  ...broadcastGrid('maximum', FI),
  ...broadcastGrid('minimum', FI, {}, ['same-shape']),
  // Small integers, so that many pairs tie (1 where a >= b must include a == b).
  ...broadcastGrid('greaterEqual', FI, { first: { int: [-3, 3] }, second: { int: [-3, 3] } }),
  ...unaryGrid('neg', FI),
  ...unaryGrid('exp', F, 'wide'),
  ...unaryGrid('log', F, 'positive'),
  ...unaryGrid('tanh', F, 'wide'),
  ...unaryGrid('sigmoid', F, 'wide'),
  ...unaryGrid('sqrt', F, 'positive'),
  ...unaryGrid('stopGradient', FI),
  ...reductionGrid('sum'),
  ...reductionGrid('max'),
];
