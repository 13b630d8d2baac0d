// The exchange format for cross-checking against another implementation (bench/torch_rnn.py):
// the initial parameters as safetensors and the first minibatches as JSON, with a flag per batch that
// says whether the state is reset (random samplers) or carried (sequential).

import type { Batch } from '../data/seq-data-iter.js';
import type { CellName, Params } from '../nn/cell.js';
import { modelOf } from '../nn/model.js';
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
  readonly cell: CellName;
  readonly numLayers: number;
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
  params: Params,
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
  const { vocabSize, numHiddens, cell = 'rnn', numLayers = 1 } = modelOf(params);
  return {
    json: {
      vocabSize,
      numHiddens,
      cell,
      numLayers,
      lr: options.lr,
      theta: options.theta,
      sampler: options.sampler,
      idxToToken,
      batches,
    },
    params: encodeSafetensors(params, { format: 'pt' }),
  };
}
