// Every primitive is complete: a shape rule, a reference kernel, a VJP rule, forward cases and a VJP
// case (or an entry, with its reason, in the one list of non-differentiable primitives). Adding a
// primitive without its tests fails here, not silently in some backend later.

import { describe, expect, it } from 'vitest';
import {
  type DType,
  GraphBuilder,
  GraphError,
  PRIMITIVES,
  type PrimitiveName,
  referenceKernels,
  shapeRules,
  vjpRules,
} from '../src/index.js';
import { NON_DIFFERENTIABLE, OP_CASES, VJP_CASES } from '../src/testing/index.js';
import { outputType } from '../src/testing/cases/types.js';

/** Primitives whose shape rule accepts int32 data: each needs an int32 forward case. */
const INT32_OPS: readonly PrimitiveName[] = [
  'add',
  'sub',
  'mul',
  'neg',
  'maximum',
  'minimum',
  'greaterEqual',
  'stopGradient',
  'reshape',
  'transpose',
  'broadcast',
  'slice',
  'concat',
  'gather',
  'sum',
  'max',
  'oneHot',
  'cast',
];

describe.each(PRIMITIVES)('primitive %s', (op) => {
  const forward = OP_CASES.filter((c) => c.op === op);
  const vjp = VJP_CASES.filter((c) => c.op === op);

  it('has a shape rule, a reference kernel and a VJP rule', () => {
    expect(shapeRules[op]).toBeTypeOf('function');
    expect(referenceKernels[op]).toBeTypeOf('function');
    expect(vjpRules[op]).toBeTypeOf('function');
  });

  it('has hand-written forward cases in float32 and float64, and a random case', () => {
    const hand = forward.filter((c) => c.expected !== undefined);
    expect(hand.map((c) => c.dtype)).toContain('float32');
    expect(hand.map((c) => c.dtype)).toContain('float64');
    expect(forward.filter((c) => c.expected === undefined).length).toBeGreaterThan(0);
  });

  if (INT32_OPS.includes(op)) {
    it('has an int32 forward case', () => {
      expect(forward.map((c) => c.dtype)).toContain('int32');
    });
  } else {
    it('rejects int32 operands (so it needs no int32 case)', () => {
      const c = forward[0];
      const b = new GraphBuilder();
      const xs = c.inputs.map((x, i) => b.input(`x${i}`, 'int32', x.value.shape));
      expect(() => b.op(op, xs, c.attrs)).toThrow(GraphError);
    });
  }

  if (NON_DIFFERENTIABLE[op] === undefined) {
    it('has VJP cases in float32 and float64 (finite differences run in float64)', () => {
      expect(vjp.map((c) => c.dtype)).toContain('float32');
      expect(vjp.some((c) => c.finiteDifferences)).toBe(true);
    });
  } else {
    it(`is declared non-differentiable (${NON_DIFFERENTIABLE[op]}) and its VJP rule returns null for every input`, () => {
      // Apply the rule to the operands of the op's first forward case: every entry must be null.
      const c = forward[0];
      const b = new GraphBuilder();
      const xs = c.inputs.map((x, i) => b.input(`x${i}`, x.value.dtype, x.value.shape));
      const out = b.op(op, xs, c.attrs);
      const rule = vjpRules[op] as (g: unknown, ctx: unknown) => readonly unknown[];
      expect(rule(out, { inputs: xs, out, attrs: c.attrs })).toEqual(xs.map(() => null));
      // Any VJP case it has only checks that the gradient through it is zero.
      expect(vjp.every((v) => v.zeroGradient)).toBe(true);
    });
  }
});

describe('case ids', () => {
  const all = [...OP_CASES, ...VJP_CASES];

  it('are unique', () => {
    const ids = all.map((c) => c.id);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dupes).toEqual([]);
  });

  it('read <level>/<op>/<name>/<dtype>', () => {
    for (const c of all) expect(c.id).toMatch(new RegExp(`^(op|vjp)/${c.op}/[a-z0-9-]+/${c.dtype}$`, 'i'));
  });

  it('end in /float64 whenever the graph holds a float64 value (so float32 backends skip them)', () => {
    const dtypesOf = (c: (typeof all)[number]): DType[] => {
      if ('cotangent' in c) return [...c.inputs.map((x) => x.dtype), c.cotangent.dtype];
      const inputs = c.inputs.map((x) => x.value);
      return [...inputs.map((x) => x.dtype), outputType(c.op, inputs, c.attrs).dtype];
    };
    const wrong = all.filter((c) => dtypesOf(c).includes('float64') && c.dtype !== 'float64').map((c) => c.id);
    expect(wrong).toEqual([]);
  });
});
