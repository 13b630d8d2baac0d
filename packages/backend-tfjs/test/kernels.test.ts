// Every primitive on small random float32 data (int32 where the op needs it), against core's
// `runReference`, on tfjs:cpu and tfjs:wasm under the choices of rewrites each runtime does NOT make by
// default, so every kernel and every rewrite is checked on both. Under a runtime's own lowering the op
// cases are the conformance suite's (conformance.test.ts); the rewrite graphs run under every lowering.

import {
  type AttrsOf,
  type DType,
  type Feeds,
  type Graph,
  GraphBuilder,
  type HostTensor,
  PRIMITIVES,
  type PrimitiveName,
  Random,
  type Shape,
  type Sym,
  optimizeGraph,
  runReference,
  sizeOf,
  tensor,
} from '@rnn-scratch/core';
import { expectClose } from '@rnn-scratch/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoweringOptions, NO_LOWERING, TfjsBackend, defaultLowering } from '../src/base.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };
const ALL_LOWERING: LoweringOptions = { explicitTranspose: true, sliceAsGather: true };

function sameLowering(a: LoweringOptions, b: LoweringOptions): boolean {
  return (Object.keys(a) as (keyof LoweringOptions)[]).every((k) => a[k] === b[k]);
}

type Fill = 'uniform' | 'positive' | 'wide' | { int: [number, number] };

interface Operand {
  readonly shape: Shape;
  readonly dtype?: DType;
  readonly fill?: Fill;
}

interface Case {
  readonly name: string;
  readonly op: PrimitiveName;
  readonly inputs: readonly Operand[];
  readonly attrs: AttrsOf<PrimitiveName>;
}

function c<P extends PrimitiveName>(name: string, op: P, inputs: Operand[], attrs: AttrsOf<P>): Case {
  return { name, op, inputs, attrs: attrs as AttrsOf<PrimitiveName> };
}

const none = {} as Record<string, never>;
const f = (...shape: number[]): Operand => ({ shape });
const pos = (...shape: number[]): Operand => ({ shape, fill: 'positive' });

