// Messages between the live demo page and its training engine (normally inside a Web Worker).

import { BOOK_DEFAULTS, type BackendStatus, type Sampler } from '@rnn-scratch/core';

export interface DemoConfig {
  /** The backend id to train on, e.g. `onnx:wasm` (one of the `backends` message's). */
  readonly backend: string;
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

/** The sizes a preset fixes. */
export type PresetSizes = Pick<DemoConfig, 'numHiddens' | 'batchSize' | 'numSteps' | 'maxTokens' | 'epochs' | 'lr'>;

export const PRESETS: { readonly quick: PresetSizes; readonly book: PresetSizes } = {
  /** Small enough for any backend to show results within seconds. */
  quick: { numHiddens: 64, batchSize: 8, numSteps: 16, maxTokens: 2000, epochs: 40, lr: BOOK_DEFAULTS.lr },
  /** The book's run: d2l 8.5's sizes and 500 epochs. */
  book: {
    numHiddens: BOOK_DEFAULTS.numHiddens,
    batchSize: BOOK_DEFAULTS.batchSize,
    numSteps: BOOK_DEFAULTS.numSteps,
    maxTokens: BOOK_DEFAULTS.maxTokens,
    epochs: BOOK_DEFAULTS.numEpochs,
    lr: BOOK_DEFAULTS.lr,
  },
};

export const DEFAULT_CONFIG: DemoConfig = {
  backend: 'reference:cpu',
  ...PRESETS.quick,
  theta: BOOK_DEFAULTS.theta,
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

/** A checkpoint's two files, in the CLI's format. */
export interface CheckpointFiles {
  readonly 'checkpoint.json': string;
  readonly 'params.safetensors': Uint8Array;
}

/** What the page shows of a checkpoint it loaded. */
export interface LoadedInfo {
  readonly epoch: number;
  readonly numEpochs: number;
  readonly backend: string;
  readonly numHiddens: number;
  readonly cell: string;
  readonly history: readonly number[];
  /** Why training cannot continue from it here (another corpus...), when it cannot. */
  readonly cannotResume?: string;
}

export type ToEngine =
  | { readonly type: 'backends' }
  | { readonly type: 'start'; readonly config: DemoConfig }
  | { readonly type: 'stop' }
  | { readonly type: 'resume'; readonly backend: string; readonly epochs: number }
  | { readonly type: 'predict'; readonly prefix: string; readonly temperature: number }
  | { readonly type: 'checkpoint' }
  | { readonly type: 'load'; readonly files: CheckpointFiles; readonly backend: string };

export type FromEngine =
  | {
      readonly type: 'backends';
      readonly statuses: readonly BackendStatus[];
      /** What core's registry takes for `auto` among them: the best that is not a software GPU. */
      readonly choice: string | undefined;
      /** Why onnx's wasm device runs on one thread here, when that is because of the page. */
      readonly threadsNote?: string;
    }
  | { readonly type: 'ready'; readonly info: DemoInfo }
  | {
      readonly type: 'progress';
      readonly epoch: number;
      readonly step: number;
      readonly steps: number;
      /** This minibatch's mean loss. */
      readonly loss: number;
    }
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
  | { readonly type: 'checkpoint'; readonly files: CheckpointFiles }
  | { readonly type: 'loaded'; readonly info: LoadedInfo; readonly prediction: Prediction }
  | { readonly type: 'error'; readonly message: string };
