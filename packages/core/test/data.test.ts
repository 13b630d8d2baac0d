import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import {
  DataError,
  isDataError,
  loadCorpusTimeMachine,
  loadDataTimeMachine,
  minCorpusLength,
  numBatchesPerEpoch,
  numBatchesRandom,
  numBatchesSequential,
  preprocess,
  readTimeMachineLines,
  SeqDataLoader,
  seqDataIterRandom,
  seqDataIterSequential,
  splitLines,
  tokenize,
  Vocab,
  type Batch,
} from '../src/data/index.js';
import { Random, type RandomSource } from '../src/random.js';
import {
  bundledCorpusPath,
  checkTimeMachineSha256,
  loadCorpusTimeMachineFromFile,
  loadDataTimeMachineFromFile,
  readCorpusFile,
  readTimeMachine,
  readTimeMachineText,
  TIME_MACHINE_SHA256,
} from '../src/node/index.js';

const TEXT = readTimeMachineText();
const BOOK_CHARS = ['<unk>', ' ', ...'etainoshrdlmucfwgypbvkxzjq'];

/** Run `fn` and return the DataError it throws (fails the test if it throws nothing or something else). */
function dataErrorOf(fn: () => unknown): DataError {
  try {
    fn();
  } catch (err) {
    expect(isDataError(err)).toBe(true);
    return err as DataError;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

/** The corpus 0, 1, ..., n-1: every token equals its position, so batches show where they were cut. */
const iota = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Split a (B, T) row-major batch into rows. */
function rows(batch: Batch, which: 'X' | 'Y' = 'X'): number[][] {
  const [B, T] = batch.shape;
  return Array.from({ length: B }, (_, b) => Array.from(batch[which].subarray(b * T, (b + 1) * T)));
}

/** A RandomSource that always returns fixed values, to pin the offset. */
function fixedRng(offset: number): RandomSource {
  return { randint: () => offset, shuffle: (a) => a };
}

describe('the vendored data file (spec section 0)', () => {
  it("is byte-identical to d2l's timemachine.txt (sha256)", () => {
    const bytes = readFileSync(bundledCorpusPath());
    expect(bytes.length).toBe(178979);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      '8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516',
    );
    expect(TIME_MACHINE_SHA256).toBe('8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516');
    expect(checkTimeMachineSha256()).toMatchObject({ ok: true, sha256: TIME_MACHINE_SHA256 });
    expect(TEXT.length).toBe(178979);
    expect(TEXT.split('\n')[0]).toBe('The Time Machine, by H. G. Wells [1898]');
  });
});

describe('readTimeMachine (spec section 1)', () => {
  const lines = readTimeMachine();

  it('gives 3221 lines, 373 of them empty, with the published lines 0 and 10', () => {
    expect(lines).toHaveLength(3221);
    expect(lines.filter((line) => line === '')).toHaveLength(373);
    expect(lines[0]).toBe('the time machine by h g wells');
    expect(lines[10]).toBe('twinkled and his usually pale face was flushed and animated the');
    expect(readTimeMachineLines(TEXT)).toEqual(lines);
  });

  it('leaves only spaces and lower-case letters, with no leading, trailing or double spaces', () => {
    for (const line of lines) {
      expect(line).toMatch(/^([a-z]+( [a-z]+)*)?$/);
    }
  });

  it("splits lines like Python's readlines (universal newlines)", () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['']);
    expect(splitLines('a\nb')).toEqual(['a', 'b']); // a last line without '\n' still counts
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']); // no extra empty line after the final '\n'
    expect(splitLines('a\r\nb\rc\n\nd')).toEqual(['a', 'b', 'c', '', 'd']);
    expect(readTimeMachineLines('Hello, World!\r\n\r\n42 -- The END.')).toEqual(['hello world', '', 'the end']);
  });

  it('gives the same lines for a CRLF copy of the book', () => {
    expect(readTimeMachineLines(TEXT.replace(/\n/g, '\r\n'))).toEqual(lines);
  });
});