const CASES: Case[] = [
  c('add/broadcast-row', 'add', [f(3, 4), f(4)], none),
  c('add/broadcast-both', 'add', [f(3, 1), f(1, 5)], none),
  c(
    'add/int32',
    'add',
    [
      { shape: [2, 3], dtype: 'int32' },
      { shape: [3], dtype: 'int32' },
    ],
    none,
  ),
  c('sub/broadcast-col', 'sub', [f(3, 4), f(3, 1)], none),
  c('mul/scalar', 'mul', [f(2, 5), f()], none),
  c('div/positive', 'div', [f(4, 3), pos(4, 3)], none),
  c('maximum/broadcast', 'maximum', [f(3, 1), f(1, 4)], none),
  c('minimum/same', 'minimum', [f(2, 6), f(2, 6)], none),
  c('greaterEqual/broadcast', 'greaterEqual', [f(3, 4), f(4)], none),
  c(
    'greaterEqual/int32',
    'greaterEqual',
    [
      { shape: [6], dtype: 'int32' },
      { shape: [6], dtype: 'int32' },
    ],
    none,
  ),
  c('neg', 'neg', [f(3, 5)], none),
  c('exp', 'exp', [f(3, 5)], none),
  c('log', 'log', [pos(3, 5)], none),
  c('tanh', 'tanh', [{ shape: [4, 5], fill: 'wide' }], none),
  c('sigmoid', 'sigmoid', [{ shape: [4, 5], fill: 'wide' }], none),
  c('sqrt', 'sqrt', [pos(7)], none),
  c('stopGradient', 'stopGradient', [f(2, 3)], none),
  c('matmul/plain', 'matmul', [f(3, 4), f(4, 5)], { transA: false, transB: false }),
  c('matmul/transA', 'matmul', [f(4, 3), f(4, 5)], { transA: true, transB: false }),
  c('matmul/transB', 'matmul', [f(3, 4), f(5, 4)], { transA: false, transB: true }),
  c('matmul/both', 'matmul', [f(4, 3), f(5, 4)], { transA: true, transB: true }),
  c('sum/axis1', 'sum', [f(3, 4, 2)], { axes: [1], keepDims: false }),
  c('sum/axes02-keep', 'sum', [f(3, 4, 2)], { axes: [0, 2], keepDims: true }),
  c('sum/all', 'sum', [f(3, 4)], { axes: [0, 1], keepDims: false }),
  c('sum/none', 'sum', [f(3, 4)], { axes: [], keepDims: false }),
  c('max/axis1-keep', 'max', [f(5, 6)], { axes: [1], keepDims: true }),
  c('max/axis0', 'max', [f(5, 6)], { axes: [0], keepDims: false }),
  c('reshape', 'reshape', [f(3, 4)], { shape: [2, 6] }),
  c('transpose/3d', 'transpose', [f(2, 3, 4)], { perm: [2, 0, 1] }),
  c('broadcast/expand', 'broadcast', [f(3, 1)], { shape: [2, 3, 4] }),
  c('slice/rows', 'slice', [f(6, 4)], { starts: [2, 0], ends: [5, 4] }),
  c('slice/cols', 'slice', [f(6, 4)], { starts: [1, 1], ends: [4, 3] }),
  c('slice/rows-3d', 'slice', [f(5, 2, 3)], { starts: [1, 0, 0], ends: [3, 2, 3] }),
  c('concat/axis0', 'concat', [f(2, 3), f(4, 3), f(1, 3)], { axis: 0 }),
  c('concat/axis1', 'concat', [f(2, 3), f(2, 1)], { axis: 1 }),
  c('gather/rows', 'gather', [f(6, 4), { shape: [2, 3], dtype: 'int32', fill: { int: [0, 6] } }], none),
  c('gather/vector', 'gather', [f(5), { shape: [4], dtype: 'int32', fill: { int: [0, 5] } }], none),
  c('oneHot/float32', 'oneHot', [{ shape: [3, 4], dtype: 'int32', fill: { int: [-2, 9] } }], {
    depth: 7,
    dtype: 'float32',
  }),
  c('oneHot/int32', 'oneHot', [{ shape: [5], dtype: 'int32', fill: { int: [0, 4] } }], { depth: 4, dtype: 'int32' }),
  c('oneHot/depth1', 'oneHot', [{ shape: [5], dtype: 'int32', fill: { int: [-1, 2] } }], {
    depth: 1,
    dtype: 'float32',
  }),
  c('cast/float-to-int', 'cast', [{ shape: [3, 4], fill: 'wide' }], { dtype: 'int32' }),
  c('cast/int-to-float', 'cast', [{ shape: [6], dtype: 'int32' }], { dtype: 'float32' }),
];

function operand(o: Operand, rng: Random): HostTensor {
  const dtype = o.dtype ?? 'float32';
  const n = sizeOf(o.shape);
  const fill = o.fill ?? (dtype === 'int32' ? { int: [-10, 10] as [number, number] } : 'uniform');
  const draw = (): number => {
    if (typeof fill === 'object') return fill.int[0] + Math.floor(rng.random() * (fill.int[1] - fill.int[0]));
    if (fill === 'positive') return 0.5 + 1.5 * rng.random();
    if (fill === 'wide') return -5 + 10 * rng.random();
    return -1 + 2 * rng.random();
  };
  return tensor(dtype, o.shape, Array.from({ length: n }, draw));
}

function caseGraph(k: Case): { graph: Graph; feeds: Feeds } {
  const rng = new Random(k.name.length * 7919 + k.name.charCodeAt(0));
  const b = new GraphBuilder();
  const feeds: Record<string, HostTensor> = {};
  const syms = k.inputs.map((o, i) => {
    const value = operand(o, rng);
    feeds[`x${i}`] = value;
    return b.input(`x${i}`, value.dtype, value.shape);
  });
  b.output('y', b.op(k.op, syms, k.attrs as never));
  return { graph: b.build(), feeds };
}

