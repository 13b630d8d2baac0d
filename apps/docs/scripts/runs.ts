// The small training runs the docs show (pages 2, 5, 6, 7 and their figures), on the reference backend.
// Each run is computed once per `generate()` and shared: the curve of page 7, the gradient norms of page 6
// and the predictions of page 5 all come from the SAME sequential run, so their numbers agree.
//
// Sizes are small (H=32, 2,000 characters) so that the generator, which the docs test runs again, stays fast.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  BOOK_DEFAULTS,
  type Graph,
  GraphBuilder,
  PARAM_NAMES,
  Random,
  ReferenceBackend,
  type RnnParams,
  type Sampler,
  SeqDataLoader,
  type Sym,
  buildTrainStep,
  clipByGlobalNorm,
  getParams,
  gradients,
  iteratorFor,
  optimizeGraph,
  paramInputs,
  modelForward,
  sgd,
  softmaxCrossEntropy,
  trainEpoch,
} from '@rnn-scratch/core';

import { repoRoot } from './paths.ts';

export const corpusText = (): string => readFileSync(join(repoRoot, 'packages/core/data/timemachine.txt'), 'utf8');

export const SMALL = { numHiddens: 32, batchSize: 8, numSteps: 10, maxTokens: 2000, lr: BOOK_DEFAULTS.lr };

/** How many epochs the shared sequential run trains (page 5 shows its predictions up to the last one). */
export const SEQUENTIAL_EPOCHS = 60;
/** How many epochs the comparison runs train (samplers, wrong labels, updater batch size). */
export const COMPARE_EPOCHS = 30;

export function smallLoader(sampler: Sampler, seed = 0): SeqDataLoader {
  const { batchSize, numSteps, maxTokens } = SMALL;
  return new SeqDataLoader({
    text: corpusText(),
    batchSize,
    numSteps,
    maxTokens,
    iterator: iteratorFor(sampler),
    seed,
  });
}

export interface SmallRun {
  readonly sampler: Sampler;
  /** Training perplexity of each epoch (index 0 = epoch 1). */
  readonly perplexity: number[];
  /** The global gradient norm BEFORE clipping of every minibatch, per epoch. */
  readonly gradNorms: number[][];
  /** The parameters after each epoch (index 0 = after epoch 1), and before training (`initial`). */
  readonly params: RnnParams[];
  readonly initial: RnnParams;
}

async function trainRun(sampler: Sampler, epochs: number, graph: Graph, seed = 0): Promise<SmallRun> {
  const loader = smallLoader(sampler, seed);
  const step = await new ReferenceBackend().compile(graph);
  const initial = getParams(loader.vocab.length, SMALL.numHiddens, new Random(seed));
  let params = initial;
  const run: SmallRun = { sampler, perplexity: [], gradNorms: [], params: [], initial };
  for (let e = 1; e <= epochs; e++) {
    const norms: number[] = [];
    const r = await trainEpoch(step, params, loader, {
      sampler,
      lr: SMALL.lr,
      epoch: e,
      onStep: (s) => norms.push(s.gradNorm),
    });
    params = r.params;
    run.perplexity.push(r.perplexity);
    run.gradNorms.push(norms);
    run.params.push(params);
  }
  await step.dispose();
  return run;
}

function smallTrainStep(updateBatchSize = 1): Graph {
  const { numHiddens, batchSize, numSteps } = SMALL;
  return buildTrainStep({ vocabSize: 28, numHiddens, batchSize, numSteps, updateBatchSize });
}

const cache = new Map<string, Promise<SmallRun>>();
function cached(key: string, make: () => Promise<SmallRun>): Promise<SmallRun> {
  let run = cache.get(key);
  if (!run) cache.set(key, (run = make()));
  return run;
}

/** The book's training at small size, with one of the three samplers (sequential trains the longest). */
export function samplerRun(sampler: Sampler): Promise<SmallRun> {
  const epochs = sampler === 'sequential' ? SEQUENTIAL_EPOCHS : COMPARE_EPOCHS;
  return cached(`sampler:${sampler}`, () => trainRun(sampler, epochs, smallTrainStep()));
}

/** The sequential training with `updater(batch_size=updateBatchSize)` instead of the book's 1. */
export function updateBatchSizeRun(updateBatchSize: number): Promise<SmallRun> {
  return cached(`ubs:${updateBatchSize}`, () =>
    trainRun('sequential', COMPARE_EPOCHS, smallTrainStep(updateBatchSize)),
  );
}

/** The sequential training with the silent bug of page 2: labels flattened without the transpose. */
export function wrongLabelsRun(): Promise<SmallRun> {
  return cached('wrong-labels', () => trainRun('sequential', COMPARE_EPOCHS, buildTrainStepWrongLabels()));
}

/**
 * buildTrainStep with ONE change: the labels are flattened batch-major (`Y.reshape(-1)`) while the outputs
 * are time-major. Everything else is the real core code. Used only to show what the bug does.
 */
function buildTrainStepWrongLabels(): Graph {
  const { numHiddens, batchSize, numSteps } = SMALL;
  const vocabSize = 28;
  const b = new GraphBuilder();
  const X = b.input('X', 'int32', [batchSize, numSteps]);
  const Y = b.input('Y', 'int32', [batchSize, numSteps]);
  const state = b.input('state', 'float32', [batchSize, numHiddens]);
  const params = paramInputs(b, { vocabSize, numHiddens }, 'float32');
  const lr = b.input('lr', 'float32', []);
  const { logits, state: newState } = modelForward(X, state, params, { vocabSize, numHiddens });
  const y = Y.reshape([numSteps * batchSize]); // BUG: should be Y.transpose().reshape(...)
  const loss = softmaxCrossEntropy(logits, y);
  const list: Sym[] = PARAM_NAMES.map((name) => params[name]);
  const { clipped, norm } = clipByGlobalNorm(gradients(loss, list), 1);
  const updated = sgd(list, clipped, lr);
  PARAM_NAMES.forEach((name, i) => b.output(name, updated[i]));
  b.output('loss', loss);
  b.output('state', newState);
  b.output('gradNorm', norm);
  return optimizeGraph(b.build()); // the same passes as the real train step
}