describe('tokenize (spec section 2)', () => {
  it("splits into characters ('char') or whitespace-separated words ('word')", () => {
    expect(tokenize(['ab c', ''], 'char')).toEqual([['a', 'b', ' ', 'c'], []]);
    expect(tokenize(['  the  time machine ', ''], 'word')).toEqual([['the', 'time', 'machine'], []]);
  });

  it('uses only space and a-z as character tokens for the book', () => {
    const chars = new Set(tokenize(readTimeMachine(), 'char').flat());
    expect([...chars].sort().join('')).toBe(' abcdefghijklmnopqrstuvwxyz');
  });

  it('rejects an unknown token type', () => {
    expect(dataErrorOf(() => tokenize(['a'], 'byte' as 'char')).code).toBe('BAD_OPTION');
  });
});

describe('Vocab (spec section 3)', () => {
  const lines = readTimeMachine();

  it('builds the 28-token character vocabulary in the published order and counts', () => {
    const vocab = new Vocab(tokenize(lines, 'char'));
    expect(vocab.length).toBe(28);
    expect(vocab.size).toBe(28);
    expect(vocab.idxToToken).toEqual(BOOK_CHARS);
    expect(vocab.tokenFreqs).toEqual([
      [' ', 29927],
      ['e', 17838],
      ['t', 13515],
      ['a', 11704],
      ['i', 10138],
      ['n', 9917],
      ['o', 9758],
      ['s', 8486],
      ['h', 8257],
      ['r', 7674],
      ['d', 6337],
      ['l', 6146],
      ['m', 4043],
      ['u', 3805],
      ['c', 3424],
      ['f', 3354],
      ['w', 3225],
      ['g', 3075],
      ['y', 2679],
      ['p', 2427],
      ['b', 1897],
      ['v', 1295],
      ['k', 1087],
      ['x', 236],
      ['z', 144],
      ['j', 97],
      ['q', 95],
    ]);
  });

  it('gives the published word top-10 and indices (stable sort of ties)', () => {
    const vocab = new Vocab(tokenize(lines, 'word'));
    expect(vocab.tokenFreqs.slice(0, 10)).toEqual([
      ['the', 2261],
      ['i', 1267],
      ['and', 1245],
      ['of', 1155],
      ['a', 816],
      ['to', 695],
      ['was', 552],
      ['in', 541],
      ['that', 443],
      ['my', 440],
    ]);
    expect(vocab.toIndices('the time machine by h g wells'.split(' '))).toEqual([1, 19, 50, 40, 2183, 2184, 400]);
  });

  it('keeps first-appearance order for ties, maps unknown tokens to 0 and converts back', () => {
    const vocab = new Vocab(['b', 'a', 'c', 'a', 'b', 'd']);
    expect(vocab.idxToToken).toEqual(['<unk>', 'b', 'a', 'c', 'd']); // b and a tie at 2; b came first
    expect(vocab.toIndex('a')).toBe(2);
    expect(vocab.toIndex('zzz')).toBe(0);
    expect(vocab.unk).toBe(0);
    expect(vocab.toIndices(['d', '?', 'b'])).toEqual([4, 0, 1]);
    expect(vocab.toToken(3)).toBe('c');
    expect(vocab.toTokens([1, 2, 0])).toEqual(['b', 'a', '<unk>']);
    expect(() => vocab.toToken(5)).toThrow(RangeError);
  });

  it('applies minFreq and reservedTokens like d2l', () => {
    const vocab = new Vocab([['x', 'y', 'y', 'z', 'z', 'z'], ['<pad>']], {
      minFreq: 2,
      reservedTokens: ['<pad>', '<bos>'],
    });
    // '<pad>' occurs once but is reserved; 'x' (1) is below minFreq; '<pad>' is not added twice.
    expect(vocab.idxToToken).toEqual(['<unk>', '<pad>', '<bos>', 'z', 'y']);
    expect(vocab.toIndex('x')).toBe(0);
  });

  it('round-trips through JSON with the same indices, and rejects malformed saved vocabularies', () => {
    const vocab = new Vocab(tokenize(lines, 'char'));
    const restored = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab)));
    expect(restored.idxToToken).toEqual(vocab.idxToToken);
    expect(restored.toIndex('q')).toBe(27);
    expect(restored.tokenFreqs).toEqual(vocab.tokenFreqs);
    expect(Vocab.fromJSON({ idxToToken: ['<unk>', 'a'] }).toIndex('a')).toBe(1);
    expect(dataErrorOf(() => Vocab.fromJSON({ idxToToken: ['a', '<unk>'] })).code).toBe('BAD_VOCAB');
    expect(dataErrorOf(() => Vocab.fromJSON({ idxToToken: ['<unk>', 'a', 'a'] })).message).toMatch(/appears twice/);
    expect(dataErrorOf(() => Vocab.fromJSON({} as never)).code).toBe('BAD_VOCAB');
  });
});

