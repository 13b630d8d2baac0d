// Runs the scalar autodiff listing of page 8 (snippets/scalar-autodiff.ts) and checks every gradient it
// computes against central finite differences.

import { describe, expect, it } from 'vitest';

import { Value, crossEntropy, demo, tinyRnnLoss, tinyRnnParams } from '../snippets/scalar-autodiff';

/** Central difference of f at x along coordinate i. */
function numericGrad(f: (xs: number[]) => number, xs: number[], i: number, eps = 1e-6): number {
  const plus = [...xs];
  const minus = [...xs];
  plus[i] += eps;
  minus[i] -= eps;
  return (f(plus) - f(minus)) / (2 * eps);
}

/** Check d f / d x_i from backward() against finite differences at a point. */
function check(build: (vs: Value[]) => Value, xs: number[]) {
  const vs = xs.map((x) => new Value(x));
  const out = build(vs);
  out.backward();
  const f = (ys: number[]) => build(ys.map((y) => new Value(y))).data;
  xs.forEach((_, i) => {
    const numeric = numericGrad(f, xs, i);
    expect(vs[i].grad, `input ${i}`).toBeCloseTo(numeric, 6);
  });
}

describe('scalar autodiff snippet', () => {
  it('each op matches finite differences', () => {
    check(([a, b]) => a.add(b), [0.3, -1.2]);
    check(([a, b]) => a.mul(b), [0.3, -1.2]);
    check(([a, b]) => a.sub(b), [0.3, -1.2]);
    check(([a]) => a.neg(), [0.7]);
    check(([a]) => a.tanh(), [0.4]);
    check(([a]) => a.exp(), [-0.8]);
    check(([a]) => a.log(), [1.7]);
  });

  it('a value used twice gets the sum of both contributions (+=)', () => {
    check(([x]) => x.mul(x).add(x.tanh()), [0.9]);
    const x = new Value(3);
    const y = x.mul(x);
    y.backward();
    expect(x.grad).toBe(6);
  });

  it('softmax cross-entropy matches finite differences', () => {
    check((zs) => crossEntropy(zs, 2), [0.2, -1.0, 0.5]);
  });

  it('the tiny RNN: every parameter gradient matches finite differences', () => {
    const names = ['W_xh0', 'W_xh1', 'W_hh', 'b_h', 'W_hq0', 'W_hq1'] as const;
    const fromList = (xs: number[]) => {
      const p = tinyRnnParams();
      const all = [...p.W_xh, p.W_hh, p.b_h, ...p.W_hq];
      const vs = all.map((v, i) => new Value(xs[i], [], '', v.label));
      return { W_xh: [vs[0], vs[1]], W_hh: vs[2], b_h: vs[3], W_hq: [vs[4], vs[5]], all: vs };
    };
    const start = (() => {
      const p = tinyRnnParams();
      return [...p.W_xh, p.W_hh, p.b_h, ...p.W_hq].map((v) => v.data);
    })();
    const xs = [0, 1, 1, 0];
    const ys = [1, 1, 0, 1];
    const p = fromList(start);
    const loss = tinyRnnLoss(p, xs, ys);
    loss.backward();
    const f = (vals: number[]) => tinyRnnLoss(fromList(vals), xs, ys).data;
    names.forEach((name, i) => {
      expect(p.all[i].grad, name).toBeCloseTo(numericGrad(f, start, i), 6);
    });
    // W_hh is used at every step, so it must have a nonzero gradient.
    expect(Math.abs(p.all[2].grad)).toBeGreaterThan(1e-3);
  });

  it('demo() prints the loss and six gradients', () => {
    const lines = demo().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(/^loss = \d+\.\d{6}$/);
  });
});
