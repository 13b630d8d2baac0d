/**
 * `rnn-scratch corpus`: describe the training data the way d2l 8.2–8.3 does, step by step: the lines of the
 * book, the character tokens, the vocabulary with its frequencies, and how many minibatches each data iterator
 * makes per epoch. With the defaults it prints the book's numbers: 3221 lines, (170580, 28), 8 minibatches
 * of 32 x 35 (8,960 label tokens) per epoch.
 */

import {
  BOOK_DEFAULTS,
  checkCorpusLength,
  loadCorpusTimeMachine,
  maxRandomOffset,
  numBatchesPerEpoch,
  PREPROCESSING_CHOICES,
  type DataIterator,
} from '@rnn-scratch/core';
import { bundledCorpusPath, checkTimeMachineSha256, readCorpusFile } from '@rnn-scratch/core/node';

import { defineCommand } from '../command.js';

const flags = [
  {
    name: 'corpus',
    formerly: 'file',
    type: 'string',
    placeholder: 'FILE',
    help: 'corpus text file (UTF-8)',
    defaultLabel: "the bundled timemachine.txt, d2l's copy of the book",
  },
  {
    name: 'max-tokens',
    type: 'int',
    default: BOOK_DEFAULTS.maxTokens,
    min: -1,
    help: 'keep the first N tokens for training; 0 or -1 keeps all',
  },
  { name: 'batch-size', type: 'int', default: BOOK_DEFAULTS.batchSize, min: 1, help: 'subsequences per minibatch' },
  { name: 'num-steps', type: 'int', default: BOOK_DEFAULTS.numSteps, min: 1, help: 'time steps per subsequence' },
  {
    name: 'preprocess',
    formerly: 'mode',
    type: 'choice',
    choices: PREPROCESSING_CHOICES,
    default: BOOK_DEFAULTS.preprocess,
    help: "book: d2l's letters-only lower-case text; unicode: keep every character",
  },
  { name: 'top', type: 'int', default: 30, min: 0, help: 'how many vocabulary entries to list; 0 lists all' },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of text' },
] as const;

/** How one data iterator cuts the corpus into minibatches, per epoch. */
interface IteratorSummary {
  /** The random offset is drawn from offsets[0]..offsets[1] (inclusive) every epoch. */
  offsets: [number, number];
  batchesPerEpoch: { min: number; max: number };
  labelTokensPerEpoch: { min: number; max: number };
}

export const corpusCommand = defineCommand({
  name: 'corpus',
  summary: 'describe the corpus: lines, tokens, vocabulary, minibatches per epoch (d2l 8.2-8.3)',
  description:
    "Reads the corpus like d2l's load_data_time_machine and prints what each step produces.\n" +
    'With the defaults: 3221 lines, 170580 tokens, a 28-token vocabulary, and 8 minibatches of 32 x 35 per epoch.',
  flags,
  run(options, { stdout }) {
    const { maxTokens, batchSize, numSteps, preprocess, top } = options;
    const file = options.corpus ?? bundledCorpusPath();

    // Read and preprocess (errors here are DataErrors: missing/empty file, no tokens, ...).
    const text = readCorpusFile(file);
    const sha = checkTimeMachineSha256(file);
    const { corpus, vocab, lines, totalTokens } = loadCorpusTimeMachine(text, maxTokens, { preprocess, source: file });

    // The sequential iterator needs the most tokens (its offset goes up to numSteps), so check it.
    const cut =
      corpus.length < totalTokens ? `; first ${corpus.length} of ${totalTokens} kept by --max-tokens ${maxTokens}` : '';
    checkCorpusLength('sequential', corpus.length, batchSize, numSteps, undefined, ` (${file}${cut})`);

    const iterators = {} as Record<DataIterator, IteratorSummary>;
    for (const iterator of ['sequential', 'random'] as const) {
      const batches = numBatchesPerEpoch(iterator, corpus.length, batchSize, numSteps);
      const perBatch = batchSize * numSteps;
      iterators[iterator] = {
        offsets: [0, maxRandomOffset(iterator, numSteps)],
        batchesPerEpoch: batches,
        labelTokensPerEpoch: { min: batches.min * perBatch, max: batches.max * perBatch },
      };
    }

    const counts = new Map(vocab.tokenFreqs);
    const listed = top === 0 ? vocab.idxToToken : vocab.idxToToken.slice(0, top);
    const vocabRows = listed.map((token, index) => ({ index, token, count: counts.get(token) ?? 0 }));
    const tail = vocab.toTokens(corpus.subarray(Math.max(0, corpus.length - 10))).join('');

    const summary = {
      file,
      bundled: options.corpus === undefined,
      sha256: sha.sha256,
      isD2lTimeMachine: sha.ok,
      preprocess,
      lines: lines.length,
      emptyLines: lines.filter((line) => line === '').length,
      tokens: totalTokens,
      maxTokens,
      tokensUsed: corpus.length,
      distinctTokensUsed: new Set(corpus).size,
      lastTokensUsed: tail,
      vocabSize: vocab.length,
      vocab: vocabRows,
      batchSize,
      numSteps,
      iterators,
    };

    if (options.json) {
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }

    const range = ({ min, max }: { min: number; max: number }) => (min === max ? `${min}` : `${min}-${max}`);
    const show = (token: string) => (/^[^\s\p{C}]+$/u.test(token) ? token : `'${JSON.stringify(token).slice(1, -1)}'`);
    const out: string[] = [
      `file              ${file}${summary.bundled ? ' (bundled)' : ''}`,
      `sha256            ${sha.sha256}${sha.ok ? " (d2l's timemachine.txt)" : ''}`,
      `preprocess        ${preprocess}`,
      `lines             ${summary.lines} (${summary.emptyLines} empty)`,
      `tokens            ${totalTokens} in the text; ${corpus.length} used for training${
        cut ? ` (--max-tokens ${maxTokens})` : ''
      }`,
      `used tokens       ${summary.distinctTokensUsed} distinct, ending '${tail}'`,
      `vocab size        ${vocab.length}`,
      `vocab             index token count${
        listed.length < vocab.length ? ` (top ${listed.length}; --top 0 lists all)` : ''
      }`,
      ...vocabRows.map((row) => `  ${String(row.index).padStart(5)} ${show(row.token).padEnd(5)} ${row.count}`),
      `minibatches       batch size ${batchSize} x ${numSteps} steps`,
    ];
    for (const iterator of ['sequential', 'random'] as const) {
      const s = iterators[iterator];
      out.push(
        `  ${iterator.padEnd(15)} ${range(s.batchesPerEpoch)} per epoch (offset ${s.offsets[0]}..${s.offsets[1]}), ` +
          `${range(s.labelTokensPerEpoch)} label tokens per epoch`,
      );
    }
    stdout.write(`${out.join('\n')}\n`);
  },
});
