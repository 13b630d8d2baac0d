// Every primitive, lowered to ONNX and run on ONNX Runtime (cpu), against core's reference kernels.

import {
  BINARY_PRIMITIVES,
  type BinaryPrimitive,
  type DType,
  type GraphBuilder,
  type HostTensor,
  PRIMITIVES,
  type PrimitiveName,
  type Shape,
  type Sym,
  UNARY_PRIMITIVES,
  type UnaryPrimitive,
  buildGraph,
  tensor,
} from '@rnn-scratch/core';
import { mulberry32 } from '@rnn-scratch/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxBackend } from '../src/backend.js';
import { lowerGraph } from '../src/lower.js';
import { type Dist, compareWithReference, randomTensor } from './helpers.js';

const backend = new OnnxBackend({ device: 'cpu' });
afterAll(() => backend.dispose());

const FLOATS: DType[] = ['float32', 'float64'];
const ALL: DType[] = ['float32', 'float64', 'int32'];
const covered = new Set<PrimitiveName>();

interface Arg {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly dist?: Dist;
  readonly value?: HostTensor;
}

/** Build `out = f(x0, x1, ...)` over graph inputs, feed random values, compare with the reference. */
async function check(label: string, args: readonly Arg[], f: (b: GraphBuilder, xs: Sym[]) => Sym, seed = 1): Promise<void> {
  const rand = mulberry32(seed);
  const feeds: Record<string, HostTensor> = {};
  const graph = buildGraph((b) => {
    const xs = args.map((a, i) => b.input(`x${i}`, a.dtype, a.shape));
    b.output('out', f(b, xs));
  });
  args.forEach((a, i) => {
    feeds[`x${i}`] = a.value ?? randomTensor(rand, a.dtype, a.shape, a.dist);
  });
  await compareWithReference(backend, graph, feeds, label);
}

const binaryShapes: Array<[Shape, Shape]> = [
  [[3, 4], [3, 4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 4]],
  [[], [3, 4]],
  [[3, 4], []],
  [[], []],
  [[2, 1, 4], [3, 1]],
];

describe('binary primitives (numpy broadcasting)', () => {
  for (const op of BINARY_PRIMITIVES) {
    covered.add(op);
    const dtypes = op === 'div' ? FLOATS : ALL;
    for (const dtype of dtypes) {
      it(`${op} ${dtype}`, async () => {
        const dist: Dist = op === 'div' ? 'nonzero' : op === 'greaterEqual' || op === 'maximum' || op === 'minimum' ? 'small-int' : 'normal';
        for (const [sa, sb] of binaryShapes) {
          await check(`${op}(${sa}|${sb}) ${dtype}`, [{ shape: sa, dtype, dist }, { shape: sb, dtype, dist }], (_, [a, b]) =>
            a.builder.op(op as BinaryPrimitive, [a, b], {}),
          );
        }
      });
    }
  }
});

describe('unary primitives', () => {
  for (const op of UNARY_PRIMITIVES) {
    covered.add(op);
    const dtypes = op === 'neg' || op === 'stopGradient' ? ALL : FLOATS;
    for (const dtype of dtypes) {
      it(`${op} ${dtype}`, async () => {
        const dist: Dist = op === 'log' || op === 'sqrt' ? 'positive' : 'normal';
        for (const shape of [[3, 4], [], [2, 3, 5]] as Shape[]) {
          // `x0 * 1` keeps stopGradient from being an output that is directly an input.
          await check(`${op}${shape} ${dtype}`, [{ shape, dtype, dist }], (_, [x]) => x.builder.op(op as UnaryPrimitive, [x], {}));
        }
      });
    }
  }
  it('exp of large values overflows to Infinity like the reference', async () => {
    const value = tensor('float32', [3], [100, -200, 0]);
    await check('exp overflow', [{ shape: [3], dtype: 'float32', value }], (_, [x]) => x.exp());
  });
});