/** Graphs aimed at core's graph passes and the lowering: a slice of a gather, folded broadcasts, x*1, shared transposes, duplicates. */
function rewriteGraphs(): Array<{ name: string; graph: Graph; feeds: Feeds }> {
  const rng = new Random(3);
  const out: Array<{ name: string; graph: Graph; feeds: Feeds }> = [];
  const make = (
    name: string,
    inputs: Record<string, HostTensor>,
    body: (b: GraphBuilder, x: Record<string, Sym>) => void,
  ) => {
    const b = new GraphBuilder();
    const syms: Record<string, Sym> = {};
    for (const [n, v] of Object.entries(inputs)) syms[n] = b.input(n, v.dtype, v.shape);
    body(b, syms);
    out.push({ name, graph: b.build(), feeds: inputs });
  };
  const ids = tensor(
    'int32',
    [4, 3],
    Array.from({ length: 12 }, () => rng.randint(0, 5)),
  );
  make('slice-of-gather', { W: operand(f(6, 5), rng), ids }, (b, { W, ids: i }) => {
    const rows = W.gather(i.transpose().reshape([12]));
    for (let t = 0; t < 3; t++) b.output(`x${t}`, rows.sliceAxis(0, t * 4, (t + 1) * 4));
  });
  make('broadcast-fold', { a: operand(f(4, 1), rng), c: operand(f(4, 3), rng) }, (b, { a, c }) => {
    b.output('y', a.broadcastTo([4, 3]).mul(c));
    b.output('z', c.sub(a.broadcastTo([4, 3])));
    b.output('w', a.broadcastTo([2, 4, 3]).add(c)); // rank grows: the fold still gives [2, 4, 3]
  });
  make('times-one', { a: operand(f(3, 3), rng) }, (b, { a }) => {
    b.output('y', a.mul(1).div(1));
    b.output('z', b.scalar(1).mul(a));
    b.output('a', a); // an output that is a feed: must not alias the caller's array
  });
  make('shared-transposes', { W: operand(f(5, 5), rng), h: operand(f(2, 5), rng) }, (b, { W, h }) => {
    let x = h;
    for (let t = 0; t < 3; t++) x = x.matmul(W, { transB: true }).tanh();
    b.output('y', x);
    b.output('g', h.matmul(x, { transA: true }));
  });
  make('duplicates', { a: operand(f(3, 4), rng), c: operand(f(3, 4), rng) }, (b, { a, c }) => {
    const s1 = b.op('concat', [a, c], { axis: 0 });
    const s2 = b.op('concat', [a, c], { axis: 0 });
    b.output('y', s1.sum(0).add(s2.sum(0)));
    b.output('t', s1.exp());
  });
  return out;
}

describe('every primitive has a case here', () => {
  it('covers PRIMITIVES', () => {
    const covered = new Set(CASES.map((k) => k.op));
    expect(PRIMITIVES.filter((p) => !covered.has(p))).toEqual([]);
  });
});

for (const device of ['cpu', 'wasm'] as const) {
  const own = defaultLowering(device);
  const variants: Array<[string, LoweringOptions]> = [
    ['own lowering', own],
    ['all rewrites', ALL_LOWERING],
    ['no rewrites', NO_LOWERING],
  ];
  for (const [label, lowering] of variants) {
    describe(`tfjs:${device} (${label}) vs runReference`, () => {
      let backend: TfjsBackend;
      beforeAll(async () => {
        backend = await TfjsBackend.create({ device, lowering });
      });
      afterAll(() => backend.dispose());

      // The conformance suite runs the op cases under the runtime's own lowering (wasm's is all rewrites).
      const opCases = sameLowering(lowering, own) ? [] : CASES;
      for (const k of opCases) {
        it(`op/${k.name}`, async () => {
          const { graph, feeds } = caseGraph(k);
          const want = await runReference(graph, feeds);
          const exe = await backend.compile(graph);
          const got = await exe.run(feeds);
          await exe.dispose();
          expectClose(got.y, want.y, TOL, `tfjs:${device} op/${k.name}`);
        });
      }

      for (const r of rewriteGraphs()) {
        it(`rewrite/${r.name}`, async () => {
          const want = await runReference(r.graph, r.feeds);
          const exe = await backend.compile(optimizeGraph(r.graph)); // as core hands its graphs over
          const got = await exe.run(r.feeds);
          await exe.dispose();
          for (const o of r.graph.outputs)
            expectClose(got[o.name], want[o.name], TOL, `tfjs:${device} rewrite/${r.name} ${o.name}`);
          if (r.feeds.a !== undefined && got.a !== undefined) {
            expect(got.a.data).not.toBe(r.feeds.a.data);
            expect(got.a.data.buffer).not.toBe(r.feeds.a.data.buffer);
          }
        });
      }
    });
  }
}
