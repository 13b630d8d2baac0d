// The exchange format for cross-checking against another implementation (bench/torch_rnn.py):
// the initial parameters as safetensors and the first minibatches as JSON, with a flag per batch that
// says whether the state is reset (random samplers) or carried (sequential).

import type { Batch } from '../data/seq-data-iter.js';
import type { RnnParams } from '../nn/rnn.js';
import { PARAM_NAMES } from '../nn/rnn.js';
import type { Sampler } from '../train/train-loop.js';
import { encodeSafetensors } from './safetensors.js';

export interface ExchangeBatch {
  readonly X: number[][];
  readonly Y: number[][];
  readonly resetState: boolean;
}

export interface Exchange {
  readonly vocabSize: number;
  readonly numHiddens: number;
  readonly lr: number;
  readonly theta: number;
  readonly sampler: Sampler;
  readonly idxToToken: readonly string[];
  readonly batches: readonly ExchangeBatch[];
}

function rows(data: Int32Array, batchSize: number, numSteps: number): number[][] {
  return Array.from({ length: batchSize }, (_, b) => Array.from(data.subarray(b * numSteps, (b + 1) * numSteps)));
}

/** Take the first `steps` minibatches (over as many epochs as needed) and describe them for replay. */
export function makeExchange(
  epochs: Iterable<Batch> & { readonly batchSize: number; readonly numSteps: number },
  params: RnnParams,
  idxToToken: readonly string[],
  options: { steps: number; lr: number; theta: number; sampler: Sampler },
): { json: Exchange; params: Uint8Array } {
  const batches: ExchangeBatch[] = [];
  while (batches.length < options.steps) {
    let first = true;
    let any = false;
    for (const batch of epochs) {
      if (batches.length >= options.steps) break;
      any = true;
      const [B, T] = batch.shape;
      batches.push({
        X: rows(batch.X, B, T),
        Y: rows(batch.Y, B, T),
        resetState: first || options.sampler !== 'sequential',
      });
      first = false;
    }
    if (!any) throw new Error('makeExchange: the data source yields no minibatches');
  }
  const tensors = Object.fromEntries(PARAM_NAMES.map((n) => [n, params[n]]));
  return {
    json: {
      vocabSize: params.W_xh.shape[0],
      numHiddens: params.W_hh.shape[0],
      lr: options.lr,
      theta: options.theta,
      sampler: options.sampler,
      idxToToken,
      batches,
    },
    params: encodeSafetensors(tensors, { format: 'pt' }),
  };
}
