import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  type Sym,
  clipByGlobalNorm,
  grad,
  gradients,
  printGraph,
  runReference,
  softmaxCrossEntropy,
  tensor,
  hashGraph,
} from '../src/index.js';
import { mulberry32, uniform } from '../src/testing/index.js';

/** `n` numbers in [-0.5, 0.5) from the shared test generator. */
function rand(n: number, seed: number): number[] {
  return uniform(mulberry32(seed), n, -0.5, 0.5);
}

describe('grad', () => {
  it('accumulates the gradient of a reused value (micrograd +=)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float64', [3]);
    const y = x.mul(x).add(x).sum(); // d/dx = 2x + 1
    b.output('y', y);
    const [dx] = gradients(y, [x]);
    b.output('dx', dx);
    const out = await runReference(b.build(), { x: tensor('float64', [3], [1, 2, -3]) });
    expect([...out.dx.data]).toEqual([3, 5, -5]);
  });

  it('sums broadcast gradients back to the input shape', async () => {
    const g = grad(
      (() => {
        const b = new GraphBuilder();
        const x = b.input('x', 'float64', [2, 3]);
        const bias = b.input('bias', 'float64', [3]);
        b.output('loss', x.add(bias).tanh().sum());
        return b.build();
      })(),
      'loss',
      ['bias'],
    );
    const x = rand(6, 1);
    const bias = rand(3, 2);
    const out = await runReference(g, { x: tensor('float64', [2, 3], x), bias: tensor('float64', [3], bias) });
    const want = [0, 1, 2].map((j) => 1 - Math.tanh(x[j] + bias[j]) ** 2 + (1 - Math.tanh(x[3 + j] + bias[j]) ** 2));
    expect(out.grad_bias.shape).toEqual([3]);
    [...out.grad_bias.data].forEach((v, j) => expect(v).toBeCloseTo(want[j], 12));
    expect(printGraph(g)).toContain('tanh');
    expect(hashGraph(g)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('matches finite differences through cross-entropy, matmul, gather, slice, concat and clipping', async () => {
    const build = (withGrad: boolean) => {
      const b = new GraphBuilder();
      const W = b.input('W', 'float64', [5, 4]);
      const U = b.input('U', 'float64', [4, 5]);
      const ids = b.input('ids', 'int32', [3]);
      const labels = b.input('labels', 'int32', [6]);
      const e = W.gather(ids); // [3,4]
      const h1 = e.sliceAxis(0, 0, 2).tanh(); // [2,4]
      const h = b.op('concat', [h1, e.sliceAxis(0, 1, 3).exp()], { axis: 0 }).maximum(0.1); // [4,4]
      const logits = h.matmul(U); // [4,5]
      const l2 = logits.reshape([2, 10]).transpose().reshape([4, 5]).slice([1, 0], [4, 5]).reshape([3, 5]);
      const both = b.op('concat', [logits, l2.div(l2.square().add(1).sqrt())], { axis: 0 }).sliceAxis(0, 0, 6);
      const loss = softmaxCrossEntropy(both, labels);
      b.output('loss', loss);
      if (withGrad) {
        const gs = gradients(loss, [W, U]);
        const { clipped } = clipByGlobalNorm(gs, 0.05);
        b.output('gW', gs[0]);
        b.output('gU', gs[1]);
        b.output('cW', clipped[0]);
      }
      return b.build();
    };
    const W = rand(20, 3);
    const U = rand(20, 4);
    const feeds = (w: number[], u: number[]) => ({
      W: tensor('float64', [5, 4], w),
      U: tensor('float64', [4, 5], u),
      ids: tensor('int32', [3], [4, 0, 4]),
      labels: tensor('int32', [6], [0, 1, 2, 3, 4, 0]),
    });
    const out = await runReference(build(true), feeds(W, U));
    const fwd = build(false);
    const eps = 1e-6;
    const check = async (which: 'W' | 'U', gradOut: Float64Array | number[]) => {
      const base = which === 'W' ? W : U;
      for (let i = 0; i < base.length; i++) {
        const p = [...base];
        const m = [...base];
        p[i] += eps;
        m[i] -= eps;
        const lp = (await runReference(fwd, which === 'W' ? feeds(p, U) : feeds(W, p))).loss.data[0];
        const lm = (await runReference(fwd, which === 'W' ? feeds(m, U) : feeds(W, m))).loss.data[0];
        expect(gradOut[i]).toBeCloseTo((lp - lm) / (2 * eps), 7);
      }
    };
    await check('W', out.gW.data as Float64Array);
    await check('U', out.gU.data as Float64Array);
    let norm = 0;
    for (const v of [...out.gW.data, ...out.gU.data]) norm += v * v;
    norm = Math.sqrt(norm);
    expect(norm).toBeGreaterThan(0.05);
    [...out.cW.data].forEach((v, i) => expect(v).toBeCloseTo((out.gW.data[i] * 0.05) / norm, 14));
  });
});

export type { Sym };

describe('max', () => {
  it('splits the gradient equally between tied maxima', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float64', [2, 3]);
    const y = x.max(1).sum();
    b.output('dx', gradients(y, [x])[0]);
    const out = await runReference(b.build(), { x: tensor('float64', [2, 3], [1, 1, 0, 2, 5, 5]) });
    expect([...out.dx.data]).toEqual([0.5, 0.5, 0, 0, 0.5, 0.5]);
  });
});
