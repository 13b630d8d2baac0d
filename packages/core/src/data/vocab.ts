/**
 * The vocabulary (d2l 8.2.3, `Vocab`): a two-way map between tokens (strings) and indices (integers), since
 * the model works on numbers.
 *
 * How d2l builds it:
 * 1. Count every token (`collections.Counter`, which remembers the order tokens first appear).
 * 2. Sort by count, highest first. Python's sort is STABLE, so tokens with the same count keep their
 *    first-appearance order. That detail decides the indices of a word vocabulary: with it,
 *    `the time machine by h g wells` maps to `[1, 19, 50, 40, 2183, 2184, 400]` as the book prints.
 * 3. `idx_to_token = ['<unk>'] + reserved_tokens`, then the sorted tokens, stopping at the first one whose
 *    count is below `min_freq` and skipping any already present.
 *
 * Index 0 is always `<unk>`, the "unknown token": looking up a token that is not in the vocabulary gives 0.
 * For The Time Machine at character level the vocabulary has 28 entries:
 * `<unk>, ' ', e, t, a, i, n, o, s, h, r, d, l, m, u, c, f, w, g, y, p, b, v, k, x, z, j, q`.
 */

import { DataError } from './data-error.js';

export interface VocabOptions {
  /** Tokens seen fewer than `minFreq` times are left out (they map to `<unk>`). Default 0: keep all. */
  minFreq?: number;
  /** Extra tokens placed right after `<unk>` (e.g. `'<pad>'`, `'<bos>'`), whatever their counts. */
  reservedTokens?: readonly string[];
}

/** What `Vocab.toJSON()` writes into a checkpoint and `Vocab.fromJSON()` reads back. */
export interface VocabJSON {
  /** The token of every index; entry 0 must be `'<unk>'`. */
  idxToToken: string[];
  /** The token counts the vocabulary was built from, highest first (optional; informational only). */
  tokenFreqs?: [string, number][];
}

/** The reserved token at index 0. */
export const UNK_TOKEN = '<unk>';

/**
 * Count tokens, flattening a 2-D list (one list per line) first (d2l's `count_corpus`).
 * A `Map` iterates in insertion order, i.e. the order tokens first appear, like Python's Counter.
 */
