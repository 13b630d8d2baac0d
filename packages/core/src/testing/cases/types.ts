// The shape of a test case, as data (ONNX Runtime's `ops/*.jsonc` style): an op, its attrs, the input
// tensors and the expected output. A spec lists several dtypes and is expanded into one case per dtype,
// each with a stable id `op/<op>/<name>/<dtype>` that skip lists refer to.

import { type DType, type HostTensor, type Shape, isFloat, sizeOf, tensor } from '../../ir/dtype.js';
import { type AttrsOf, type PrimitiveName, shapeRules } from '../../ir/primitives.js';
import { rngFor, uniform } from '../prng.js';

/**
 * How to fill a random operand (values in brackets):
 * - `uniform` [-1, 1), `positive` [0.5, 2) (log, sqrt, divisors), `wide` [-5, 5) (cast truncation)
 * - `distinct`: all different, at least 0.05 apart (no ties for `max`)
 * - `lattice` / `lattice-offset`: two operands that are never within 0.025 of each other (no ties for
 *   `maximum`/`minimum`, even under broadcasting); finite differences step far less than that
 * - `{ int: [lo, hi] }`: integers in [lo, hi) (indices, int32 data)
 */
export type Fill =
  | 'uniform'
  | 'positive'
  | 'wide'
  | 'distinct'
  | 'lattice'
  | 'lattice-offset'
  | { readonly int: readonly [number, number] };

/** An operand. `dtype` defaults to the case's dtype. Give `values` (hand-written) or a `fill` (random). */
export interface TensorSpec {
  readonly dtype?: DType;
  readonly shape: Shape;
  readonly values?: readonly number[];
  readonly fill?: Fill;
  /** Bake this operand into the graph as a constant instead of feeding it (exercises the constant path). */
  readonly constant?: boolean;
  /** Feed this operand as a view into the middle of a larger buffer (a non-zero `byteOffset`). */
  readonly view?: boolean;
}

/** Attrs are fixed, or computed from the case dtype (the target dtype of cast and oneHot). */
export type AttrsSpec<P extends PrimitiveName> = AttrsOf<P> | ((dtype: DType) => AttrsOf<P>);

export interface OpCaseSpec<P extends PrimitiveName> {
  readonly op: P;
  /** The middle of the id: `broadcast-row` in `op/add/broadcast-row/float32`. */
  readonly name: string;
  readonly dtypes: readonly DType[];
  readonly attrs: AttrsSpec<P>;
  readonly inputs: readonly TensorSpec[];
  /** Written by hand. Omitted for random cases, whose expected output is the reference kernel's result. */
  readonly expected?: TensorSpec;
}

/** Any op's case spec; a list of these type-checks each entry's attrs against its own op. */
export type AnyOpCaseSpec = { [P in PrimitiveName]: OpCaseSpec<P> }[PrimitiveName];

/** A concrete operand: the numbers, whether it is fed or baked in as a constant, and how it is fed. */
export interface CaseInput {
  readonly value: HostTensor;
  readonly constant: boolean;
  readonly view: boolean;
}

/** One forward case after expansion. */
export interface OpCase {
  readonly id: string;
  readonly op: PrimitiveName;
  readonly dtype: DType;
  readonly attrs: AttrsOf<PrimitiveName>;
  readonly inputs: readonly CaseInput[];
  /** `undefined` for random cases: compare with the reference kernel. */
  readonly expected: HostTensor | undefined;
}

const FLOAT_FILLS: Record<Exclude<Fill, object>, (rng: () => number, n: number) => number[]> = {
  uniform: (rng, n) => uniform(rng, n, -1, 1),
  positive: (rng, n) => uniform(rng, n, 0.5, 2),
  wide: (rng, n) => uniform(rng, n, -5, 5),
  distinct: (rng, n) => {
    // a shuffled ladder 0.1 apart, each rung jittered by less than 0.05
    const rungs = [...Array(n).keys()];
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [rungs[i], rungs[j]] = [rungs[j], rungs[i]];
    }
    return rungs.map((k) => (k - n / 2) * 0.1 + 0.05 * rng());
  },
  lattice: (rng, n) => Array.from({ length: n }, () => 0.25 * Math.floor(8 * rng() - 4) + 0.1 * rng()),
  'lattice-offset': (rng, n) => Array.from({ length: n }, () => 0.25 * Math.floor(8 * rng() - 4) + 0.125 + 0.1 * rng()),
};

/** The numbers of one operand: its `values`, or random ones drawn from `rng`. */
export function materialize(spec: TensorSpec, caseDtype: DType, rng: () => number): HostTensor {
  const dtype = spec.dtype ?? caseDtype;
  const n = sizeOf(spec.shape);
  if (spec.values !== undefined) return tensor(dtype, spec.shape, spec.values);
  const fill = spec.fill ?? (isFloat(dtype) ? 'uniform' : { int: [-10, 10] });
  if (typeof fill === 'object') {
    const [lo, hi] = fill.int;
    return tensor(
      dtype,
      spec.shape,
      Array.from({ length: n }, () => lo + Math.floor((hi - lo) * rng())),
    );
  }
  return tensor(dtype, spec.shape, FLOAT_FILLS[fill](rng, n));
}

export function attrsFor<P extends PrimitiveName>(spec: AttrsSpec<P>, dtype: DType): AttrsOf<P> {
  return typeof spec === 'function' ? spec(dtype) : spec;
}

/** Output shape and dtype of `op` on these operands, by the op's shape rule. */
export function outputType(
  op: PrimitiveName,
  inputs: readonly HostTensor[],
  attrs: AttrsOf<PrimitiveName>,
): { shape: Shape; dtype: DType } {
  const rule = shapeRules[op] as (
    i: readonly HostTensor[],
    a: AttrsOf<PrimitiveName>,
  ) => { shape: Shape; dtype: DType };
  return rule(inputs, attrs);
}

/** One case per listed dtype, with random operands drawn from a generator seeded by the case id. */
export function expandOpCases(specs: readonly AnyOpCaseSpec[]): OpCase[] {
  return specs.flatMap((spec) =>
    spec.dtypes.map((dtype): OpCase => {
      const id = `op/${spec.op}/${spec.name}/${dtype}`;
      const rng = rngFor(id);
      const attrs = attrsFor<PrimitiveName>(spec.attrs as AttrsSpec<PrimitiveName>, dtype);
      const inputs = spec.inputs.map((s) => ({
        value: materialize(s, dtype, rng),
        constant: s.constant ?? false,
        view: s.view ?? false,
      }));
      const expected = spec.expected && materialize(spec.expected, dtype, rng);
      return { id, op: spec.op, dtype, attrs, inputs, expected };
    }),
  );
}
