// Small training runs for the generated pages: the same run as `rnn-scratch train` (core's startRun/trainRun)
// on the reference backend, at sizes that train in seconds, recording what the pages plot.

import { readFileSync } from 'node:fs';

import {
  DivergenceError,
  ReferenceBackend,
  type Params,
  type RunConfig,
  type Vocab,
  heldOut,
  runConfig,
  startRun,
  trainRun,
} from '@rnn-scratch/core';

const CORPUS = new URL('../../../packages/core/data/timemachine.txt', import.meta.url);
const corpus = { text: readFileSync(CORPUS, 'utf8'), path: null, sha256: '', source: 'timemachine.txt' };

/** The size every small run starts from (the book's settings otherwise). */
export const SMALL_RUN: Partial<RunConfig> = {
  numHiddens: 32,
  batchSize: 8,
  numSteps: 10,
  maxTokens: 2000,
  numEpochs: 30,
};

export interface SmallRun {
  /** Training perplexity per epoch. */
  readonly history: number[];
  /** Held-out perplexity per epoch (with `validTokens`). */
  readonly valid: number[];
  /** The global gradient norm of every minibatch, per epoch (before clipping). */
  readonly norms: number[][];
  /** Where training diverged, if it did. */
  readonly diverged?: { epoch: number; step?: number; quantity: string };
  readonly params: Params;
  readonly vocab: Vocab;
}

/** Train one small run to the end (or to its divergence). */
export async function smallRun(changes: Partial<RunConfig>): Promise<SmallRun> {
  const run = startRun(runConfig({ ...SMALL_RUN, ...changes }), corpus);
  if (run.config.validTokens > 0) run.valid = heldOut(run, { tokens: run.config.validTokens });
  const history: number[] = [];
  const valid: number[] = [];
  const norms: number[][] = [];
  let diverged: SmallRun['diverged'];
  try {
    await trainRun(run, {
      backend: new ReferenceBackend(),
      every: 1,
      prefixes: [],
      onStep: ({ step, gradNorm }) => (step === 1 ? norms.push([gradNorm]) : norms.at(-1)!.push(gradNorm)),
      onEpoch: (e) => {
        history.push(e.perplexity);
        if (e.validPerplexity !== undefined) valid.push(e.validPerplexity);
      },
    });
  } catch (err) {
    if (!(err instanceof DivergenceError)) throw err;
    diverged = { epoch: err.epoch, step: err.step, quantity: err.quantity };
  }
  return { history, valid, norms, diverged, params: run.state.params, vocab: run.vocab };
}

/** A per-epoch list (epoch 1 first) as a chart series. */
export const epochCurve = (label: string, ys: readonly number[]) => ({
  label,
  points: ys.map((y, i) => ({ x: i + 1, y })),
});