describe('loadCorpusTimeMachine (spec section 4)', () => {
  it('gives (170580, 28) for the whole book, lines joined with no separator', () => {
    const { corpus, vocab, totalTokens, lines } = loadCorpusTimeMachine(TEXT);
    expect([corpus.length, vocab.length]).toEqual([170580, 28]);
    expect(totalTokens).toBe(170580);
    expect(lines).toHaveLength(3221);
    const text = vocab.toTokens(corpus.subarray(0, 60)).join('');
    expect(text).toBe('the time machine by h g wellsithe time traveller for so it w');
    expect(vocab.toTokens(corpus).join('')).toContain('speak of himwas expounding');
  });

  it('truncates AFTER building the vocabulary: 10,000 tokens ending in "ow arm cha", 27 ids, no <unk>', () => {
    const { corpus, vocab, totalTokens } = loadCorpusTimeMachineFromFile(10000);
    expect(corpus.length).toBe(10000);
    expect(vocab.length).toBe(28);
    expect(totalTokens).toBe(170580);
    expect(vocab.toTokens(corpus.subarray(-10)).join('')).toBe('ow arm cha');
    const ids = new Set(corpus);
    expect(ids.size).toBe(27);
    expect(ids.has(0)).toBe(false);
  });

  it('keeps the whole corpus when maxTokens <= 0 or larger than the text', () => {
    expect(loadCorpusTimeMachine('ab cd', 0).corpus.length).toBe(5);
    expect(loadCorpusTimeMachine('ab cd', -1).corpus.length).toBe(5);
    expect(loadCorpusTimeMachine('ab cd', 100).corpus.length).toBe(5);
    expect(Array.from(loadCorpusTimeMachine('ab cd', 2).corpus)).toEqual([1, 2]);
  });
});

describe('seqDataIterSequential (spec section 5)', () => {
  it("reproduces the book's toy output on 0..34 with batchSize 2, numSteps 5, offset 0", () => {
    const batches = [...seqDataIterSequential(iota(35), 2, 5, new Random(0), { offset: 0 })];
    expect(batches.map((b) => rows(b, 'X'))).toEqual([
      [
        [0, 1, 2, 3, 4],
        [17, 18, 19, 20, 21],
      ],
      [
        [5, 6, 7, 8, 9],
        [22, 23, 24, 25, 26],
      ],
      [
        [10, 11, 12, 13, 14],
        [27, 28, 29, 30, 31],
      ],
    ]);
    expect(batches.map((b) => rows(b, 'Y'))).toEqual([
      [
        [1, 2, 3, 4, 5],
        [18, 19, 20, 21, 22],
      ],
      [
        [6, 7, 8, 9, 10],
        [23, 24, 25, 26, 27],
      ],
      [
        [11, 12, 13, 14, 15],
        [28, 29, 30, 31, 32],
      ],
    ]);
    for (const b of batches) {
      expect(b.shape).toEqual([2, 5]);
      expect(b.X).toBeInstanceOf(Int32Array);
    }
    // The same offset through a stub RandomSource gives the same batches.
    const viaStub = [...seqDataIterSequential(iota(35), 2, 5, fixedRng(0))];
    expect(viaStub.map((b) => rows(b))).toEqual(batches.map((b) => rows(b)));
  });

  it('draws the offset from 0..numSteps INCLUSIVE and cuts contiguous rows that continue across batches', () => {
    let drawn: [number, number] | undefined;
    const spy: RandomSource = {
      randint: (lo, hi) => ((drawn = [lo, hi]), hi),
      shuffle: (a) => a,
    };
    const T = 5;
    const batches = [...seqDataIterSequential(iota(100), 3, T, spy)];
    expect(drawn).toEqual([0, 5]);
    // offset 5: columns = (100 - 5 - 1) // 3 = 31, so 6 batches; row b starts at 5 + 31 b.
    expect(batches).toHaveLength(6);
    expect(rows(batches[0]).map((r) => r[0])).toEqual([5, 36, 67]);
    for (let i = 1; i < batches.length; i++) {
      const prev = rows(batches[i - 1]);
      const next = rows(batches[i]);
      for (let b = 0; b < 3; b++) expect(next[b][0]).toBe(prev[b][T - 1] + 1);
    }
  });
});