export function countCorpus(tokens: readonly (string | readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of tokens) {
    const line = typeof item === 'string' ? [item] : item;
    for (const token of line) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

export class Vocab {
  /** The token with index 0. Every unknown token maps here. */
  readonly unk = 0;
  /** `idxToToken[i]` is the token with index i (`<unk>` first). */
  readonly idxToToken: readonly string[];
  /** The inverse map, token -> index. */
  readonly tokenToIdx: ReadonlyMap<string, number>;
  /** Private (`#`) so only this class, including `fromJSON`, can set it. */
  #tokenFreqs: readonly (readonly [string, number])[];

  /**
   * @param tokens the corpus tokens, either flat (`['t', 'h', 'e']`) or one list per line (`[['t', 'h'], []]`).
   */
  constructor(tokens: readonly string[] | readonly (readonly string[])[] = [], options: VocabOptions = {}) {
    const { minFreq = 0, reservedTokens = [] } = options;
    if (typeof minFreq !== 'number' || Number.isNaN(minFreq)) {
      throw new DataError('BAD_SIZE', `Vocab: minFreq must be a number, got ${String(minFreq)}`);
    }
    // Sort by frequency, highest first. Array.prototype.sort is stable (guaranteed since ES2019), so ties
    // keep their first-appearance order, exactly like Python's sorted(..., reverse=True).
    const counts = countCorpus(tokens);
    this.#tokenFreqs = [...counts.entries()].sort((a, b) => b[1] - a[1]);

    const idxToToken = [UNK_TOKEN, ...reservedTokens];
    const present = new Set(idxToToken);
    for (const [token, freq] of this.#tokenFreqs) {
      if (freq < minFreq) break; // sorted, so every later token is rarer still
      if (!present.has(token)) {
        idxToToken.push(token);
        present.add(token);
      }
    }
    this.idxToToken = idxToToken;
    this.tokenToIdx = Vocab.indexTokens(idxToToken);
  }

  /** The vocabulary's tokens and counts, highest count first (d2l's `token_freqs`). */
  get tokenFreqs(): readonly (readonly [string, number])[] {
    return this.#tokenFreqs;
  }

  /** Number of tokens, including `<unk>` (d2l's `len(vocab)`). This is the model's input and output size. */
  get length(): number {
    return this.idxToToken.length;
  }

  /** Same as `length`. */
  get size(): number {
    return this.idxToToken.length;
  }

  /** The index of one token; unknown tokens give 0 (`<unk>`). d2l: `vocab[token]`. */
  toIndex(token: string): number {
    return this.tokenToIdx.get(token) ?? this.unk;
  }

  /** The indices of a list of tokens. d2l: `vocab[tokens]`. */
  toIndices(tokens: readonly string[]): number[] {
    return tokens.map((token) => this.toIndex(token));
  }

  /** The token with index `idx` (d2l: `vocab.to_tokens(idx)`). Throws on an index outside the vocabulary. */
  toToken(idx: number): string {
    const token = Number.isInteger(idx) ? this.idxToToken[idx] : undefined;
    if (token === undefined) {
      throw new RangeError(`Vocab.toToken: index ${String(idx)} is outside 0..${this.length - 1}`);
    }
    return token;
  }

  /** The tokens of a list of indices. */
  toTokens(indices: ArrayLike<number>): string[] {
    return Array.from(indices, (idx) => this.toToken(idx));
  }

  /** What a checkpoint stores: the index -> token list (enough to rebuild the vocabulary) and the counts. */
  toJSON(): VocabJSON {
    return {
      idxToToken: [...this.idxToToken],
      tokenFreqs: this.#tokenFreqs.map(([token, freq]) => [token, freq]),
    };
  }

  /**
   * Rebuild a vocabulary saved with `toJSON()`, with the same index for every token. A checkpoint's
   * `meta.vocab` (read-only arrays, no counts) is accepted as it is: `Vocab.fromJSON(meta.vocab)`.
   */
  static fromJSON(json: {
    readonly idxToToken: readonly string[];
    readonly tokenFreqs?: readonly (readonly [string, number])[];
  }): Vocab {
    const idxToToken: unknown = json?.idxToToken;
    if (!Array.isArray(idxToToken) || !idxToToken.every((t) => typeof t === 'string')) {
      throw new DataError('BAD_VOCAB', 'saved vocabulary: idxToToken must be an array of strings');
    }
    if (idxToToken[0] !== UNK_TOKEN) {
      throw new DataError(
        'BAD_VOCAB',
        `saved vocabulary: index 0 must be '${UNK_TOKEN}', got '${String(idxToToken[0])}'`,
      );
    }
    const seen = new Set<string>();
    for (const token of idxToToken) {
      if (seen.has(token)) throw new DataError('BAD_VOCAB', `saved vocabulary: token '${token}' appears twice`);
      seen.add(token);
    }
    // Every saved token after <unk> becomes a "reserved" token, which puts it at exactly its saved index.
    const vocab = new Vocab([], { reservedTokens: idxToToken.slice(1) });
    const freqs = json.tokenFreqs;
    if (Array.isArray(freqs)) {
      vocab.#tokenFreqs = freqs.map(([token, freq]) => [String(token), Number(freq)] as const);
    }
    return vocab;
  }

  /** token -> index for a list of distinct tokens. */
  private static indexTokens(idxToToken: readonly string[]): Map<string, number> {
    const map = new Map<string, number>();
    idxToToken.forEach((token, idx) => map.set(token, idx));
    return map;
  }
}
