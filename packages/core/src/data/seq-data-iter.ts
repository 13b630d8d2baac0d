/**
 * Minibatches of subsequences (d2l 8.3.4): cut the long corpus into pieces of `numSteps` tokens, group
 * `batchSize` of them into a minibatch, and pair each input X with its label Y, which is X shifted one token
 * to the right (the model learns to predict the NEXT token at every step).
 *
 * Both iterators start each epoch at a random offset, so over many epochs the model sees every way of
 * cutting the text. They differ in how the pieces are ordered:
 *
 * - SEQUENTIAL partitioning (`seq_data_iter_sequential`, the default; the book uses it for both runs of 8.5):
 *   the text is cut into `batchSize` long contiguous rows, and minibatch i holds columns
 *   [i*numSteps, (i+1)*numSteps) of those rows. Row b of minibatch i+1 therefore CONTINUES row b of
 *   minibatch i, so the hidden state can be carried from one minibatch to the next.
 * - RANDOM sampling (`seq_data_iter_random`): the text is cut into non-overlapping pieces of `numSteps` tokens,
 *   the pieces are shuffled, and each minibatch takes `batchSize` of them. Neighbouring minibatches are
 *   unrelated, so the state must be reset for every minibatch.
 *
 * Every minibatch is a pair of `Int32Array`s of length batchSize * numSteps holding a (batchSize, numSteps)
 * matrix in row-major order: `X[b * numSteps + t]` is token t of row b.
 */

import { checkInteger, DataError } from './data-error.js';
import type { RandomSource } from '../random.js';

/** Which iterator: d2l's `use_random_iter=False` is 'sequential', `True` is 'random'. */
export type DataIterator = 'sequential' | 'random';

/** One minibatch: inputs X and labels Y, both (batchSize, numSteps) row-major. */
export interface Batch {
  /** Input token indices, `X[b * numSteps + t]`. */
  X: Int32Array;
  /** Label token indices: `Y[b * numSteps + t]` is the token that follows `X[b * numSteps + t]` in the text. */
  Y: Int32Array;
  /** `[batchSize, numSteps]`. */
  shape: readonly [batchSize: number, numSteps: number];
}

export interface SeqDataIterOptions {
  /**
   * Use this offset instead of drawing a random one (for tests and for teaching examples like the book's
   * toy output). Sequential: 0..numSteps. Random: 0..numSteps-1.
   */
  offset?: number;
}

/**
 * The largest random offset of each iterator. The ranges differ, as in d2l:
 * `random.randint(0, num_steps)` (inclusive, so numSteps + 1 values) for sequential partitioning and
 * `random.randint(0, num_steps - 1)` for random sampling.
 */
export function maxRandomOffset(iterator: DataIterator, numSteps: number): number {
  return iterator === 'sequential' ? numSteps : numSteps - 1;
}

/**
 * Minibatches in one epoch of SEQUENTIAL partitioning that starts at `offset`:
 * the usable tokens are `((len - offset - 1) // B) * B` (the -1 leaves room for the last label), i.e.
 * `(len - offset - 1) // B` columns per row, of which `// numSteps` full minibatches fit.
 */
export function numBatchesSequential(
  corpusLength: number,
  batchSize: number,
  numSteps: number,
  offset: number,
): number {
  const columns = Math.floor((corpusLength - offset - 1) / batchSize);
  return Math.max(0, Math.floor(columns / numSteps));
}

/**
 * Minibatches in one epoch of RANDOM sampling that starts at `offset`: there are
 * `(len - offset - 1) // numSteps` subsequences and every full group of `batchSize` is one minibatch
 * (the last `numSubseqs % batchSize` subsequences are not used in that epoch).
 */
export function numBatchesRandom(corpusLength: number, batchSize: number, numSteps: number, offset: number): number {
  const numSubseqs = Math.floor((corpusLength - offset - 1) / numSteps);
  return Math.max(0, Math.floor(numSubseqs / batchSize));
}

/**
 * The fewest and most minibatches an epoch can have, over all possible random offsets. A larger offset never
 * gives more minibatches, so the extremes are at offset 0 (max) and the largest offset (min).
 * For the book's settings (10,000 tokens, batchSize 32, numSteps 35) both iterators always give 8.
 */