describe('seqDataIterRandom (spec section 5)', () => {
  it('draws the offset from 0..numSteps-1 and yields shuffled, non-repeating, aligned subsequences', () => {
    const T = 5;
    const B = 3;
    const rng = new Random(99);
    const offsets = new Set<number>();
    for (let epoch = 0; epoch < 60; epoch++) {
      const batches = [...seqDataIterRandom(iota(103), B, T, rng)];
      const starts = batches.flatMap((b) => rows(b).map((r) => r[0]));
      const offset = starts[0] % T;
      offsets.add(offset);
      // num_subseqs = (103 - offset - 1) // 5; batches = num_subseqs // 3.
      const numSubseqs = Math.floor((103 - offset - 1) / T);
      expect(batches).toHaveLength(Math.floor(numSubseqs / B));
      expect(new Set(starts).size).toBe(starts.length); // no start repeated within an epoch
      for (const batch of batches) {
        expect(batch.shape).toEqual([B, T]);
        const X = rows(batch, 'X');
        const Y = rows(batch, 'Y');
        for (let b = 0; b < B; b++) {
          const j = X[b][0];
          expect((j - offset) % T).toBe(0); // starts are offset + k*T
          expect(j - offset).toBeLessThan(numSubseqs * T);
          expect(X[b]).toEqual([j, j + 1, j + 2, j + 3, j + 4]); // contiguous
          expect(Y[b]).toEqual(X[b].map((x) => x + 1)); // labels shifted by one
        }
      }
      // Shuffled: the starts of an epoch are not simply increasing.
      if (starts.length > 3) expect(starts).not.toEqual([...starts].sort((a, b) => a - b));
    }
    expect(Math.min(...offsets)).toBe(0);
    expect(Math.max(...offsets)).toBe(T - 1); // never T
  });

  it('takes the subsequences in the order of rng.shuffle', () => {
    const reverse: RandomSource = {
      randint: () => 0,
      shuffle: (a) => Array.prototype.reverse.call(a) as unknown as typeof a,
    };
    const batches = [...seqDataIterRandom(iota(21), 2, 5, reverse)];
    // num_subseqs = 20 // 5 = 4 starts 0, 5, 10, 15, reversed; 2 batches of 2.
    expect(batches.map((b) => rows(b).map((r) => r[0]))).toEqual([
      [15, 10],
      [5, 0],
    ]);
  });
});