describe('matmul (Gemm with transA/transB)', () => {
  covered.add('matmul');
  for (const dtype of FLOATS) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${dtype} transA=${transA} transB=${transB}`, async () => {
          const [m, k, n] = [3, 5, 4];
          const sa = transA ? [k, m] : [m, k];
          const sb = transB ? [n, k] : [k, n];
          await check(`matmul ${transA}/${transB}`, [{ shape: sa, dtype }, { shape: sb, dtype }], (_, [a, b]) => a.matmul(b, { transA, transB }));
        });
      }
    }
  }
  it('lowers to Gemm with flags and no Transpose nodes', () => {
    const g = buildGraph((b) => {
      const a = b.input('a', 'float32', [5, 3]);
      const w = b.input('w', 'float32', [4, 5]);
      b.output('y', a.matmul(w, { transA: true, transB: true }));
    });
    const ops = lowerGraph(g).model.graph.nodes.map((n) => n.opType);
    expect(ops).toEqual(['Gemm']);
  });
});

describe('reductions', () => {
  const cases: Array<[number[], boolean]> = [
    [[], false],
    [[], true],
    [[0], false],
    [[1], true],
    [[2], false],
    [[0, 2], false],
    [[0, 2], true],
    [[0, 1, 2], false],
    [[0, 1, 2], true],
    [[-1], false],
  ];
  for (const op of ['sum', 'max'] as const) {
    covered.add(op);
    for (const dtype of ALL) {
      it(`${op} ${dtype} over several axes, keepDims both ways`, async () => {
        for (const [axes, keepDims] of cases) {
          await check(`${op}[${axes}] keep=${keepDims} ${dtype}`, [{ shape: [2, 3, 4], dtype }], (b, [x]) =>
            b.op(op, [x], { axes, keepDims }),
          );
        }
        await check(`${op} of a scalar ${dtype}`, [{ shape: [], dtype }], (b, [x]) => b.op(op, [x], { axes: [], keepDims: false }));
      });
    }
  }
  it('an empty axes list is no reduction (no ReduceSum node)', () => {
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      b.output('y', b.op('sum', [x], { axes: [], keepDims: false }).mul(2));
    });
    const ops = lowerGraph(g).model.graph.nodes.map((n) => n.opType);
    expect(ops).toEqual(['Mul']);
  });
});

describe('shape primitives', () => {
  for (const p of ['reshape', 'transpose', 'broadcast', 'slice', 'concat'] as const) covered.add(p);
  for (const dtype of ALL) {
    it(`reshape ${dtype}`, async () => {
      await check('reshape 2x3x4->6x4', [{ shape: [2, 3, 4], dtype }], (_, [x]) => x.reshape([6, 4]));
      await check('reshape ->24', [{ shape: [2, 3, 4], dtype }], (_, [x]) => x.reshape([24]));
      await check('reshape 1x1->[]', [{ shape: [1, 1], dtype }], (_, [x]) => x.reshape([]));
      await check('reshape []->1x1x1', [{ shape: [], dtype }], (_, [x]) => x.reshape([1, 1, 1]));
      await check('reshape same', [{ shape: [2, 3], dtype }], (_, [x]) => x.reshape([2, 3]).neg());
    });
    it(`transpose ${dtype}`, async () => {
      await check('transpose 2-D', [{ shape: [3, 4], dtype }], (_, [x]) => x.T);
      await check('transpose [2,0,1]', [{ shape: [2, 3, 4], dtype }], (_, [x]) => x.transpose([2, 0, 1]));
      await check('transpose identity', [{ shape: [2, 3], dtype }], (_, [x]) => x.transpose([0, 1]).neg());
    });
    it(`broadcast ${dtype}`, async () => {
      await check('broadcast [3]->[2,3]', [{ shape: [3], dtype }], (_, [x]) => x.broadcastTo([2, 3]));
      await check('broadcast [2,1]->[2,3]', [{ shape: [2, 1], dtype }], (_, [x]) => x.broadcastTo([2, 3]));
      await check('broadcast []->[2,2]', [{ shape: [], dtype }], (_, [x]) => x.broadcastTo([2, 2]));
      await check('broadcast [1,3,1]->[2,3,4]', [{ shape: [1, 3, 1], dtype }], (_, [x]) => x.broadcastTo([2, 3, 4]));
    });
    it(`slice ${dtype}`, async () => {
      await check('slice rows', [{ shape: [5, 4], dtype }], (_, [x]) => x.sliceAxis(0, 1, 3));
      await check('slice cols', [{ shape: [5, 4], dtype }], (_, [x]) => x.sliceAxis(1, 2, 4));
      await check('slice every axis', [{ shape: [3, 4, 5], dtype }], (_, [x]) => x.slice([1, 0, 2], [3, 3, 5]));
      await check('slice whole', [{ shape: [3, 4], dtype }], (_, [x]) => x.slice([0, 0], [3, 4]).neg());
      await check('slice to zero size', [{ shape: [3, 4], dtype }], (_, [x]) => x.slice([1, 0], [1, 4]));
    });
    it(`concat ${dtype}`, async () => {
      const two: Arg[] = [{ shape: [2, 3], dtype }, { shape: [4, 3], dtype }];
      await check('concat axis 0', two, (b, xs) => b.op('concat', xs, { axis: 0 }));
      const cols: Arg[] = [{ shape: [2, 1], dtype }, { shape: [2, 3], dtype }, { shape: [2, 2], dtype }];
      await check('concat axis 1', cols, (b, xs) => b.op('concat', xs, { axis: 1 }));
      await check('concat axis -1', cols, (b, xs) => b.op('concat', xs, { axis: -1 }));
      await check('concat one input', [{ shape: [2, 3], dtype }], (b, xs) => b.op('concat', xs, { axis: 0 }).neg());
    });
  }

  it('wide concat (35 inputs) becomes a tree of Concats with at most 8 inputs each', async () => {
    const args: Arg[] = Array.from({ length: 35 }, (_, i) => ({ shape: [2, 1 + (i % 3)], dtype: 'float32' as DType }));
    await check('concat 35', args, (b, xs) => b.op('concat', xs, { axis: 1 }));
    const g = buildGraph((b) => {
      const xs = args.map((a, i) => b.input(`x${i}`, a.dtype, a.shape));
      b.output('y', b.op('concat', xs, { axis: 1 }));
    });
    const concats = lowerGraph(g).model.graph.nodes.filter((n) => n.opType === 'Concat');
    expect(concats.length).toBeGreaterThan(1);
    for (const c of concats) expect(c.inputs.length).toBeLessThanOrEqual(8);
    // 35 inputs -> 5 groups -> 1: 6 nodes
    expect(concats.length).toBe(6);
  });

  it('wide concat (100 inputs, three levels) along axis 0', async () => {
    const args: Arg[] = Array.from({ length: 100 }, () => ({ shape: [1, 3], dtype: 'float64' as DType }));
    await check('concat 100', args, (b, xs) => b.op('concat', xs, { axis: 0 }));
  });
});

describe('gather, oneHot, cast', () => {
  for (const p of ['gather', 'oneHot', 'cast'] as const) covered.add(p);
  for (const dtype of ALL) {
    it(`gather rows of a ${dtype} table`, async () => {
      const ids = tensor('int32', [2, 3], [0, 4, 2, 2, 1, 4]);
      await check('gather 2-D table', [{ shape: [5, 3], dtype }, { shape: [2, 3], dtype: 'int32', value: ids }], (_, [t, i]) => t.gather(i));
      const one = tensor('int32', [4], [3, 0, 3, 1]);
      await check('gather 1-D table', [{ shape: [5], dtype }, { shape: [4], dtype: 'int32', value: one }], (_, [t, i]) => t.gather(i));
      const s = tensor('int32', [], [2]);
      await check('gather scalar index', [{ shape: [5, 2], dtype }, { shape: [], dtype: 'int32', value: s }], (_, [t, i]) => t.gather(i));
    });
    it(`oneHot -> ${dtype}, out-of-range ids give zero rows`, async () => {
      const ids = tensor('int32', [2, 4], [0, 3, -1, 4, 2, 1, 7, 3]);
      await check('oneHot depth 4', [{ shape: [2, 4], dtype: 'int32', value: ids }], (_, [i]) => i.oneHot(4, dtype));
      const one = tensor('int32', [], [2]);
      await check('oneHot of a scalar', [{ shape: [], dtype: 'int32', value: one }], (_, [i]) => i.oneHot(3, dtype));
    });
  }
  for (const from of ALL) {
    for (const to of ALL) {
      it(`cast ${from} -> ${to}`, async () => {
        const value =
          from === 'int32'
            ? tensor(from, [2, 3], [-3, -1, 0, 1, 2, 7])
            : tensor(from, [2, 3], [-2.7, -0.5, 0, 0.5, 1.99, 3.25]); // float -> int32 truncates toward zero
        await check(`cast ${from}->${to}`, [{ shape: [2, 3], dtype: from, value }], (_, [x]) => x.cast(to).neg());
      });
    }
  }
});

describe('graph plumbing', () => {
  it('outputs that are inputs, constants, repeated values, or named like an input', async () => {
    const rand = mulberry32(7);
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2, 2]);
      const h = b.input('h', 'float32', [2]);
      b.input('unused', 'int32', [3]);
      const y = x.tanh();
      b.output('x_again', x); // a graph input
      b.output('const', b.fromValues('float64', [2], [1.5, -2])); // a constant
      b.output('y1', y);
      b.output('y2', y); // the same value twice
      b.output('h', h.add(1)); // output named like an input
      b.output('sg', x.stopGradient()); // an alias of an input
    });
    const feeds = {
      x: randomTensor(rand, 'float32', [2, 2]),
      h: randomTensor(rand, 'float32', [2]),
      unused: randomTensor(rand, 'int32', [3]),
    };
    await compareWithReference(backend, g, feeds, 'plumbing');
    const lowered = lowerGraph(g);
    expect(new Set(lowered.outputNames).size).toBe(lowered.outputNames.length);
    expect(lowered.outputNames).toContain('h_out');
    expect(lowered.model.graph.inputs.map((i) => i.name)).toEqual(['x', 'h', 'unused']);
  });

  it('small constants are shared, but -0 and 0 stay distinct', async () => {
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2]);
      b.output('a', x.mul(b.scalar(2)).add(b.scalar(2)));
      b.output('pos', b.scalar(1).div(x.mul(b.scalar(0)))); // +-Infinity by the sign of x
      b.output('neg', b.scalar(1).div(x.mul(b.scalar(-0)))); // the opposite signs
    });
    const inits = lowerGraph(g).model.graph.initializers;
    const twos = inits.filter((t) => t.dataType === 1 && (t.data as Float32Array)[0] === 2);
    expect(twos).toHaveLength(1);
    await compareWithReference(backend, g, { x: tensor('float32', [2], [1, -1]) }, 'signed zeros');
  });

  it('known difference: ORT\'s optimizer drops `x + 0`, so -0 + 0 stays -0 (IEEE says +0)', async () => {
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2]);
      b.output('y', b.scalar(1).div(x.mul(0).add(b.scalar(0))));
    });
    const out = await (await backend.compile(g)).run({ x: tensor('float32', [2], [1, -1]) });
    expect(Array.from(out.y.data)).toEqual([Infinity, -Infinity]); // the reference gives [Infinity, Infinity]
  });

  it('node names are readable (n<id>_<op>)', () => {
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      const w = b.input('w', 'float32', [3, 3]);
      b.output('y', x.matmul(w).tanh());
    });
    const names = lowerGraph(g).model.graph.nodes.map((n) => n.name);
    expect(names).toEqual(['n2_matmul', 'n3_tanh']);
  });

  it('every primitive is covered by this file', () => {
    expect([...covered].sort()).toEqual([...PRIMITIVES].sort());
  });
});