export function numBatchesPerEpoch(
  iterator: DataIterator,
  corpusLength: number,
  batchSize: number,
  numSteps: number,
): { min: number; max: number } {
  const count = iterator === 'sequential' ? numBatchesSequential : numBatchesRandom;
  return {
    min: count(corpusLength, batchSize, numSteps, maxRandomOffset(iterator, numSteps)),
    max: count(corpusLength, batchSize, numSteps, 0),
  };
}

/**
 * The shortest corpus that still fills ONE minibatch for every possible offset (or for the given offset):
 * batchSize * numSteps input tokens, plus 1 because the labels are shifted by one, plus the offset.
 */
export function minCorpusLength(iterator: DataIterator, batchSize: number, numSteps: number, offset?: number): number {
  return batchSize * numSteps + 1 + (offset ?? maxRandomOffset(iterator, numSteps));
}

/**
 * Throw a CORPUS_TOO_SHORT DataError when `corpusLength` cannot fill one minibatch (at every offset, or at
 * the given one). `detail` is appended to say where the tokens came from (e.g. the maxTokens truncation).
 */
export function checkCorpusLength(
  iterator: DataIterator,
  corpusLength: number,
  batchSize: number,
  numSteps: number,
  offset?: number,
  detail = '',
): void {
  const need = minCorpusLength(iterator, batchSize, numSteps, offset);
  if (corpusLength >= need) return;
  const shiftedLabels = `${batchSize}*${numSteps} + 1 for the shifted labels`;
  const why =
    offset === undefined
      ? `${shiftedLabels} + up to ${maxRandomOffset(iterator, numSteps)} for the ${iterator} iterator's random offset`
      : `${shiftedLabels} + offset ${offset}`;
  const what = `corpus has ${corpusLength} tokens${detail}`;
  throw new DataError(
    'CORPUS_TOO_SHORT',
    `${what} but one minibatch of batch size ${batchSize} x ${numSteps} steps needs at least ${need} (${why})`,
  );
}

/** Validate the arguments shared by both iterators; `where` names the caller in messages. */
function checkArgs(
  where: string,
  iterator: DataIterator,
  corpus: ArrayLike<number>,
  batchSize: number,
  numSteps: number,
  offset: number | undefined,
): void {
  checkInteger(where, 'batchSize', batchSize);
  checkInteger(where, 'numSteps', numSteps);
  if (offset !== undefined) {
    const top = maxRandomOffset(iterator, numSteps);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > top) {
      throw new DataError('BAD_SIZE', `${where}: offset must be an integer in 0..${top}, got ${String(offset)}`);
    }
  }
  checkCorpusLength(iterator, corpus.length, batchSize, numSteps, offset);
}

/**
 * d2l's `seq_data_iter_sequential(corpus, batch_size, num_steps)`:
 *
 * ```python
 * offset = random.randint(0, num_steps)          # inclusive: num_steps + 1 possible offsets
 * num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
 * Xs = torch.tensor(corpus[offset: offset + num_tokens])
 * Ys = torch.tensor(corpus[offset + 1: offset + 1 + num_tokens])
 * Xs, Ys = Xs.reshape(batch_size, -1), Ys.reshape(batch_size, -1)
 * num_batches = Xs.shape[1] // num_steps
 * for i in range(0, num_steps * num_batches, num_steps):
 *     yield Xs[:, i: i + num_steps], Ys[:, i: i + num_steps]
 * ```
 *
 * The offset is drawn from `rng` when the first minibatch is requested (like Python's generator), so each
 * call is one epoch. Throws a DataError at once for bad sizes or a corpus shorter than one minibatch.
 */
export function seqDataIterSequential(
  corpus: ArrayLike<number>,
  batchSize: number,
  numSteps: number,
  rng: RandomSource,
  options: SeqDataIterOptions = {},
): Generator<Batch, void, undefined> {
  checkArgs('seqDataIterSequential', 'sequential', corpus, batchSize, numSteps, options.offset);
  return sequentialEpoch(corpus, batchSize, numSteps, rng, options.offset);
}

