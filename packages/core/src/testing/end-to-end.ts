// Level 4, end to end: 30 SGD steps of a tiny char-RNN (V=28, H=16, B=4, T=5, the book's sequential
// sampling with the state carried between minibatches) from a fixed seed on the real corpus, on the
// backend under test, compared with the reference backend; and shorter trajectories of every other cell
// (GRU, LSTM) and of two stacked layers of each cell.
//
// Two comparisons, because long trajectories at lr=1 drift apart across engines by rounding alone:
// - step by step: both backends get the SAME inputs at every step (the reference's parameters and
//   state); the loss, the gradient norm, the new parameters and the new state must agree to the dtype's
//   tolerance. Once with the input as an embedding lookup (gather, the default) and once as the book
//   writes it (one-hot times W_xh);
// - free running: each backend follows its own trajectory; the 30 losses must stay close (looser).

import { readFileSync } from 'node:fs';
import type { Executable } from '../backend/backend.js';
import { type DType, type FloatDType, type HostTensor, scalar } from '../ir/dtype.js';
import { SeqDataLoader } from '../data/seq-data-loader.js';
import type { Batch } from '../data/seq-data-iter.js';
import type { CellName, Params } from '../nn/cell.js';
import { type InputEncoding, type ModelSpec, initParams, initState } from '../nn/model.js';
import { Random } from '../random.js';
import { buildTrainStep, pickParams, trainStepFeeds } from '../train/train-step.js';
import { expectClose, maxAbs } from './assert.js';
import type { SuiteContext } from './suite-context.js';

export const E2E_CONFIG = {
  vocabSize: 28,
  numHiddens: 16,
  batchSize: 4,
  numSteps: 5,
  steps: 30,
  lr: 1,
  theta: 1,
} as const;

/** Every cell at one and two layers; the book's RNN (one layer) keeps its historical case ids. */
const MODELS: ReadonlyArray<{ id: string; cell: CellName; numLayers: number; steps: number }> = [
  { id: 'train-steps', cell: 'rnn', numLayers: 1, steps: E2E_CONFIG.steps },
  { id: 'gru', cell: 'gru', numLayers: 1, steps: 12 },
  { id: 'lstm', cell: 'lstm', numLayers: 1, steps: 12 },
  { id: 'rnn-2-layers', cell: 'rnn', numLayers: 2, steps: 12 },
  { id: 'gru-2-layers', cell: 'gru', numLayers: 2, steps: 12 },
  { id: 'lstm-2-layers', cell: 'lstm', numLayers: 2, steps: 12 },
];

function firstBatches(count: number, corpusText?: string): Batch[] {
  const text = corpusText ?? readFileSync(new URL('../../data/timemachine.txt', import.meta.url), 'utf8');
  const loader = new SeqDataLoader({
    text,
    batchSize: E2E_CONFIG.batchSize,
    numSteps: E2E_CONFIG.numSteps,
    maxTokens: 2000,
    seed: 42,
  });
  const out: Batch[] = [];
  while (out.length < count) for (const b of loader) if (out.length < count) out.push(b);
  return out;
}

interface StepOutput {
  loss: number;
  gradNorm: number;
  params: Params;
  state: HostTensor;
}

async function runStep(
  exe: Executable,
  params: Params,
  state: HostTensor,
  batch: Batch,
  dtype: FloatDType,
): Promise<StepOutput> {
  const out = await exe.run(trainStepFeeds(batch, state, params, scalar(dtype, E2E_CONFIG.lr)));
  return { loss: out.loss.data[0], gradNorm: out.gradNorm.data[0], params: pickParams(out, params), state: out.state };
}

export function defineEndToEndLevel(ctx: SuiteContext): void {
  for (const model of MODELS) for (const dtype of ['float32', 'float64'] as const) defineModel(ctx, model, dtype);
}

function defineModel(ctx: SuiteContext, model: (typeof MODELS)[number], dtype: FloatDType & DType): void {
  const setup = async (inputEncoding: InputEncoding = 'gather') => {
    const { vocabSize, numHiddens, batchSize, numSteps, theta } = E2E_CONFIG;
    const spec: ModelSpec = { vocabSize, numHiddens, cell: model.cell, numLayers: model.numLayers };
    const graph = buildTrainStep({ ...spec, batchSize, numSteps, theta, dtype, inputEncoding });
    const params = initParams(spec, new Random(7), { dtype });
    return {
      graph,
      params,
      state: initState(spec, batchSize, dtype),
      batches: firstBatches(model.steps, ctx.corpusText),
      ours: await ctx.backend().compile(graph),
      ref: await ctx.reference().compile(graph),
    };
  };

  const stepByStep = (inputEncoding: InputEncoding) => async () => {
    const s = await setup(inputEncoding);
    const tol = ctx.tolerance(dtype);
    try {
      let params = s.params;
      let state = s.state;
      const losses: number[] = [];
      for (let k = 0; k < s.batches.length; k++) {
        const want = await runStep(s.ref, params, state, s.batches[k], dtype);
        const got = await runStep(s.ours, params, state, s.batches[k], dtype);
        const at = `e2e step ${k + 1}`;
        expectClose([got.loss], [want.loss], tol, `${at} loss`);
        expectClose([got.gradNorm], [want.gradNorm], tol, `${at} gradient norm`);
        for (const n of Object.keys(want.params)) {
          const scale = maxAbs(want.params[n].data);
          expectClose(
            got.params[n],
            want.params[n],
            { rtol: tol.rtol, atol: tol.atol + tol.rtol * scale },
            `${at} ${n}`,
          );
        }
        expectClose(got.state, want.state, { rtol: tol.rtol, atol: tol.atol + tol.rtol }, `${at} state`);
        losses.push(want.loss);
        params = want.params;
        state = want.state;
      }
      // A sanity check on the trajectory itself: tiny initial weights predict nearly uniformly
      // (loss ln 28), and 30 steps of SGD must lower the loss.
      const [first, last] = [losses[0], losses[losses.length - 1]];
      if (!(Math.abs(first - Math.log(28)) < 0.01))
        throw new Error(`e2e: the first loss ${first} is not ln 28 = ${Math.log(28)} (to 0.01)`);
      if (!(last < first - 0.2)) throw new Error(`e2e: the loss went from ${first} to ${last}, not down by 0.2`);
    } finally {
      await s.ours.dispose();
      await s.ref.dispose();
    }
  };
  ctx.test(`e2e/${model.id}/step-by-step/${dtype}`, stepByStep('gather'));
  ctx.test(`e2e/${model.id}-one-hot/step-by-step/${dtype}`, stepByStep('one-hot'));

  ctx.test(`e2e/${model.id}/free-running/${dtype}`, async () => {
    const s = await setup();
    try {
      let a = { params: s.params, state: s.state };
      let b = { params: s.params, state: s.state };
      const ours: number[] = [];
      const ref: number[] = [];
      for (const batch of s.batches) {
        const x = await runStep(s.ours, a.params, a.state, batch, dtype);
        const y = await runStep(s.ref, b.params, b.state, batch, dtype);
        ours.push(x.loss);
        ref.push(y.loss);
        a = x;
        b = y;
      }
      // Rounding differences grow along a trajectory: allow 100x the per-step tolerance.
      const tol = ctx.tolerance(dtype);
      expectClose(ours, ref, { rtol: tol.rtol * 100, atol: tol.atol * 100 }, 'e2e free-running losses');
    } finally {
      await s.ours.dispose();
      await s.ref.dispose();
    }
  });
}
