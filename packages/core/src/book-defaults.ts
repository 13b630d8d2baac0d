// The book's settings for 8.5, in one place: the CLI's defaults, the docs generator and the live demo
// all read this object, so "what the book does" is written down exactly once.

import type { Preprocessing } from './data/preprocess.js';
import type { Activation, CellName } from './nn/cell.js';
import type { Init } from './nn/model.js';
import type { Bptt, Sampler } from './train/train-loop.js';

export interface BookSettings {
  readonly cell: CellName;
  readonly numLayers: number;
  readonly init: Init;
  readonly activation: Activation;
  readonly embedSize: number;
  readonly bptt: Bptt;
  readonly validTokens: number;
  readonly validCorpus: string | null;
  readonly numHiddens: number;
  readonly batchSize: number;
  readonly numSteps: number;
  readonly maxTokens: number;
  readonly numEpochs: number;
  readonly lr: number;
  readonly theta: number;
  readonly sampler: Sampler;
  readonly preprocess: Preprocessing;
  readonly seed: number;
  readonly every: number;
  readonly prefixes: readonly string[];
  readonly numPreds: number;
}

// #region book-defaults
/**
 * d2l 8.5's run: `batch_size, num_steps = 32, 35`, `load_data_time_machine(..., max_tokens=10000)`,
 * `num_hiddens = 512`, `num_epochs, lr = 500, 1`, `grad_clipping(net, 1)`, sequential partitioning, the
 * book's letters-only preprocessing, a prediction of 50 characters after 'time traveller' every 10 epochs
 * and after 'time traveller' and 'traveller' at the end. The book does not seed its runs; we use seed 0.
 */
export const BOOK_DEFAULTS: BookSettings = Object.freeze({
  cell: 'rnn',
  numLayers: 1,
  init: 'normal',
  activation: 'tanh',
  embedSize: 0,
  bptt: 'minibatch',
  validTokens: 0,
  validCorpus: null,
  numHiddens: 512,
  batchSize: 32,
  numSteps: 35,
  maxTokens: 10000,
  numEpochs: 500,
  lr: 1,
  theta: 1,
  sampler: 'sequential',
  preprocess: 'book',
  seed: 0,
  every: 10,
  prefixes: ['time traveller', 'traveller'],
  numPreds: 50,
});
// #endregion book-defaults
