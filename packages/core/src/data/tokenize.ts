/**
 * Tokenization (d2l 8.2.2, `tokenize`): turn each text line into a list of tokens.
 *
 * ```python
 * def tokenize(lines, token='word'):
 *     if token == 'word': return [line.split() for line in lines]
 *     elif token == 'char': return [list(line) for line in lines]
 * ```
 *
 * The character-level RNN of 8.5 uses 'char' tokens: after the book's preprocessing, every token is ' ' or
 * one of the 26 lower-case letters.
 */

import { DataError } from './data-error.js';

/** 'char': one token per character. 'word': tokens are the whitespace-separated words. */
export type TokenType = 'char' | 'word';

/** Split every line into tokens. An empty line gives an empty token list (in both modes). */
export function tokenize(lines: readonly string[], token: TokenType = 'word'): string[][] {
  if (token === 'word') {
    // Python's str.split() with no argument: split on runs of whitespace and drop empty pieces.
    return lines.map((line) => line.split(/\s+/u).filter((word) => word.length > 0));
  }
  if (token === 'char') {
    // Array.from iterates by Unicode code point, so a character outside the BMP (two UTF-16 units)
    // stays one token, like Python's list(str).
    return lines.map((line) => Array.from(line));
  }
  throw new DataError('BAD_OPTION', `unknown token type '${String(token)}'; expected 'char' or 'word'`);
}
