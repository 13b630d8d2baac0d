/**
 * From text to a list of token indices (d2l 8.2.4, `load_corpus_time_machine`).
 *
 * ```python
 * def load_corpus_time_machine(max_tokens=-1):
 *     lines = read_time_machine()
 *     tokens = tokenize(lines, 'char')
 *     vocab = Vocab(tokens)
 *     corpus = [vocab[token] for line in tokens for token in line]
 *     if max_tokens > 0:
 *         corpus = corpus[:max_tokens]
 *     return corpus, vocab
 * ```
 *
 * Two details matter for reproducing the book:
 * - The lines are joined with NO separator (no space, no newline token), so a word at the end of a line fuses
 *   with the first word of the next: `h g wells` + `i` + `the time traveller` -> `wellsithe time traveller`.
 *   The book's trained model reproduces such fusions (`himwas`, `glitteringmetallic`).
 * - The vocabulary is built from the FULL text before `maxTokens` truncates the corpus, so it keeps all 28
 *   entries even though the first 10,000 characters are all the model ever sees.
 */

import { DataError } from './data-error.js';
import { checkPreprocessing, preprocess, type Preprocessing } from './preprocess.js';
import { tokenize } from './tokenize.js';
import { Vocab } from './vocab.js';

/**
 * sha256 of the bundled timemachine.txt: byte-identical to the file d2l downloads (`DATA_HUB['time_machine']`,
 * sha1 090b5e7e70c295757f55df93cb0a180b9691891a). 178,979 bytes of ASCII with LF line ends.
 */
export const TIME_MACHINE_SHA256 = '8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516';

export interface CorpusOptions {
  /** Line preprocessing: 'book' (d2l's letters-only rule, the default) or 'unicode' (keep every character). */
  preprocess?: Preprocessing;
  /** Where the text came from (a file path, 'the uploaded text', ...), used in error messages. */
  source?: string;
}

export interface Corpus {
  /** The token indices of the text, in order, after the optional truncation to `maxTokens`. */
  corpus: Int32Array;
  /** The character vocabulary of the FULL text. */
  vocab: Vocab;
  /** The preprocessed lines (empty lines included), as `readTimeMachineLines` returns them. */
  lines: string[];
  /** Number of tokens in the full text, before truncation (170,580 for The Time Machine). */
  totalTokens: number;
}

/**
 * d2l's `load_corpus_time_machine(max_tokens)`, given the text: character tokens, a vocabulary over the whole
 * text, and the corpus of indices (lines concatenated without separator), truncated to the first `maxTokens`
 * tokens if `maxTokens > 0` (as in Python, 0 or a negative value keeps everything).
 *
 * Throws a `DataError`: 'EMPTY_CORPUS' for an empty text, 'NO_TOKENS' when preprocessing leaves nothing
 * (e.g. a text without ASCII letters under 'book' preprocessing), 'BAD_SIZE' for a non-integer `maxTokens`.
 */
export function loadCorpusTimeMachine(text: string, maxTokens = -1, options: CorpusOptions = {}): Corpus {
  const { preprocess: preprocessing = 'book', source = 'corpus text' } = options;
  checkPreprocessing(preprocessing);
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens)) {
    throw new DataError('BAD_SIZE', `loadCorpusTimeMachine: maxTokens must be an integer, got ${String(maxTokens)}`);
  }
  if (typeof text !== 'string' || text.length === 0) {
    throw new DataError('EMPTY_CORPUS', `${source} is empty: there is no text to learn from`);
  }

  const lines = preprocess(text, preprocessing);
  const tokens = tokenize(lines, 'char');
  const totalTokens = tokens.reduce((sum, line) => sum + line.length, 0);
  if (totalTokens === 0) {
    const why =
      preprocessing === 'book'
        ? "has no letters A-Z/a-z, so the book's preprocessing leaves no tokens (preprocessing 'unicode' keeps every character)"
        : 'has only whitespace, so preprocessing leaves no tokens';
    throw new DataError('NO_TOKENS', `${source} (${text.length} characters) ${why}`);
  }

  const vocab = new Vocab(tokens);
  // Keep only as many tokens as we need, then look each one up. No separator between lines.
  const length = maxTokens > 0 ? Math.min(maxTokens, totalTokens) : totalTokens;
  const corpus = new Int32Array(length);
  let i = 0;
  outer: for (const line of tokens) {
    for (const token of line) {
      if (i === length) break outer;
      corpus[i++] = vocab.toIndex(token);
    }
  }
  return { corpus, vocab, lines, totalTokens };
}

/** Another text as token ids of an existing vocabulary (a held-out book, a prompt): see `encodeWithVocab`. */
export interface EncodedText {
  readonly ids: Int32Array;
  /** How many tokens are not in the vocabulary (they became `<unk>`, index 0). */
  readonly unknown: number;
  /** Which characters those were, each once, in order of first appearance. */
  readonly unknownTokens: readonly string[];
}

/**
 * `text` preprocessed and tokenized like a corpus (lines joined without separators), each token looked up in
 * `vocab`: what the model reads when it is tested on text it was not trained on. Unknown tokens become
 * `<unk>` and are counted.
 */
export function encodeWithVocab(text: string, vocab: Vocab, options: CorpusOptions = {}): EncodedText {
  const { preprocess: preprocessing = 'book', source = 'text' } = options;
  const tokens = tokenize(preprocess(text, preprocessing), 'char').flat();
  if (tokens.length === 0) throw new DataError('NO_TOKENS', `${source} has no tokens after preprocessing`);
  const ids = Int32Array.from(tokens, (t) => vocab.toIndex(t));
  const unknownTokens = [...new Set(tokens.filter((_, i) => ids[i] === 0))];
  return { ids, unknown: ids.reduce((n, id) => n + (id === 0 ? 1 : 0), 0), unknownTokens };
}
