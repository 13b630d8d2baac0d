/**
 * The data loader for the RNN chapter (d2l 8.3.4, `SeqDataLoader` and `load_data_time_machine`).
 *
 * ```python
 * class SeqDataLoader:
 *     def __init__(self, batch_size, num_steps, use_random_iter, max_tokens):
 *         self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
 *         self.corpus, self.vocab = load_corpus_time_machine(max_tokens)
 *         self.batch_size, self.num_steps = batch_size, num_steps
 *     def __iter__(self):
 *         return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)
 * ```
 *
 * Every `for (const { X, Y } of loader)` is one epoch, and each epoch draws a fresh offset (and, for random
 * sampling, a fresh shuffle) from the loader's random source, just as each Python epoch calls `iter(loader)`.
 * The loader never reads files, so it also runs in a browser: pass the text in. (In Node,
 * `loadDataTimeMachineFromFile` in `@rnn-scratch/core/node` reads the bundled file for you.)
 */

import { checkInteger, DataError } from './data-error.js';
import { loadCorpusTimeMachine } from './corpus.js';
import type { Preprocessing } from './preprocess.js';
import {
  checkCorpusLength,
  numBatchesPerEpoch,
  seqDataIterRandom,
  seqDataIterSequential,
  type Batch,
  type DataIterator,
} from './seq-data-iter.js';
import type { Vocab } from './vocab.js';
import { BOOK_DEFAULTS } from '../book-defaults.js';
import { Random, type RandomSource } from '../random.js';

/** d2l's default: only the first 10,000 characters of the book are used for training. */
export const DEFAULT_MAX_TOKENS: number = BOOK_DEFAULTS.maxTokens;

export interface SeqDataLoaderOptions {
  /** The raw text (e.g. the contents of timemachine.txt). */
  text: string;
  /** Number of subsequences per minibatch (the book: 32). */
  batchSize: number;
  /** Number of time steps per subsequence (the book: 35). */
  numSteps: number;
  /** 'sequential' (default, the book's choice) or 'random'. */
  iterator?: DataIterator;
  /** d2l's name for the iterator choice: `true` means 'random'. Must agree with `iterator` if both are given. */
  useRandomIter?: boolean;
  /** Keep only the first `maxTokens` tokens; 0 or negative keeps all. Default 10,000 as in the book. */
  maxTokens?: number;
  /** Seed for a new `Random` that draws the offsets and shuffles. Ignored when `rng` is given. */
  seed?: number;
  /** Draw offsets and shuffles from this source instead (e.g. to share one generator, or a test stub). */
  rng?: RandomSource;
  /** Line preprocessing: 'book' (default) or 'unicode'. */
  preprocess?: Preprocessing;
  /** Where the text came from, for error messages (default 'corpus text'). */
  source?: string;
}

export class SeqDataLoader implements Iterable<Batch> {
  /** Token indices of the (possibly truncated) text. */
  readonly corpus: Int32Array;
  /** The vocabulary of the FULL text. */
  readonly vocab: Vocab;
  readonly batchSize: number;
  readonly numSteps: number;
  readonly iterator: DataIterator;
  /** Tokens in the whole text before truncation. */
  readonly totalTokens: number;
  /** The random source that draws each epoch's offset (and shuffle). */
  readonly rng: RandomSource;
  /** The seed of `rng` when the loader created it; undefined when you passed your own `rng`. */
  readonly seed: number | undefined;
  /**
   * Minibatches per epoch. It can depend on the random offset, so this gives the range over all offsets;
   * for the book's settings both ends are 8.
   */
  readonly numBatches: { min: number; max: number };

  constructor(options: SeqDataLoaderOptions) {
    const {
      text,
      batchSize,
      numSteps,
      maxTokens = DEFAULT_MAX_TOKENS,
      preprocess = 'book',
      source = 'corpus text',
    } = options;
    checkInteger('SeqDataLoader', 'batchSize', batchSize);
    checkInteger('SeqDataLoader', 'numSteps', numSteps);
    this.iterator = resolveIterator(options.iterator, options.useRandomIter);
    this.batchSize = batchSize;
    this.numSteps = numSteps;

    const { corpus, vocab, totalTokens } = loadCorpusTimeMachine(text, maxTokens, { preprocess, source });
    const cut = corpus.length < totalTokens ? `; first ${corpus.length} of ${totalTokens} kept by maxTokens` : '';
    // Fail now, with a clear message, rather than yield no minibatches at all.
    checkCorpusLength(this.iterator, corpus.length, batchSize, numSteps, undefined, ` (${source}${cut})`);
    this.corpus = corpus;
    this.vocab = vocab;
    this.totalTokens = totalTokens;

    if (options.rng) {
      this.rng = options.rng;
      this.seed = undefined;
    } else {
      // No seed: pick one at random (the book's runs are unseeded), but remember it so a run can be repeated.
      this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
      this.rng = new Random(this.seed);
    }
    this.numBatches = numBatchesPerEpoch(this.iterator, corpus.length, batchSize, numSteps);
  }

  /** Label tokens per epoch (= numBatches * batchSize * numSteps); the book's speed counts these. */
  get labelTokensPerEpoch(): { min: number; max: number } {
    const perBatch = this.batchSize * this.numSteps;
    return { min: this.numBatches.min * perBatch, max: this.numBatches.max * perBatch };
  }

  /** One epoch of minibatches. Each call starts a new epoch with a new random offset. */
  [Symbol.iterator](): Generator<Batch, void, undefined> {
    const iterate = this.iterator === 'random' ? seqDataIterRandom : seqDataIterSequential;
    return iterate(this.corpus, this.batchSize, this.numSteps, this.rng);
  }
}

/** Turn the `iterator` / `useRandomIter` pair into one iterator name, rejecting contradictions. */
function resolveIterator(iterator: DataIterator | undefined, useRandomIter: boolean | undefined): DataIterator {
  if (iterator !== undefined && iterator !== 'sequential' && iterator !== 'random') {
    throw new DataError(
      'BAD_OPTION',
      `SeqDataLoader: iterator must be 'sequential' or 'random', got '${String(iterator)}'`,
    );
  }
  const fromFlag: DataIterator | undefined =
    useRandomIter === undefined ? undefined : useRandomIter ? 'random' : 'sequential';
  if (iterator !== undefined && fromFlag !== undefined && iterator !== fromFlag) {
    throw new DataError(
      'BAD_OPTION',
      `SeqDataLoader: iterator '${iterator}' contradicts useRandomIter ${String(useRandomIter)}`,
    );
  }
  return iterator ?? fromFlag ?? 'sequential';
}

export interface LoadDataOptions {
  seed?: number;
  rng?: RandomSource;
  preprocess?: Preprocessing;
  source?: string;
}

/**
 * d2l's `load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000)`, given the
 * text. Returns the loader and its vocabulary, so that `const [trainIter, vocab] = loadDataTimeMachine(...)`
 * reads like the book's `train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)`.
 */
export function loadDataTimeMachine(
  text: string,
  batchSize: number,
  numSteps: number,
  useRandomIter = false,
  maxTokens = DEFAULT_MAX_TOKENS,
  options: LoadDataOptions = {},
): [SeqDataLoader, Vocab] {
  const loader = new SeqDataLoader({ ...options, text, batchSize, numSteps, useRandomIter, maxTokens });
  return [loader, loader.vocab];
}