describe("the book's settings: 10,000 tokens, batchSize 32, numSteps 35", () => {
  const { corpus } = loadCorpusTimeMachine(TEXT, 10000);

  it('every offset gives exactly 8 batches (8,960 label tokens) for both iterators', () => {
    for (let offset = 0; offset <= 35; offset++) {
      expect(numBatchesSequential(10000, 32, 35, offset)).toBe(8);
      expect([...seqDataIterSequential(corpus, 32, 35, fixedRng(offset))]).toHaveLength(8);
    }
    for (let offset = 0; offset <= 34; offset++) {
      expect(numBatchesRandom(10000, 32, 35, offset)).toBe(8);
      expect([...seqDataIterRandom(corpus, 32, 35, fixedRng(offset))]).toHaveLength(8);
    }
    expect(numBatchesPerEpoch('sequential', 10000, 32, 35)).toEqual({ min: 8, max: 8 });
    expect(numBatchesPerEpoch('random', 10000, 32, 35)).toEqual({ min: 8, max: 8 });
  });

  it('over many epochs of a loader, every epoch has 8 batches and 8,960 label tokens', () => {
    for (const iterator of ['sequential', 'random'] as const) {
      const loader = new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 35, iterator, seed: 1 });
      expect(loader.numBatches).toEqual({ min: 8, max: 8 });
      expect(loader.labelTokensPerEpoch).toEqual({ min: 8960, max: 8960 });
      const firstTokens = new Set<number>();
      for (let epoch = 0; epoch < 50; epoch++) {
        let labels = 0;
        let first = true;
        for (const { X, Y } of loader) {
          expect(X).toHaveLength(32 * 35);
          labels += Y.length;
          if (first) firstTokens.add(X[0]);
          first = false;
        }
        expect(labels).toBe(8960);
      }
      // Each epoch draws a new offset, so the first token is not always the same.
      expect(firstTokens.size).toBeGreaterThan(1);
    }
  });

  it('the batch-count functions agree with the iterators on other sizes', () => {
    const c = iota(500);
    for (const [B, T] of [
      [3, 7],
      [4, 10],
      [7, 3],
      [2, 20],
    ]) {
      for (let offset = 0; offset <= T; offset++) {
        expect([...seqDataIterSequential(c, B, T, fixedRng(offset))]).toHaveLength(
          numBatchesSequential(500, B, T, offset),
        );
        if (offset < T) {
          expect([...seqDataIterRandom(c, B, T, fixedRng(offset))]).toHaveLength(numBatchesRandom(500, B, T, offset));
        }
      }
    }
  });
});

describe('SeqDataLoader and loadDataTimeMachine', () => {
  const firstEpochs = (loader: SeqDataLoader, epochs: number) =>
    Array.from({ length: epochs }, () => [...loader].map((b) => Array.from(b.X)));

  it('same seed gives the same batches; a different seed gives different offsets', () => {
    for (const iterator of ['sequential', 'random'] as const) {
      const make = (seed: number) => new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 35, iterator, seed });
      const a = firstEpochs(make(7), 4);
      expect(firstEpochs(make(7), 4)).toEqual(a);
      expect(firstEpochs(make(8), 4)).not.toEqual(a);
    }
  });

  it('is the book loader: default iterator sequential, maxTokens 10000, vocabulary of the full text', () => {
    const [trainIter, vocab] = loadDataTimeMachine(TEXT, 32, 35);
    expect(trainIter.iterator).toBe('sequential');
    expect(trainIter.corpus.length).toBe(10000);
    expect(vocab.length).toBe(28);
    expect(vocab).toBe(trainIter.vocab);
    expect(typeof trainIter.seed).toBe('number');
    const [randomIter] = loadDataTimeMachineFromFile(32, 35, true, 10000, { seed: 3 });
    expect(randomIter.iterator).toBe('random');
    expect(randomIter.seed).toBe(3);
  });

  it('accepts useRandomIter as an alias but rejects a contradiction', () => {
    expect(new SeqDataLoader({ text: TEXT, batchSize: 2, numSteps: 3, useRandomIter: true, seed: 0 }).iterator).toBe(
      'random',
    );
    const err = dataErrorOf(
      () => new SeqDataLoader({ text: TEXT, batchSize: 2, numSteps: 3, iterator: 'sequential', useRandomIter: true }),
    );
    expect(err.code).toBe('BAD_OPTION');
  });

  it('uses a given RandomSource and continues its stream across epochs', () => {
    const rng = new Random(5);
    const loader = new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 35, rng });
    expect(loader.rng).toBe(rng);
    expect(loader.seed).toBeUndefined();
    const before = rng.getState();
    [...loader];
    expect(rng.getState()).not.toEqual(before);
    // Restoring the state replays the same epoch (what a training checkpoint relies on).
    const replay = new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 35, rng: Random.fromState(before) });
    rng.setState(before);
    expect([...replay].map((b) => Array.from(b.X))).toEqual([...loader].map((b) => Array.from(b.X)));
  });
});

