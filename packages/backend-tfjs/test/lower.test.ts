// The compile-time rewrites, checked on the shape of the book-size train step (no numbers here: the
// kernel and train-step tests check that the rewritten graphs compute the same values).

import { type Graph, type PrimitiveNode, buildTrainStep, isPrimitiveNode, opCounts } from '@rnn-scratch/core';
import { describe, expect, it } from 'vitest';
import { NO_LOWERING, defaultLowering, lowerGraph } from '../src/base.js';

const graph = buildTrainStep({ vocabSize: 28, numHiddens: 512, batchSize: 32, numSteps: 35 });

function prims(g: Graph, op: string): PrimitiveNode[] {
  return g.nodes.filter((n): n is PrimitiveNode => isPrimitiveNode(n) && n.op === op);
}

function signature(g: Graph) {
  return {
    inputs: g.inputs.map(({ name, id }) => [name, g.nodes[id].dtype, g.nodes[id].shape]),
    outputs: g.outputs.map(({ name, id }) => [name, g.nodes[id].dtype, g.nodes[id].shape]),
  };
}

// Core's graph cuts three stacks into their 35 time steps: the inputs' rows of W_xh, the output layer's
// gradient dY, and tanh's derivative 1 - H² (computed once on the stacked hidden states).
const TIME_STEP_SLICES = 3 * 35;

describe('wasm lowering of the book train step', () => {
  const lowered = lowerGraph(graph, defaultLowering('wasm'));

  it('keeps the inputs and outputs (names, dtypes, shapes, order)', () => {
    expect(signature(lowered)).toEqual(signature(graph));
  });

  it('leaves no matmul with a transpose flag, and transposes each operand once', () => {
    expect(prims(graph, 'matmul').some((n) => (n.attrs as { transA: boolean; transB: boolean }).transB)).toBe(true);
    for (const n of prims(lowered, 'matmul')) expect(n.attrs).toEqual({ transA: false, transB: false });
    const transposed = prims(lowered, 'transpose').map((n) => n.inputs[0]);
    expect(new Set(transposed).size).toBe(transposed.length);
    // W_hh^T is built once and read by all 34 backward products dH_{t-1} = dA_t W_hh^T (none for t = 0: the
    // incoming state gets no gradient).
    const wHh = lowered.inputs.find((i) => i.name === 'W_hh')!.id;
    const wHhT = prims(lowered, 'transpose').find((n) => n.inputs[0] === wHh)!;
    expect(prims(lowered, 'matmul').filter((n) => n.inputs[1] === wHhT.id)).toHaveLength(34);
  });

  it('cuts no float rows with slice: they are gathers (slices remain only on int32 indices)', () => {
    expect(prims(graph, 'slice').length).toBe(TIME_STEP_SLICES);
    for (const n of prims(lowered, 'slice')) expect(lowered.nodes[n.inputs[0]].dtype).toBe('int32');
    // The forward's x_t W_xh: 35 embedding lookups of 32 ids each, no (T*B, H) table first.
    const wXh = lowered.inputs.find((i) => i.name === 'W_xh')!.id;
    const lookups = prims(lowered, 'gather').filter((n) => n.inputs[0] === wXh);
    expect(lookups.map((n) => n.shape)).toEqual(Array.from({ length: 35 }, () => [32, 512]));
  });

  it("adds no broadcast, division or duplicate that core's graph passes removed", () => {
    const before = opCounts(graph);
    const after = opCounts(lowered);
    expect(after.broadcast ?? 0).toBe(before.broadcast ?? 0);
    expect(after.div ?? 0).toBe(before.div ?? 0);
    expect(after.concat).toBe(before.concat);
    // one constant of row indices per row range cut from a float value (the 35 time steps of dH), shared
    expect(after.constant! - before.constant!).toBe(35);
  });
});

describe('cpu lowering', () => {
  const lowered = lowerGraph(graph, defaultLowering('cpu'));
  it('keeps transpose flags and slices (tfjs-backend-cpu handles both without copies)', () => {
    expect(prims(lowered, 'matmul').some((n) => (n.attrs as { transB: boolean }).transB)).toBe(true);
    expect(prims(lowered, 'slice').length).toBe(TIME_STEP_SLICES);
    expect(signature(lowered)).toEqual(signature(graph));
  });
  it('is no rewrite at all: cpu runs the graph as core built it', () => {
    expect(lowered).toBe(graph);
  });
  it('NO_LOWERING returns the graph itself', () => {
    expect(lowerGraph(graph, NO_LOWERING)).toBe(graph);
  });
});
