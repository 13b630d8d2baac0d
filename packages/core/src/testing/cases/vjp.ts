// VJP cases: for each differentiable primitive, operands on which to check its gradient. The suite builds
// `loss = sum(op(inputs) * R)` with a fixed random cotangent R, so the gradient of each input is exactly
// the op's VJP applied to R. Random data avoids the kinks: ties for maximum/minimum/max (`lattice`,
// `distinct` fills) and the edges of log/sqrt/div's domain (`positive`).

import { type DType, type FloatDType, type HostTensor, isFloat } from '../../ir/dtype.js';
import type { AttrsOf, PrimitiveName } from '../../ir/primitives.js';
import { rngFor } from '../prng.js';
import { type AttrsSpec, type TensorSpec, attrsFor, materialize, outputType } from './types.js';

/**
 * Primitives without a gradient, each with the reason. Every other primitive must have a VJP case
 * (the exhaustiveness test checks both lists).
 */
export const NON_DIFFERENTIABLE: { readonly [P in PrimitiveName]?: string } = {
  greaterEqual: 'a 0/1 mask: piecewise constant, so its gradient is zero wherever it exists',
  stopGradient: 'the identity whose gradient is zero by definition (it marks shifts such as the softmax maximum)',
  oneHot: 'its only input is int32 indices',
};

export interface VjpCaseSpec<P extends PrimitiveName> {
  readonly op: P;
  readonly name: string;
  readonly dtypes: readonly FloatDType[];
  readonly attrs: AttrsSpec<P>;
  /** Float operands are differentiated; int32 operands (indices) are fed as they are. */
  readonly inputs: readonly TensorSpec[];
  /** A non-differentiable op: check that the gradient is exactly zero instead of finite differences. */
  readonly zeroGradient?: boolean;
}
type AnyVjpCaseSpec = { [P in PrimitiveName]: VjpCaseSpec<P> }[PrimitiveName];

export interface VjpCase {
  readonly id: string;
  readonly op: PrimitiveName;
  readonly dtype: FloatDType;
  readonly attrs: AttrsOf<PrimitiveName>;
  readonly inputs: readonly HostTensor[];
  /** R, the output's cotangent. */
  readonly cotangent: HostTensor;
  /** The random direction v for each input; null for int32 inputs (not differentiated). */
  readonly directions: readonly (HostTensor | null)[];
  /** Every float value in the graph is float64, so a finite-difference check is accurate enough. */
  readonly finiteDifferences: boolean;
  readonly zeroGradient: boolean;
}

const F = ['float32', 'float64'] as const;
const ids = (shape: number[], values: number[]) => ({ dtype: 'int32' as const, shape, values });

