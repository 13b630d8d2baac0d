// The lowering's tunings (tuning.ts), for the CPU and for WebGPU: which nodes each rewrite takes (weights-first
// products, a gather's gradient as a scatter-add, flat concats; Gemm addends, the bias on the stacked input
// projections, Splits), that the numbers are those of the graph as written (float64 and float32, RNN and LSTM
// train steps, both input encodings, on ORT's CPU kernels; the WebGPU conformance suite runs the WebGPU tuning
// on a WebGPU device), and that ONNX Runtime runs the CPU rewrite as lowered instead of folding it back.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CellName,
  type FloatDType,
  type Graph,
  type InputEncoding,
  Random,
  buildTrainStep,
  initParams,
  initState,
  scalar,
  sliceTilings,
} from '@rnn-scratch/core';
import { randomTokens } from '@rnn-scratch/core/testing';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxBackend, type OnnxExecutable } from '../src/backend.js';
import { lowerGraph } from '../src/lower.js';
import { OnnxSessionBackend } from '../src/session.js';
import {
  CPU_TUNING,
  type LowerTuning,
  MAX_SPLIT_OUTPUTS,
  WEBGPU_TUNING,
  scatterAddProducts,
  weightsFirstProducts,
} from '../src/tuning.js';
import { expectClose, rtolFor } from './helpers.js';

const B = 4;
const T = 5;
const V = 11;
const H = 24;

function trainStep(cell: CellName, dtype: FloatDType, inputEncoding: InputEncoding = 'gather', T = 5) {
  const spec = { vocabSize: V, numHiddens: H, cell };
  const graph = buildTrainStep({ ...spec, batchSize: B, numSteps: T, dtype, inputEncoding });
  const rng = new Random(7);
  const ids = () => randomTokens(rng, [B, T], V);
  const feeds = {
    X: ids(),
    Y: ids(),
    state: initState(spec, B, dtype),
    lr: scalar(dtype, 1),
    ...initParams(spec, rng, { dtype }),
  };
  // A non-zero state, so the first step's product with W_hh is not all zeros.
  for (let i = 0; i < feeds.state.data.length; i++) feeds.state.data[i] = Math.sin(i);
  return { graph, feeds };
}

function sessionBackend(tuning: LowerTuning): OnnxSessionBackend {
  return new OnnxSessionBackend({
    ort,
    device: 'cpu',
    floatPrecision: 64,
    sessionOptions: () => ({ executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 }),
    tuning,
  });
}

/** Every output of `step` computed with `tuning` equals the graph as written (both on ORT's CPU kernels). */
async function expectAsWritten(tuning: LowerTuning, { graph, feeds }: ReturnType<typeof trainStep>, rtol: number) {
  const tuned = sessionBackend(tuning);
  const written = sessionBackend({});
  try {
    const got = await (await tuned.compile(graph)).run(feeds);
    const want = await (await written.compile(graph)).run(feeds);
    for (const name of Object.keys(want)) expectClose(got[name], want[name], name, rtol);
  } finally {
    await tuned.dispose();
    await written.dispose();
  }
}

const gemmInputs = (graph: Graph) =>
  lowerGraph(graph, CPU_TUNING)
    .model.graph.nodes.filter((n) => n.opType === 'Gemm')
    .map((n) => n.inputs);

const opCount = (graph: Graph, options: Parameters<typeof lowerGraph>[1], op: string) =>
  lowerGraph(graph, options).model.graph.nodes.filter((n) => n.opType === op).length;

