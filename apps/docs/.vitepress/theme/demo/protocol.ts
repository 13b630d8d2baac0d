// Messages between the live demo page and its training engine (normally inside a Web Worker).

import { BOOK_DEFAULTS, type Sampler } from '@rnn-scratch/core';

export interface DemoConfig {
  readonly numHiddens: number;
  readonly batchSize: number;
  readonly numSteps: number;
  /** Characters of the book used for training (the vocabulary is always built from the whole book). */
  readonly maxTokens: number;
  readonly lr: number;
  readonly theta: number;
  readonly epochs: number;
  readonly sampler: Sampler;
  readonly seed: number;
  readonly prefix: string;
  readonly numPreds: number;
}

/** The book's settings, at sizes the reference backend trains in a browser within a minute. */
export const DEFAULT_CONFIG: DemoConfig = {
  numHiddens: 64,
  batchSize: 8,
  numSteps: 16,
  maxTokens: 2000,
  lr: BOOK_DEFAULTS.lr,
  theta: BOOK_DEFAULTS.theta,
  epochs: 40,
  sampler: BOOK_DEFAULTS.sampler,
  seed: BOOK_DEFAULTS.seed,
  prefix: BOOK_DEFAULTS.prefixes[0],
  numPreds: 40,
};

export interface ShapeRow {
  /** What the value is called in the book / in the code. */
  readonly name: string;
  /** Its type in the compiled graph, e.g. `f32[8,64]`. */
  readonly type: string;
}

export interface DemoInfo {
  readonly backend: string;
  readonly vocabSize: number;
  readonly corpusLength: number;
  readonly batchesPerEpoch: number;
  readonly numParams: number;
  readonly graphNodes: number;
  readonly shapes: readonly ShapeRow[];
}

export type ToEngine =
  | { readonly type: 'start'; readonly config: DemoConfig }
  | { readonly type: 'stop' }
  | { readonly type: 'predict'; readonly prefix: string };

export type FromEngine =
  | { readonly type: 'ready'; readonly info: DemoInfo }
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly epochs: number;
      readonly perplexity: number;
      readonly tokensPerSec: number;
      readonly prefix: string;
      readonly prediction: string;
    }
  | { readonly type: 'prediction'; readonly prefix: string; readonly text: string }
  | { readonly type: 'finished'; readonly reason: 'done' | 'stopped'; readonly epoch: number }
  | { readonly type: 'error'; readonly message: string };
