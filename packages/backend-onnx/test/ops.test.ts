// What the lowering makes of particular graphs, run on ONNX Runtime (cpu) against core's reference
// kernels: Gemm with its transpose flags, no node for an empty axis list, wide concats as trees of Concat
// nodes, and graph plumbing (outputs that are inputs or constants, shared constants, node names). Every
// primitive's numbers, in every dtype, are checked by the conformance suite (conformance.test.ts).

import {
  type DType,
  type GraphBuilder,
  type HostTensor,
  type Shape,
  type Sym,
  buildGraph,
  tensor,
} from '@rnn-scratch/core';
import { mulberry32 } from '@rnn-scratch/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxBackend } from '../src/backend.js';
import { lowerGraph } from '../src/lower.js';
import { compareWithReference, randomTensor } from './helpers.js';

const backend = new OnnxBackend({ device: 'cpu' });
afterAll(() => backend.dispose());

interface Arg {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Build `out = f(x0, x1, ...)` over graph inputs, feed random values, compare with the reference. */
async function check(label: string, args: readonly Arg[], f: (b: GraphBuilder, xs: Sym[]) => Sym): Promise<void> {
  const rand = mulberry32(1);
  const feeds: Record<string, HostTensor> = {};
  const graph = buildGraph((b) => {
    const xs = args.map((a, i) => b.input(`x${i}`, a.dtype, a.shape));
    b.output('out', f(b, xs));
  });
  args.forEach((a, i) => {
    feeds[`x${i}`] = randomTensor(rand, a.dtype, a.shape);
  });
  await compareWithReference(backend, graph, feeds, label);
}

describe('matmul (Gemm with transA/transB)', () => {
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

  it("known difference: ORT's optimizer drops `x + 0`, so -0 + 0 stays -0 (IEEE says +0)", async () => {
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
});