// #region sequential
function* sequentialEpoch(
  corpus: ArrayLike<number>,
  batchSize: number,
  numSteps: number,
  rng: RandomSource,
  fixedOffset: number | undefined,
): Generator<Batch, void, undefined> {
  // Start at a random offset in 0..numSteps (INCLUSIVE, as Python's randint).
  const offset = fixedOffset ?? rng.randint(0, numSteps);
  // Each of the batchSize rows gets `columns` consecutive tokens; the last label needs one token more.
  const columns = Math.floor((corpus.length - offset - 1) / batchSize);
  const numBatches = Math.floor(columns / numSteps);
  for (let i = 0; i < numBatches; i++) {
    const X = new Int32Array(batchSize * numSteps);
    const Y = new Int32Array(batchSize * numSteps);
    for (let b = 0; b < batchSize; b++) {
      // Row b is the b-th contiguous block of the text; minibatch i takes its columns i*numSteps onward.
      const start = offset + b * columns + i * numSteps;
      for (let t = 0; t < numSteps; t++) {
        X[b * numSteps + t] = corpus[start + t];
        Y[b * numSteps + t] = corpus[start + t + 1]; // the label is the next token
      }
    }
    yield { X, Y, shape: [batchSize, numSteps] };
  }
}
// #endregion sequential

/**
 * d2l's `seq_data_iter_random(corpus, batch_size, num_steps)`:
 *
 * ```python
 * corpus = corpus[random.randint(0, num_steps - 1):]
 * num_subseqs = (len(corpus) - 1) // num_steps
 * initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
 * random.shuffle(initial_indices)
 * num_batches = num_subseqs // batch_size
 * for i in range(0, batch_size * num_batches, batch_size):
 *     initial_indices_per_batch = initial_indices[i: i + batch_size]
 *     X = [corpus[j: j + num_steps] for j in initial_indices_per_batch]
 *     Y = [corpus[j + 1: j + 1 + num_steps] for j in initial_indices_per_batch]
 *     yield torch.tensor(X), torch.tensor(Y)
 * ```
 *
 * The offset and the shuffle are drawn from `rng` when the first minibatch is requested, so each call is one
 * epoch. Throws a DataError at once for bad sizes or a corpus shorter than one minibatch.
 */
export function seqDataIterRandom(
  corpus: ArrayLike<number>,
  batchSize: number,
  numSteps: number,
  rng: RandomSource,
  options: SeqDataIterOptions = {},
): Generator<Batch, void, undefined> {
  checkArgs('seqDataIterRandom', 'random', corpus, batchSize, numSteps, options.offset);
  return randomEpoch(corpus, batchSize, numSteps, rng, options.offset);
}

// #region random
function* randomEpoch(
  corpus: ArrayLike<number>,
  batchSize: number,
  numSteps: number,
  rng: RandomSource,
  fixedOffset: number | undefined,
): Generator<Batch, void, undefined> {
  // Drop a random number of leading tokens, 0..numSteps-1.
  const offset = fixedOffset ?? rng.randint(0, numSteps - 1);
  // Non-overlapping subsequences start at 0, numSteps, 2*numSteps, ... (relative to the offset).
  const numSubseqs = Math.floor((corpus.length - offset - 1) / numSteps);
  const initialIndices = Array.from({ length: numSubseqs }, (_, k) => k * numSteps);
  rng.shuffle(initialIndices); // visit them in random order
  const numBatches = Math.floor(numSubseqs / batchSize);
  for (let i = 0; i < numBatches; i++) {
    const X = new Int32Array(batchSize * numSteps);
    const Y = new Int32Array(batchSize * numSteps);
    for (let b = 0; b < batchSize; b++) {
      const start = offset + initialIndices[i * batchSize + b];
      for (let t = 0; t < numSteps; t++) {
        X[b * numSteps + t] = corpus[start + t];
        Y[b * numSteps + t] = corpus[start + t + 1];
      }
    }
    yield { X, Y, shape: [batchSize, numSteps] };
  }
}
// #endregion random
