/**
 * One error class for everything that can be wrong with the INPUT data (as opposed to a bug): an empty or
 * missing file, a text with nothing to learn from, a corpus too short for the chosen minibatch size, bad sizes.
 *
 * Each error has a stable `code` that programs can test, and a one-line `message` that says what is wrong and
 * where, written for a person. The CLI prints `rnn-scratch: <message>` and exits with its "data error" code.
 */

/** Machine-readable reasons a `DataError` can have. */
export type DataErrorCode =
  /** The text (or file) has no characters at all. */
  | 'EMPTY_CORPUS'
  /** The text has characters, but preprocessing leaves no tokens (e.g. no letters in 'book' mode). */
  | 'NO_TOKENS'
  /** The corpus is too short to fill even one minibatch of the requested batch size x number of steps. */
  | 'CORPUS_TOO_SHORT'
  /** A size or count (batchSize, numSteps, maxTokens, offset, ...) is not a valid integer for its role. */
  | 'BAD_SIZE'
  /** An option has a value outside its allowed set (e.g. an unknown preprocessing mode). */
  | 'BAD_OPTION'
  /** A saved vocabulary (from a checkpoint) is malformed. */
  | 'BAD_VOCAB'
  /** Node only: the corpus file does not exist. */
  | 'FILE_NOT_FOUND'
  /** Node only: the corpus file exists but cannot be read as UTF-8 text (a directory, no permission, ...). */
  | 'FILE_UNREADABLE';

export class DataError extends Error {
  override readonly name = 'DataError';

  constructor(
    /** Why the data was rejected; stable across versions, unlike the message. */
    readonly code: DataErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Is `value` a DataError? Also true for one from another copy of this package (compares name and code). */
export function isDataError(value: unknown): value is DataError {
  return (
    value instanceof DataError ||
    (value instanceof Error && value.name === 'DataError' && typeof (value as { code?: unknown }).code === 'string')
  );
}

/**
 * Check that `value` is an integer >= `min` (default 1), or throw a BAD_SIZE DataError naming it.
 * `where` says who is asking (e.g. 'seqDataIterSequential'), so the message points at the call.
 */
export function checkInteger(where: string, name: string, value: number, min = 1): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const want = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new DataError('BAD_SIZE', `${where}: ${name} must be ${want}, got ${String(value)}`);
  }
}
