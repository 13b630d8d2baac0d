// Core's graph passes: each one on a small graph built for it (what it rewrites, what it must leave
// alone, and that the values stay the same on the reference backend), then the whole pipeline on the
// train step: the book-size graph it produces, and its outputs against the same train step left
// exactly as autodiff writes it.

import { describe, expect, it } from 'vitest';
import {
  type FloatDType,
  type Graph,
  GraphBuilder,
  type HostTensor,
  PARAM_NAMES,
  Random,
  type Sym,
  buildTrainStep,
  clipByGlobalNorm,
  foldBroadcasts,
  foldIdentities,
  foldNegations,
  getParams,
  gradients,
  initRnnState,
  mergeDuplicates,
  opCounts,
  optimizeGraph,
  paramInputs,
  rewriteGraph,
  modelForward,
  runReference,
  softmaxCrossEntropy,
  stackElementwise,
  stackTimeStepSums,
  tensor,
} from '../src/index.js';
import { expectClose, randomTokens } from '../src/testing/index.js';

const CLOSE = { rtol: 1e-12, atol: 1e-14 };

function random(shape: number[], seed: number): HostTensor {
  const rng = new Random(seed);
  const t = tensor('float64', shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.random() * 2 - 1;
  return t;
}

function graphOf(inputs: Record<string, number[]>, body: (b: GraphBuilder, x: Record<string, Sym>) => void): Graph {
  const b = new GraphBuilder();
  const x = Object.fromEntries(Object.entries(inputs).map(([name, shape]) => [name, b.input(name, 'float64', shape)]));
  body(b, x);
  return b.build();
}

/** Run both graphs on the same random feeds and expect the same outputs. */
async function expectSameValues(a: Graph, b: Graph, tol = CLOSE): Promise<void> {
  const feeds = Object.fromEntries(a.inputs.map(({ name, id }, k) => [name, random([...a.nodes[id].shape], k + 1)]));
  const [x, y] = [await runReference(a, feeds), await runReference(b, feeds)];
  for (const { name } of a.outputs) expectClose(y[name], x[name], tol, name);
}

const producer = (g: Graph, output: string) => g.nodes[g.outputs.find((o) => o.name === output)!.id];

describe('stackTimeStepSums', () => {
  // Per "time step" t, rows from..to of A and C give three terms, added up over t the way autodiff adds
  // the gradient of a value used at every step: a padded slice (like dX), a transposed product (like
  // dW_hh) and a column sum (like db_h).
  const unrolled = (rows: Array<[number, number]>) =>
    graphOf({ A: [8, 4], C: [8, 3] }, (b, { A, C }) => {
      const sums: Sym[][] = [[], [], []];
      for (const [from, to] of rows) {
        const a = A.sliceAxis(0, from, to).tanh();
        const c = C.sliceAxis(0, from, to).exp();
        const zeros = (n: number) => (n > 0 ? [b.zeros('float64', [n, 4])] : []);
        sums[0].push(b.op('concat', [...zeros(from), a, ...zeros(8 - to)], { axis: 0 }));
        sums[1].push(a.matmul(c, { transA: true }));
        sums[2].push(c.sum(0));
      }
      ['dX', 'dW', 'db'].forEach((name, k) =>
        b.output(
          name,
          sums[k].reduce((total, t) => total.add(t)),
        ),
      );
    });

  it('turns each sum into one op over the stacked terms, with the same values', async () => {
    const g = unrolled([
      [0, 2],
      [2, 4],
      [4, 6],
      [6, 8],
    ]);
    const s = stackTimeStepSums(g);
    expect(producer(s, 'dX').op).toBe('concat');
    expect(producer(s, 'dW').op).toBe('matmul');
    expect(producer(s, 'db').op).toBe('sum');
    expect(opCounts(s).matmul).toBe(1);
    expect(opCounts(s).add ?? 0).toBe(0);
    await expectSameValues(g, s);
  });

  it('fills the gaps between slices with zeros', async () => {
    const g = unrolled([
      [6, 8],
      [1, 3],
    ]);
    const s = stackTimeStepSums(g);
    const dX = producer(s, 'dX');
    expect(dX.op).toBe('concat');
    expect(dX.inputs.map((i) => s.nodes[i].shape[0])).toEqual([1, 2, 3, 2]);
    await expectSameValues(g, s);
  });

  it('leaves overlapping slices and sums with nothing to stack as they are', async () => {
    const overlapping = unrolled([
      [0, 3],
      [2, 5],
    ]);
    const s = stackTimeStepSums(overlapping);
    expect(producer(s, 'dX').op).toBe('add');
    await expectSameValues(overlapping, s);
    const plain = graphOf({ x: [3], y: [3], z: [3] }, (b, { x, y, z }) => b.output('s', x.tanh().add(y.exp()).add(z)));
    expect(stackTimeStepSums(plain)).toEqual(plain);
  });
});

describe('foldIdentities', () => {
  it('drops x * 1, 1 * x and x / 1, and keeps a multiplication by 1 that broadcasts', async () => {
    const g = graphOf({ a: [2, 3], s: [] }, (b, { a, s }) => {
      b.output('y', a.mul(1).div(1).tanh());
      b.output('z', b.scalar(1, 'float64').mul(a).exp());
      b.output('w', s.mul(b.constant(tensor('float64', [1, 1], [1]))));
    });
    const f = foldIdentities(g);
    expect(opCounts(f).div ?? 0).toBe(0);
    expect(opCounts(f).mul).toBe(1);
    expect(producer(f, 'w').shape).toEqual([1, 1]);
    await expectSameValues(g, f);
  });
});

describe('foldNegations', () => {
  it('turns b + (-a) and (-a) + b into b - a, bit for bit, and keeps a negation something else reads', async () => {
    const g = graphOf({ a: [2, 3], c: [2, 3], d: [3] }, (b, { a, c, d }) => {
      b.output('y', a.square().neg().add(1)); // tanh's derivative, as autodiff writes it
      b.output('z', c.add(d.neg()));
      const shared = a.neg();
      b.output('w', shared.add(c));
      b.output('v', shared.exp());
    });
    const f = foldNegations(g);
    expect(opCounts(g)).toMatchObject({ neg: 3, add: 3 });
    expect(opCounts(f)).toMatchObject({ neg: 1, sub: 3 });
    expect(opCounts(f).add ?? 0).toBe(0);
    await expectSameValues(g, f, { rtol: 0, atol: 0 });
  });
});

describe('stackElementwise', () => {
  it('does an op of every part of a stack once on the stack, bit for bit, in rounds along a chain', async () => {
    const g = graphOf({ h1: [2, 3], h2: [2, 3], h3: [2, 3], bias: [3], full: [2, 3] }, (b, x) => {
      const parts = [x.h1, x.h2, x.h3];
      b.output('stack', b.op('concat', parts, { axis: 0 }));
      parts.forEach((h, i) => {
        b.output(`d${i}`, h.mul(h).neg().add(1)); // tanh's derivative 1 - h²: three ops, each moves
        b.output(`r${i}`, h.add(x.bias)); // a row broadcasts along the stack: moves
        b.output(`f${i}`, h.add(x.full)); // an operand of the part's own shape does not
      });
      b.output('e', x.h1.exp()); // only one part: stays
    });
    const s = stackElementwise(g);
    expect(opCounts(g)).toMatchObject({ mul: 3, neg: 3, add: 9, exp: 1 });
    expect(opCounts(s)).toMatchObject({ mul: 1, neg: 1, add: 5, exp: 1, slice: 6 }); // the chain's last op is sliced
    for (const name of ['d0', 'd1', 'd2', 'r0', 'r1', 'r2']) expect(producer(s, name).op).toBe('slice');
    for (const name of ['f0', 'f1', 'f2']) expect(producer(s, name).op).toBe('add');
    await expectSameValues(g, s, { rtol: 0, atol: 0 });
  });

  it('also takes slices that tile a value as its parts, and leaves ops that come before the stack', () => {
    const g = graphOf({ x: [4, 3], h1: [2, 3], h2: [2, 3] }, (b, { x, h1, h2 }) => {
      const tiles = [x.slice([0, 0], [1, 3]), x.slice([1, 0], [4, 3])];
      tiles.forEach((t, i) => b.output(`t${i}`, t.tanh()));
      const early = [h1.exp(), h2.exp()]; // computed before the concat exists: the stack would read them
      b.output('stack', b.op('concat', [h1, h2], { axis: 0 }));
      early.forEach((e, i) => b.output(`e${i}`, e));
    });
    const s = stackElementwise(g);
    expect(opCounts(s)).toMatchObject({ tanh: 1, exp: 2 });
    expect(producer(s, 't1').op).toBe('slice');
  });
});

describe('foldBroadcasts', () => {
  it('lets the binary op broadcast when that gives the same shape, and only then', async () => {
    const g = graphOf({ a: [4, 1], c: [4, 3], d: [1] }, (b, { a, c, d }) => {
      b.output('y', a.broadcastTo([4, 3]).mul(c));
      b.output('z', c.sub(a.broadcastTo([2, 4, 3])));
      b.output('w', d.broadcastTo([5]).add(d)); // [1] + [1] is [1], not [5]: the broadcast stays
    });
    const f = foldBroadcasts(g);
    expect(producer(f, 'y').inputs.map((i) => f.nodes[i].op)).toEqual(['input', 'input']);
    expect(f.nodes[producer(f, 'z').inputs[1]].op).toBe('broadcast'); // [4,1] - [4,3] would not be rank 3
    expect(f.nodes[producer(f, 'w').inputs[0]].op).toBe('broadcast');
    await expectSameValues(g, f);
  });
});

describe('mergeDuplicates', () => {
  it('shares equal small constants, but not 0 and -0, nor large constants', () => {
    const big = Array.from({ length: 100 }, (_, i) => i);
    const g = graphOf({ x: [2] }, (b, { x }) => {
      b.output('a', x.add(b.fromValues('float64', [2], [1, 2])).mul(b.fromValues('float64', [2], [1, 2])));
      b.output('z', x.div(b.scalar(0, 'float64')).add(x.div(b.scalar(-0, 'float64'))));
      b.output('big', b.fromValues('float64', [100], big).add(b.fromValues('float64', [100], big)));
    });
    const m = mergeDuplicates(g);
    expect(opCounts(g).constant).toBe(6);
    expect(opCounts(m).constant).toBe(5);
    expect(g.nodes.length - m.nodes.length).toBe(1);
  });
});

describe('rewriteGraph', () => {
  const g = graphOf({ x: [2, 3], unused: [4] }, (b, { x }) => b.output('y', x.tanh()));

  it('keeps every input, even unused ones, and the output names', () => {
    const r = rewriteGraph(g);
    expect(r.inputs.map((i) => i.name)).toEqual(['x', 'unused']);
    expect(r).toEqual(g);
  });

  it('rejects a replacement of another shape', () => {
    expect(() => rewriteGraph(g, (_n, [x]) => x.sum(0))).toThrow(
      /rewrite of node .* \(tanh\) gives f64\[3\], not f64\[2,3\]/,
    );
  });
});

/** The train step exactly as `buildTrainStep` writes it, without the graph passes. */
function unoptimizedTrainStep(V: number, H: number, B: number, T: number, dtype: FloatDType): Graph {
  const b = new GraphBuilder();
  const X = b.input('X', 'int32', [B, T]);
  const Y = b.input('Y', 'int32', [B, T]);
  const state = b.input('state', dtype, [B, H]);
  const params = paramInputs(b, { vocabSize: V, numHiddens: H }, dtype);
  const lr = b.input('lr', dtype, []);
  const { logits, state: newState } = modelForward(X, state, params, { vocabSize: V, numHiddens: H });
  const loss = softmaxCrossEntropy(logits, Y.transpose().reshape([T * B]));
  const list = PARAM_NAMES.map((name) => params[name]);
  const { clipped, norm } = clipByGlobalNorm(gradients(loss, list), 1);
  PARAM_NAMES.forEach((name, i) => b.output(name, list[i].sub(lr.mul(clipped[i]).div(1))));
  b.output('loss', loss);
  b.output('state', newState);
  b.output('gradNorm', norm);
  return b.build();
}

describe('optimizeGraph on the train step', () => {
  it('gives the book train step no more than 511 nodes and no multiplication or division by 1', () => {
    const g = buildTrainStep({ vocabSize: 28, numHiddens: 512, batchSize: 32, numSteps: 35, theta: 1 });
    expect(g.nodes.length).toBeLessThanOrEqual(511);
    const one = (id: number) => {
      const n = g.nodes[id];
      return n.op === 'constant' && n.value.data.length === 1 && n.value.data[0] === 1;
    };
    const byOne = g.nodes.filter((n) => (n.op === 'div' && one(n.inputs[1])) || (n.op === 'mul' && n.inputs.some(one)));
    expect(byOne).toEqual([]);
  });

  it("computes tanh's derivative 1 - H² once, on the stack of the 35 hidden states", () => {
    const g = buildTrainStep({ vocabSize: 28, numHiddens: 512, batchSize: 32, numSteps: 35 });
    const squares = g.nodes.filter((n) => n.op === 'mul' && n.inputs[0] === n.inputs[1]);
    expect(
      squares.filter((n) => n.shape[0] === 32),
      'per time step',
    ).toEqual([]);
    const ofStack = squares.filter((n) => g.nodes[n.inputs[0]].op === 'concat');
    expect(ofStack.map((n) => [...n.shape])).toEqual([[35 * 32, 512]]);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`computes what the unoptimized graph computes (${dtype})`, async () => {
      const [V, H, B, T] = [7, 5, 3, 6];
      const naive = unoptimizedTrainStep(V, H, B, T, dtype);
      const optimized = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T, dtype });
      expect(optimizeGraph(naive)).toEqual(optimized); // the graph above is buildTrainStep's before the passes
      expect(optimized.nodes.length).toBeLessThan(naive.nodes.length);
      expect(opCounts(optimized).matmul).toBe(T + (T - 1) + 3 + 1 + 1);
      const rng = new Random(5);
      const ids = () => randomTokens(rng, [B, T], V);
      const params = getParams(V, H, rng, dtype);
      for (const p of Object.values(params)) for (let i = 0; i < p.data.length; i++) p.data[i] += rng.random() * 0.5;
      const feeds = { X: ids(), Y: ids(), state: initRnnState(B, H, dtype), lr: tensor(dtype, [], [0.5]), ...params };
      const [want, got] = [await runReference(naive, feeds), await runReference(optimized, feeds)];
      const tol = dtype === 'float64' ? CLOSE : { rtol: 1e-5, atol: 1e-6 };
      for (const { name } of naive.outputs) expectClose(got[name], want[name], tol, name);
    });
  }
});