describe('DataError: one-line messages that say what and where', () => {
  it('rejects an empty text', () => {
    const err = dataErrorOf(() => loadCorpusTimeMachine(''));
    expect(err).toBeInstanceOf(DataError);
    expect(err.name).toBe('DataError');
    expect(err.code).toBe('EMPTY_CORPUS');
    expect(err.message).toBe('corpus text is empty: there is no text to learn from');
  });

  it('rejects a text without letters under book preprocessing', () => {
    const err = dataErrorOf(() => loadCorpusTimeMachine('1234 -- 5678\n!!!\n', -1, { source: 'digits.txt' }));
    expect(err.code).toBe('NO_TOKENS');
    expect(err.message).toMatch(/^digits\.txt \(17 characters\) has no letters A-Z\/a-z/);
    expect(err.message).toMatch(/preprocessing 'unicode'/);
    expect(dataErrorOf(() => loadCorpusTimeMachine(' \n\t\n', -1, { preprocess: 'unicode' })).code).toBe('NO_TOKENS');
  });

  it('rejects a corpus shorter than one minibatch, saying what is needed and what there is', () => {
    const text = 'abcdefghij'.repeat(12); // 120 tokens
    const err = dataErrorOf(() => new SeqDataLoader({ text, batchSize: 32, numSteps: 35, source: 'tiny.txt' }));
    expect(err.code).toBe('CORPUS_TOO_SHORT');
    expect(err.message).toBe(
      "corpus has 120 tokens (tiny.txt) but one minibatch of batch size 32 x 35 steps needs at least 1156 (32*35 + 1 for the shifted labels + up to 35 for the sequential iterator's random offset)",
    );
    expect(minCorpusLength('sequential', 32, 35)).toBe(1156);
    expect(minCorpusLength('random', 32, 35)).toBe(1155);
    const cut = dataErrorOf(
      () => new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 35, maxTokens: 1000, iterator: 'random' }),
    );
    expect(cut.message).toMatch(
      /^corpus has 1000 tokens \(corpus text; first 1000 of 170580 kept by maxTokens\) but .* needs at least 1155 /,
    );
    // The iterators check too, before drawing anything.
    expect(dataErrorOf(() => seqDataIterSequential(iota(10), 2, 5, new Random(0))).message).toMatch(
      /^corpus has 10 tokens but one minibatch of batch size 2 x 5 steps needs at least 16/,
    );
    // Exactly the minimum works at every offset.
    for (let offset = 0; offset <= 35; offset++) {
      expect([...seqDataIterSequential(iota(1156), 32, 35, fixedRng(offset))].length).toBeGreaterThanOrEqual(1);
    }
    for (let offset = 0; offset < 35; offset++) {
      expect([...seqDataIterRandom(iota(1155), 32, 35, fixedRng(offset))]).toHaveLength(1);
    }
  });

  it('rejects non-positive or non-integer sizes and bad offsets', () => {
    const cases: [() => unknown, RegExp][] = [
      [
        () => new SeqDataLoader({ text: TEXT, batchSize: 0, numSteps: 35 }),
        /^SeqDataLoader: batchSize must be a positive integer, got 0$/,
      ],
      [
        () => new SeqDataLoader({ text: TEXT, batchSize: 32, numSteps: 2.5 }),
        /numSteps must be a positive integer, got 2\.5$/,
      ],
      [
        () => new SeqDataLoader({ text: TEXT, batchSize: -3, numSteps: 35 }),
        /batchSize must be a positive integer, got -3$/,
      ],
      [
        () => seqDataIterRandom(iota(100), 2, Number.NaN, new Random(0)),
        /^seqDataIterRandom: numSteps must be a positive integer, got NaN$/,
      ],
      [
        () => seqDataIterSequential(iota(100), 2, 5, new Random(0), { offset: 6 }),
        /offset must be an integer in 0\.\.5, got 6$/,
      ],
      [
        () => seqDataIterRandom(iota(100), 2, 5, new Random(0), { offset: 5 }),
        /offset must be an integer in 0\.\.4, got 5$/,
      ],
      [() => loadCorpusTimeMachine(TEXT, 1.5), /maxTokens must be an integer, got 1\.5$/],
    ];
    for (const [fn, message] of cases) {
      const err = dataErrorOf(fn);
      expect(err.code).toBe('BAD_SIZE');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    }
    expect(dataErrorOf(() => preprocess('abc', 'latin' as 'book')).code).toBe('BAD_OPTION');
  });

  describe('reading files (Node)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-data-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the path of a missing, empty, unreadable or non-UTF-8 file', () => {
      const missing = join(dir, 'nope.txt');
      expect(dataErrorOf(() => readCorpusFile(missing))).toMatchObject({
        code: 'FILE_NOT_FOUND',
        message: `corpus file not found: ${missing}`,
      });
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, '');
      expect(dataErrorOf(() => readCorpusFile(empty))).toMatchObject({
        code: 'EMPTY_CORPUS',
        message: `corpus file is empty: ${empty}`,
      });
      const folder = join(dir, 'folder');
      mkdirSync(folder);
      expect(dataErrorOf(() => readCorpusFile(folder))).toMatchObject({
        code: 'FILE_UNREADABLE',
        message: `cannot read corpus file ${folder}: it is a directory`,
      });
      const binary = join(dir, 'binary.bin');
      writeFileSync(binary, Uint8Array.from([0x61, 0xff, 0xfe, 0x62]));
      expect(dataErrorOf(() => readCorpusFile(binary))).toMatchObject({
        code: 'FILE_UNREADABLE',
        message: `cannot read corpus file ${binary}: it is not valid UTF-8 text`,
      });
      const digits = join(dir, 'digits.txt');
      writeFileSync(digits, '123\n456\n');
      expect(dataErrorOf(() => loadCorpusTimeMachineFromFile(-1, { path: digits })).message).toMatch(
        new RegExp(`^${digits.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(8 characters\\) has no letters`),
      );
    });
  });
});