export const vjpCaseSpecs: AnyVjpCaseSpec[] = [
  { op: 'add', name: 'broadcast-row', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }, { shape: [3] }] },
  { op: 'add', name: 'scalar-operand', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }, { shape: [] }] },
  { op: 'sub', name: 'broadcast-column', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }, { shape: [2, 1] }] },
  { op: 'mul', name: 'same-shape', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }, { shape: [2, 3] }] },
  { op: 'mul', name: 'broadcast-both', dtypes: F, attrs: {}, inputs: [{ shape: [2, 1] }, { shape: [1, 3] }] },
  {
    op: 'div',
    name: 'same-shape',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [2, 3] }, { shape: [2, 3], fill: 'positive' }],
  },
  {
    op: 'div',
    name: 'broadcast-divisor',
    dtypes: F,
    attrs: {},
    inputs: [{ shape: [2, 3] }, { shape: [3], fill: 'positive' }],
  },
  {
    op: 'maximum',
    name: 'broadcast-row',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 3], fill: 'lattice' },
      { shape: [3], fill: 'lattice-offset' },
    ],
  },
  {
    op: 'minimum',
    name: 'same-shape',
    dtypes: F,
    attrs: {},
    inputs: [
      { shape: [2, 3], fill: 'lattice-offset' },
      { shape: [2, 3], fill: 'lattice' },
    ],
  },
  { op: 'neg', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }] },
  { op: 'exp', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }] },
  { op: 'log', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3], fill: 'positive' }] },
  { op: 'tanh', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3], fill: 'wide' }] },
  { op: 'sigmoid', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3], fill: 'wide' }] },
  { op: 'sqrt', name: 'matrix', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3], fill: 'positive' }] },
  {
    op: 'matmul',
    name: 'plain',
    dtypes: F,
    attrs: { transA: false, transB: false },
    inputs: [{ shape: [2, 3] }, { shape: [3, 4] }],
  },
  {
    op: 'matmul',
    name: 'transA',
    dtypes: F,
    attrs: { transA: true, transB: false },
    inputs: [{ shape: [3, 2] }, { shape: [3, 4] }],
  },
  {
    op: 'matmul',
    name: 'transB',
    dtypes: F,
    attrs: { transA: false, transB: true },
    inputs: [{ shape: [2, 3] }, { shape: [4, 3] }],
  },
  {
    op: 'matmul',
    name: 'transA-transB',
    dtypes: F,
    attrs: { transA: true, transB: true },
    inputs: [{ shape: [3, 2] }, { shape: [4, 3] }],
  },
  { op: 'sum', name: 'all', dtypes: F, attrs: { axes: [0, 1], keepDims: false }, inputs: [{ shape: [2, 3] }] },
  { op: 'sum', name: 'axis1', dtypes: F, attrs: { axes: [1], keepDims: false }, inputs: [{ shape: [2, 3] }] },
  {
    op: 'sum',
    name: 'negative-axis-keepdims',
    dtypes: F,
    attrs: { axes: [-1], keepDims: true },
    inputs: [{ shape: [2, 3] }],
  },
  {
    op: 'sum',
    name: 'outer-axes-keepdims',
    dtypes: F,
    attrs: { axes: [0, 2], keepDims: true },
    inputs: [{ shape: [2, 3, 2] }],
  },
  {
    op: 'max',
    name: 'all',
    dtypes: F,
    attrs: { axes: [0, 1], keepDims: false },
    inputs: [{ shape: [3, 4], fill: 'distinct' }],
  },
  {
    op: 'max',
    name: 'axis0',
    dtypes: F,
    attrs: { axes: [0], keepDims: false },
    inputs: [{ shape: [3, 4], fill: 'distinct' }],
  },
  {
    op: 'max',
    name: 'negative-axis-keepdims',
    dtypes: F,
    attrs: { axes: [-1], keepDims: true },
    inputs: [{ shape: [2, 3, 4], fill: 'distinct' }],
  },
  { op: 'reshape', name: 'matrix', dtypes: F, attrs: { shape: [3, 2] }, inputs: [{ shape: [2, 3] }] },
  { op: 'transpose', name: 'rotate-axes', dtypes: F, attrs: { perm: [1, 2, 0] }, inputs: [{ shape: [2, 3, 4] }] },
  { op: 'broadcast', name: 'leading-and-stretch', dtypes: F, attrs: { shape: [2, 3, 4] }, inputs: [{ shape: [3, 1] }] },
  { op: 'slice', name: 'inner-block', dtypes: F, attrs: { starts: [1, 1], ends: [3, 3] }, inputs: [{ shape: [3, 4] }] },
  { op: 'slice', name: '3d', dtypes: F, attrs: { starts: [0, 1, 1], ends: [2, 3, 3] }, inputs: [{ shape: [2, 3, 4] }] },
  { op: 'concat', name: 'axis0', dtypes: F, attrs: { axis: 0 }, inputs: [{ shape: [1, 3] }, { shape: [2, 3] }] },
  {
    op: 'concat',
    name: 'axis1-three-inputs',
    dtypes: F,
    attrs: { axis: 1 },
    inputs: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [2, 2] }],
  },
  // A repeated index: its row's gradient is the sum of both cotangent rows.
  { op: 'gather', name: 'repeated-rows', dtypes: F, attrs: {}, inputs: [{ shape: [4, 3] }, ids([3], [1, 3, 1])] },
  { op: 'gather', name: '2d-indices', dtypes: F, attrs: {}, inputs: [{ shape: [4, 2] }, ids([2, 2], [0, 0, 3, 2])] },
  { op: 'cast', name: 'same-dtype', dtypes: F, attrs: (dtype: DType) => ({ dtype }), inputs: [{ shape: [2, 3] }] },
  // Mixed precision: no finite differences (a float32 value in the graph), only the reference comparison.
  {
    op: 'cast',
    name: 'float32-to-float64',
    dtypes: ['float64'],
    attrs: { dtype: 'float64' },
    inputs: [{ dtype: 'float32', shape: [2, 3] }],
  },
  {
    op: 'cast',
    name: 'float64-to-float32',
    dtypes: ['float64'],
    attrs: { dtype: 'float32' },
    inputs: [{ shape: [2, 3] }],
  },
  // Non-differentiable ops: the gradient through them must be exactly zero.
  { op: 'stopGradient', name: 'zero-gradient', dtypes: F, attrs: {}, inputs: [{ shape: [2, 3] }], zeroGradient: true },
  {
    op: 'greaterEqual',
    name: 'zero-gradient',
    dtypes: F,
    attrs: {},
    zeroGradient: true,
    inputs: [
      { shape: [2, 3], fill: 'lattice' },
      { shape: [2, 3], fill: 'lattice-offset' },
    ],
  },
];

export function expandVjpCases(specs: readonly AnyVjpCaseSpec[]): VjpCase[] {
  return specs.flatMap((spec) =>
    spec.dtypes.map((dtype): VjpCase => {
      const id = `vjp/${spec.op}/${spec.name}/${dtype}`;
      const rng = rngFor(id);
      const attrs = attrsFor<PrimitiveName>(spec.attrs as AttrsSpec<PrimitiveName>, dtype);
      const inputs = spec.inputs.map((s) => materialize(s, dtype, rng));
      const out = outputType(spec.op, inputs, attrs);
      const cotangent = materialize({ dtype: out.dtype, shape: out.shape }, dtype, rng);
      const directions = inputs.map((x) =>
        isFloat(x.dtype) ? materialize({ dtype: x.dtype, shape: x.shape }, dtype, rng) : null,
      );
      const floats = [...inputs, cotangent].filter((x) => isFloat(x.dtype));
      const finiteDifferences = !spec.zeroGradient && floats.every((x) => x.dtype === 'float64');
      return {
        id,
        op: spec.op,
        dtype,
        attrs,
        inputs,
        cotangent,
        directions,
        finiteDifferences,
        zeroGradient: spec.zeroGradient ?? false,
      };
    }),
  );
}