describe('CPU tuning of the lowering', () => {
  it('rewrites the recurrence products (W_hh forward, W_hh^T backward) and nothing with many rows', () => {
    const { graph } = trainStep('rnn', 'float32');
    const chosen = [...weightsFirstProducts(graph)].map((id) => graph.nodes[id]);
    // T forward products H @ W_hh, T - 1 backward dH @ W_hh^T (the first step's state gets no gradient).
    expect(chosen.length).toBe(2 * T - 1);
    for (const n of chosen) expect([...n.shape]).toEqual([B, H]);
    const lowered = lowerGraph(graph, { weightsFirst: true }).model.graph.nodes;
    const weightT = lowered.filter((n) => n.opType === 'Transpose' && n.inputs[0] === 'W_hh');
    expect(weightT.length, 'W_hh is transposed once per step, for all its products').toBe(1);
    const gemms = gemmInputs(graph);
    expect(gemms.filter(([a]) => a === weightT[0].outputs[0]).length, 'forward: W_hh^T first').toBe(T);
    expect(gemms.filter(([a]) => a === 'W_hh').length, 'backward: W_hh itself first').toBe(T - 1);
    // One Transpose of W_hh, one of each product's result; as written, none of them.
    const transposes = (nodes: readonly { opType: string }[]) => nodes.filter((n) => n.opType === 'Transpose').length;
    expect(transposes(lowered) - transposes(lowerGraph(graph).model.graph.nodes)).toBe(1 + 2 * T - 1);
  });

  it("rewrites 69 products of the book's train step (T = 35: 35 forward, 34 backward), as the docs say", () => {
    const graph = buildTrainStep({ vocabSize: 28, numHiddens: 512, batchSize: 32, numSteps: 35 });
    expect(weightsFirstProducts(graph).size).toBe(69);
  });

  it('leaves a product alone when its weight would need a transpose that only it uses', () => {
    const { graph } = trainStep('rnn', 'float32');
    // dW_hq = H^T @ dY has H rows, dH = dY @ W_hq^T has B*T rows: only products with W_hh are rewritten.
    const W_hh = graph.inputs.find((i) => i.name === 'W_hh')!.id;
    for (const id of weightsFirstProducts(graph)) expect(graph.nodes[id].inputs).toContain(W_hh);
  });

  it("turns the gather's gradient into one ScatterND, and leaves out the one-hot matrix only it read", () => {
    const { graph } = trainStep('rnn', 'float32');
    const [id] = scatterAddProducts(graph);
    expect(scatterAddProducts(graph).size).toBe(1);
    expect([...graph.nodes[id].shape], 'dW_xh').toEqual([V, H]);
    expect(opCount(graph, CPU_TUNING, 'ScatterND')).toBe(1);
    // The labels' one-hot (for the loss) stays; the gather gradient's one is gone.
    expect(opCount(graph, {}, 'Equal') - opCount(graph, CPU_TUNING, 'Equal')).toBe(1);
    expect(opCount(graph, CPU_TUNING, 'Gemm')).toBe(opCount(graph, {}, 'Gemm') - 1);
  });

  it("keeps the one-hot matrix when the forward pass reads it too (the book's one-hot encoding)", () => {
    const { graph } = trainStep('rnn', 'float32', 'one-hot');
    expect(scatterAddProducts(graph).size).toBeGreaterThan(0);
    expect(opCount(graph, CPU_TUNING, 'Equal')).toBe(opCount(graph, {}, 'Equal'));
  });

  it('joins each concat in one node, where the lowering as written makes trees of at most 8 inputs', () => {
    const { graph } = trainStep('rnn', 'float32', 'gather', 12);
    const concats = (options: Parameters<typeof lowerGraph>[1]) =>
      lowerGraph(graph, options)
        .model.graph.nodes.filter((n) => n.opType === 'Concat')
        .map((n) => n.inputs.length);
    const [flat, tree] = [concats(CPU_TUNING), concats({})];
    expect(flat.length).toBeGreaterThan(0);
    expect(flat.filter((n) => n === 12).length, 'time steps stacked in one Concat').toBe(flat.length);
    expect(Math.max(...tree)).toBeLessThanOrEqual(8);
    expect(tree.length).toBeGreaterThan(flat.length);
  });

  const cases = [
    ['rnn', 'float64', 'gather', T],
    ['rnn', 'float32', 'gather', T],
    ['lstm', 'float64', 'gather', T],
    ['lstm', 'float32', 'gather', T],
    ['rnn', 'float32', 'one-hot', T],
    ['rnn', 'float64', 'gather', 12], // more than 8 time steps: the concats are flat
  ] as const;
  for (const [cell, dtype, encoding, steps] of cases) {
    it(`computes what the graph as written computes (${cell}, ${dtype}, ${encoding}, T=${steps}: every output of a step)`, async () => {
      await expectAsWritten(CPU_TUNING, trainStep(cell, dtype, encoding, steps), rtolFor(dtype));
    });
  }

  it('is what ONNX Runtime executes on cpu (its GemmTransposeFusion would fold it back)', async () => {
    const { graph, feeds } = trainStep('rnn', 'float32');
    const dir = mkdtempSync(join(tmpdir(), 'weights-first-'));
    const backend = new OnnxBackend({
      device: 'cpu',
      sessionOptions: { enableProfiling: true, profileFilePrefix: join(dir, 'step') },
    });
    try {
      const exe = (await backend.compile(graph)) as OnnxExecutable;
      await exe.run(feeds);
      exe.session.endProfiling();
      const file = readdirSync(dir).find((f) => f.endsWith('.json'));
      const events = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as {
        cat: string;
        args?: { op_name?: string; input_type_shape?: Record<string, number[]>[] };
      }[];
      const gemmShapes = events
        .filter((e) => e.cat === 'Node' && e.args?.op_name === 'Gemm')
        .map((e) => JSON.stringify(e.args!.input_type_shape!.map((s) => Object.values(s)[0])));
      expect(
        gemmShapes.filter(
          (s) =>
            s ===
            JSON.stringify([
              [H, H],
              [B, H],
            ]),
        ).length,
      ).toBe(2 * T - 1);
      expect(
        gemmShapes.filter(
          (s) =>
            s ===
            JSON.stringify([
              [B, H],
              [H, H],
            ]),
        ).length,
      ).toBe(0);
    } finally {
      await backend.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WebGPU tuning of the lowering (fewer nodes: fewer dispatches)', () => {
  const nodes = (graph: Graph, tuning: LowerTuning) => lowerGraph(graph, tuning).model.graph.nodes;
  const count = (list: readonly { opType: string }[], op: string) => list.filter((n) => n.opType === op).length;

  it('adds each product into the sum it belongs to as the Gemm addend C (2T per step: T forward, T-1 backward, the bias)', () => {
    const { graph } = trainStep('rnn', 'float32');
    const [tuned, written] = [nodes(graph, WEBGPU_TUNING), nodes(graph, {})];
    // 2T adds into Gemms, and the T bias adds of the forward become one, on the stack of input projections.
    expect(count(written, 'Add') - count(tuned, 'Add')).toBe(2 * T + T - 1);
    const biasAdds = (list: typeof tuned) => list.filter((n) => n.opType === 'Add' && n.inputs.includes('b_h')).length;
    expect(biasAdds(tuned)).toBe(1);
    expect(biasAdds(nodes(graph, { ...WEBGPU_TUNING, rowsFirst: false }))).toBe(T);
    expect(count(tuned, 'Gemm')).toBe(count(written, 'Gemm'));
    expect(tuned.filter((n) => n.opType === 'Gemm' && n.inputs.length === 3).length).toBe(2 * T);
  });

  it('cuts the time steps out of a stacked value with Splits of at most 8 outputs, no Slice left', () => {
    const { graph } = trainStep('rnn', 'float32', 'gather', 12);
    const tuned = nodes(graph, WEBGPU_TUNING);
    const tilings = sliceTilings(graph);
    expect(tilings.length, 'the input projection and the output layer gradient').toBeGreaterThanOrEqual(2);
    expect(count(tuned, 'Slice')).toBe(0);
    const splits = tuned.filter((n) => n.opType === 'Split');
    for (const s of splits) expect(s.outputs.length).toBeLessThanOrEqual(MAX_SPLIT_OUTPUTS);
    // Per stack of 12: one Split into groups of 8 and 4, then one Split of each group.
    expect(splits.length).toBe(3 * tilings.length);
  });

  const cases = [
    ['rnn', 'float64', 'gather', T],
    ['rnn', 'float32', 'gather', 12],
    ['lstm', 'float32', 'gather', T],
    ['rnn', 'float32', 'one-hot', T],
  ] as const;
  for (const [cell, dtype, encoding, steps] of cases) {
    it(`computes what the graph as written computes (${cell}, ${dtype}, ${encoding}, T=${steps}; on ORT's CPU kernels)`, async () => {
      await expectAsWritten(WEBGPU_TUNING, trainStep(cell, dtype, encoding, steps), rtolFor(dtype));
    });
  }
});