describe("'unicode' preprocessing", () => {
  it('keeps every character of a Chinese text, by code point, and collapses whitespace', () => {
    const text = '时间机器，\r\n作者  威尔斯。\n\n😀 很好\n';
    const lines = preprocess(text, 'unicode');
    expect(lines).toEqual(['时间机器，', '作者 威尔斯。', '', '😀 很好']);
    const { corpus, vocab } = loadCorpusTimeMachine(text, -1, { preprocess: 'unicode' });
    expect(vocab.toTokens(corpus).join('')).toBe('时间机器，作者 威尔斯。😀 很好');
    expect(corpus.length).toBe(16); // the emoji is ONE token although it is two UTF-16 units
    expect(vocab.toIndex('😀')).toBeGreaterThan(0);
    // The book's rule keeps only ASCII letters, so the same text has no tokens at all.
    expect(dataErrorOf(() => loadCorpusTimeMachine(text)).code).toBe('NO_TOKENS');
  });

  it('does not lower-case', () => {
    expect(preprocess('Hello  World', 'unicode')).toEqual(['Hello World']);
  });
});

describe('browser safety', () => {
  it('data/ and random.ts use no Node modules', () => {
    const srcDir = new URL('../src/', import.meta.url);
    const files = [
      new URL('random.ts', srcDir),
      ...readdirSync(new URL('data/', srcDir)).map((name) => new URL(`data/${name}`, srcDir)),
    ];
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect(source, file.pathname).not.toMatch(
        /from ['"]node:|require\(|\bprocess\.|\bBuffer\b|from ['"](fs|path|crypto|os|url)['"]/,
      );
    }
  });
});
