/**
 * Text preprocessing (d2l 8.2.1, `read_time_machine`).
 *
 * The book reads the file line by line and, in each line, replaces every run of characters that are not
 * ASCII letters by ONE space, trims the line and lower-cases it:
 *
 * ```python
 * lines = f.readlines()
 * return [re.sub('[^A-Za-z]+', ' ', line).strip().lower() for line in lines]
 * ```
 *
 * So punctuation and digits disappear, `H. G. Wells` becomes `h g wells`, and a line with no letters
 * becomes the empty string (it is kept, so line numbers still match the file, but it adds no tokens).
 * For The Time Machine this gives 3,221 lines, 373 of them empty.
 *
 * That rule suits English only. The second preprocessing, 'unicode', keeps every character, so a reader can train
 * the same model on, say, a Chinese novel.
 */

import { DataError } from './data-error.js';

/**
 * How to clean each line:
 * - `'book'`: exactly d2l's rule, `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`. Tokens are ' ' and a–z.
 * - `'unicode'`: keep every character as it is (no lower-casing), but turn each run of whitespace into one
 *   space and trim the line. Characters are Unicode code points, so an emoji or a rare CJK character
 *   outside the Basic Multilingual Plane is ONE token, not two UTF-16 halves.
 */
export type Preprocessing = 'book' | 'unicode';

/** Every preprocessing, for validation and for CLI choices. */
export const PREPROCESSING_CHOICES: readonly Preprocessing[] = ['book', 'unicode'];

/**
 * Split a text into lines the way Python's `f.readlines()` does on a file opened in text mode: a line ends at
 * `\n`, `\r\n` or a lone `\r` (Python's "universal newlines"), the terminator is dropped, and a last line
 * without a terminator still counts. A text that ends with a newline does NOT get an extra empty line, and
 * the empty text has no lines at all.
 */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split(/\r\n|\r|\n/);
  // "a\nb\n".split(...) is ["a", "b", ""]: the empty string after the final newline is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// #region preprocess-line
/** Clean one line (without its line terminator) according to `preprocessing`. */
export function preprocessLine(line: string, preprocessing: Preprocessing = 'book'): string {
  if (preprocessing === 'book') {
    // [^A-Za-z]+ : any run of non-ASCII-letter characters (digits, punctuation, spaces, 'é', ...) -> ' '.
    return line
      .replace(/[^A-Za-z]+/g, ' ')
      .trim()
      .toLowerCase();
  }
  // 'unicode': collapse whitespace runs (spaces, tabs, ideographic spaces, ...) to one space, then trim.
  return line.replace(/\s+/gu, ' ').trim();
}
// #endregion preprocess-line

/** Split `text` into lines and clean each one (see `Preprocessing`). Empty lines are kept. */
export function preprocess(text: string, preprocessing: Preprocessing = 'book'): string[] {
  checkPreprocessing(preprocessing);
  return splitLines(text).map((line) => preprocessLine(line, preprocessing));
}

/**
 * d2l's `read_time_machine`, given the file's text: the book's preprocessing of every line.
 * (The browser-safe part of the library never reads files; in Node, `readTimeMachine()` from
 * `@rnn-scratch/core/node` reads the bundled file and calls this.)
 */
export function readTimeMachineLines(text: string): string[] {
  return preprocess(text, 'book');
}

/** Throw a BAD_OPTION DataError unless `preprocessing` is one of `PREPROCESSING_CHOICES`. */
export function checkPreprocessing(preprocessing: string): asserts preprocessing is Preprocessing {
  if (!(PREPROCESSING_CHOICES as readonly string[]).includes(preprocessing)) {
    throw new DataError(
      'BAD_OPTION',
      `unknown preprocessing '${preprocessing}'; expected one of ${PREPROCESSING_CHOICES.map((m) => `'${m}'`).join(', ')}`,
    );
  }
}
