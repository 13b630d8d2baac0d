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
  /** 0: greedy, as the book; > 0: sample from softmax(logits / temperature). */
  readonly temperature: number;
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
  temperature: 0,
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

/** One generated character and the distribution it was chosen from (the most likely candidates). */
export interface PredictedStep {
  readonly chosen: string;
  /** [token, probability], most likely first: softmax(logits / temperature), or softmax(logits) when greedy. */
  readonly top: readonly (readonly [string, number])[];
}

export interface Prediction {
  readonly prefix: string;
  readonly temperature: number;
  readonly text: string;
  readonly steps: readonly PredictedStep[];
}

export type ToEngine =
  | { readonly type: 'start'; readonly config: DemoConfig }
  | { readonly type: 'stop' }
  | { readonly type: 'predict'; readonly prefix: string; readonly temperature: number };

export type FromEngine =
  | { readonly type: 'ready'; readonly info: DemoInfo }
  | {
      readonly type: 'epoch';
      readonly epoch: number;
      readonly epochs: number;
      readonly perplexity: number;
      readonly tokensPerSec: number;
      /** The global gradient norm BEFORE clipping of every minibatch of this epoch. */
      readonly gradNorms: readonly number[];
      readonly theta: number;
      readonly prediction: Prediction;
    }
  | { readonly type: 'prediction'; readonly prediction: Prediction }
  | { readonly type: 'finished'; readonly reason: 'done' | 'stopped'; readonly epoch: number }
  | { readonly type: 'error'; readonly message: string };
