// The weights-first lowering of products with few rows (lower.ts), which the cpu device uses: which
// products it rewrites, that the numbers are those of the products as written (float64 and float32, RNN and
// LSTM train steps), and that ONNX Runtime runs it as lowered instead of folding it back.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CellName,
  type FloatDType,
  type Graph,
  Random,
  buildTrainStep,
  initParams,
  initState,
  scalar,
  tensor,
} from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxBackend, type OnnxExecutable } from '../src/backend.js';
import { lowerGraph, weightsFirstProducts } from '../src/lower.js';
import { OnnxSessionBackend } from '../src/session.js';
import { expectClose, rtolFor } from './helpers.js';

const B = 4;
const T = 5;
const V = 11;
const H = 24;

function trainStep(cell: CellName, dtype: FloatDType) {
  const spec = { vocabSize: V, numHiddens: H, cell };
  const graph = buildTrainStep({ ...spec, batchSize: B, numSteps: T, dtype });
  const rng = new Random(7);
  const ids = () =>
    tensor(
      'int32',
      [B, T],
      Array.from({ length: B * T }, () => rng.randbelow(V)),
    );
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

function sessionBackend(weightsFirst: boolean): OnnxSessionBackend {
  return new OnnxSessionBackend({
    ort,
    device: 'cpu',
    floatPrecision: 64,
    sessionOptions: () => ({ executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1 }),
    weightsFirst,
  });
}

const gemmInputs = (graph: Graph) =>
  lowerGraph(graph, { weightsFirst: true })
    .model.graph.nodes.filter((n) => n.opType === 'Gemm')
    .map((n) => n.inputs);

describe('weights-first products', () => {
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

  it('leaves a product alone when its weight would need a transpose that only it uses', () => {
    const { graph } = trainStep('rnn', 'float32');
    // dW_hq = H^T @ dY has H rows, dH = dY @ W_hq^T has B*T rows: only products with W_hh are rewritten.
    const W_hh = graph.inputs.find((i) => i.name === 'W_hh')!.id;
    for (const id of weightsFirstProducts(graph)) expect(graph.nodes[id].inputs).toContain(W_hh);
  });

  for (const cell of ['rnn', 'lstm'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`computes the products as written (${cell}, ${dtype}: every output of a train step)`, async () => {
        const { graph, feeds } = trainStep(cell, dtype);
        const first = sessionBackend(true);
        const written = sessionBackend(false);
        try {
          const got = await (await first.compile(graph)).run(feeds);
          const want = await (await written.compile(graph)).run(feeds);
          for (const name of Object.keys(want)) expectClose(got[name], want[name], name, rtolFor(dtype));
        } finally {
          await first.dispose();
          await written.dispose();
        }
      });
    }
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
