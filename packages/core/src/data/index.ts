/**
 * The data pipeline of d2l 8.2–8.3, browser-safe (no Node imports): text -> lines -> tokens -> vocabulary ->
 * corpus of indices -> minibatches. File reading lives in `@rnn-scratch/core/node`.
 */
export { DataError, isDataError, type DataErrorCode } from './data-error.js';
export {
  PREPROCESSING_CHOICES,
  preprocess,
  preprocessLine,
  readTimeMachineLines,
  splitLines,
  type Preprocessing,
} from './preprocess.js';
export { tokenize, type TokenType } from './tokenize.js';
export { countCorpus, UNK_TOKEN, Vocab, type VocabJSON, type VocabOptions } from './vocab.js';
export {
  TIME_MACHINE_SHA256,
  encodeWithVocab,
  loadCorpusTimeMachine,
  type Corpus,
  type CorpusOptions,
  type EncodedText,
} from './corpus.js';
export {
  checkCorpusLength,
  maxRandomOffset,
  minCorpusLength,
  numBatchesPerEpoch,
  numBatchesRandom,
  numBatchesSequential,
  seqDataIterRandom,
  seqDataIterSequential,
  type Batch,
  type DataIterator,
  type SeqDataIterOptions,
} from './seq-data-iter.js';
export {
  DEFAULT_MAX_TOKENS,
  loadDataTimeMachine,
  SeqDataLoader,
  type LoadDataOptions,
  type SeqDataLoaderOptions,
} from './seq-data-loader.js';
