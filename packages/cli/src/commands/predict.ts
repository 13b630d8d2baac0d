/**
 * `rnn-scratch predict`: d2l's `predict_ch8` from a saved checkpoint. Greedy (the book's argmax) by
 * default; `--temperature` > 0 samples, reproducibly for a given `--seed`.
 */

import { BOOK_DEFAULTS, predict, preprocessLine, Random, Vocab } from '@rnn-scratch/core';

import { UsageError } from '../args.js';
import { openBackend } from '../backends.js';
import { loadCheckpoint } from '../checkpoint.js';
import { defineCommand } from '../command.js';

const flags = [
  {
    name: 'checkpoint',
    type: 'string',
    placeholder: 'DIR',
    help: 'checkpoint folder written by rnn-scratch train (required)',
  },
  {
    name: 'prefix',
    type: 'string',
    default: BOOK_DEFAULTS.prefixes[0],
    help: "text to start from (the model continues it); it is preprocessed like the checkpoint's corpus, so with the book's preprocessing 'The Time-Traveller!' reads as 'the time traveller'",
  },
  {
    name: 'num-preds',
    type: 'int',
    min: 0,
    default: BOOK_DEFAULTS.numPreds,
    help: 'characters to generate after the prefix',
  },
  {
    name: 'temperature',
    type: 'number',
    min: 0,
    default: 0,
    help: '0: greedy argmax like the book; > 0: sample from softmax(logits / T)',
  },
  {
    name: 'alpha',
    type: 'number',
    validate: (v: number) => (v > 0 ? undefined : `must be greater than 0, got ${v}`),
    help: "sample from q proportional to P^alpha (the chapter's exercise 3: alpha > 1 favours likely characters); the same as --temperature 1/alpha",
  },
  {
    name: 'top-k',
    type: 'int',
    min: 1,
    help: 'when sampling: draw among the K most likely characters only',
    defaultLabel: 'all',
  },
  { name: 'seed', type: 'int', min: 0, default: 0, help: 'seed for sampling (with --temperature or --alpha)' },
  {
    name: 'backend',
    type: 'string',
    placeholder: 'ID',
    default: 'reference',
    help: 'backend[:device] (one token at a time is light work: the always-present reference backend is enough)',
  },
  {
    name: 'threads',
    type: 'int',
    min: 1,
    help: 'intra-op threads, for backends that have them',
    defaultLabel: "the backend's choice",
  },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of text' },
] as const;

export const predictCommand = defineCommand({
  name: 'predict',
  summary: "generate text from a checkpoint (d2l's predict_ch8)",
  description: [
    "Loads a checkpoint and continues a prefix like d2l's predict_ch8: warm up the state on the prefix, then",
    'generate --num-preds characters, each from the previous one. Prints the prefix followed by the generated text.',
    "The prefix is first preprocessed exactly like the checkpoint's corpus (book: lower-cased, every run of",
    'non-letters one space, trimmed; unicode: whitespace runs one space, trimmed); characters still outside the',
    'vocabulary are named in one note on stderr and read as <unk>.',
    '',
    'Examples:',
    '  rnn-scratch predict --checkpoint runs/quick',
    '  rnn-scratch predict --checkpoint runs/quick --prefix traveller --num-preds 100',
    '  rnn-scratch predict --checkpoint runs/quick --temperature 0.8 --top-k 5 --seed 1',
    '  rnn-scratch predict --checkpoint runs/quick --alpha 2 --seed 1',
  ].join('\n'),
  flags,
  async run(options, { stdout, stderr }) {
    if (options.checkpoint === undefined) {
      throw new UsageError("'rnn-scratch predict' needs --checkpoint DIR (a folder written by rnn-scratch train)");
    }
    if (options.alpha !== undefined && options.temperature !== 0) {
      throw new UsageError('give --temperature or --alpha, not both (alpha is 1 / temperature)');
    }
    const sampling = options.temperature > 0 || options.alpha !== undefined;
    if (options.topK !== undefined && !sampling) {
      throw new UsageError(
        '--top-k only applies when sampling: give a --temperature greater than 0 (or an --alpha) too',
      );
    }
    const { meta, params } = loadCheckpoint(options.checkpoint);
    const vocab = Vocab.fromJSON(meta.vocab);
    const { preprocess } = meta.hyperparameters;
    const prefix = preprocessLine(options.prefix, preprocess);
    if (prefix === '') {
      throw new UsageError(
        `--prefix ${JSON.stringify(options.prefix)} is empty once preprocessed like the checkpoint's corpus (${preprocess}); give some letters`,
      );
    }
    const unknown = [...new Set([...prefix].filter((c) => !vocab.tokenToIdx.has(c)))];
    if (unknown.length > 0 && !options.json) {
      const shown = unknown.map((c) => JSON.stringify(c)).join(', ');
      const count = unknown.length === 1 ? 'character is' : `${unknown.length} characters are`;
      stderr.write(`rnn-scratch: note: the prefix's ${count} not in the vocabulary, read as <unk>: ${shown}\n`);
    }

    const backend = await openBackend(options.backend, { threads: options.threads });
    try {
      const text = await predict(backend, prefix, params, vocab, {
        numPreds: options.numPreds,
        ...(options.alpha === undefined ? { temperature: options.temperature } : { alpha: options.alpha }),
        topK: options.topK,
        rng: new Random(options.seed),
        activation: meta.hyperparameters.activation,
      });
      if (options.json) {
        const summary = {
          checkpoint: options.checkpoint,
          epoch: meta.epoch,
          backend: `${backend.name}:${backend.device}`,
          prefix,
          numPreds: options.numPreds,
          temperature: options.alpha === undefined ? options.temperature : 1 / options.alpha,
          alpha: options.alpha ?? null,
          topK: options.topK ?? null,
          seed: options.seed,
          text,
        };
        stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        stdout.write(`${text}\n`);
      }
    } finally {
      await backend.dispose();
    }
  },
});
