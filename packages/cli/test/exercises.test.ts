// The chapter's exercises as flags of the real binary: --valid-tokens/--valid-corpus (held-out perplexity),
// --input embedding/--embed-size, --activation relu, --theta inf, --bptt epoch, predict --alpha. Each is
// checked for its effect, and bad values are one line with exit 2.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkBuilt, cli, expectOneLineError, tempDir } from './helpers.js';

const dir = tempDir('rnn-scratch-exercises-');
const run = (args: string[]) => cli(dir, args);
beforeAll(() => {
  checkBuilt();
  writeFileSync(
    join(dir, 'other.txt'),
    'The War of the Worlds. No one would have believed, in the last years of the nineteenth century, that this world was being watched keenly and closely, a café.\n'.repeat(
      20,
    ),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = [
  '--num-hiddens',
  '8',
  '--batch-size',
  '4',
  '--num-steps',
  '5',
  '--max-tokens',
  '400',
  '--backend',
  'reference',
];
const json = (args: string[]) => {
  const r = run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const meta = (out: string) => JSON.parse(readFileSync(join(dir, out, 'checkpoint.json'), 'utf8'));
const names = (out: string) => {
  const bytes = readFileSync(join(dir, out, 'params.safetensors'));
  const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
  return Object.fromEntries(Object.entries(header).filter(([n]) => n !== '__metadata__')) as Record<
    string,
    { shape: number[] }
  >;
};

describe('held-out perplexity', () => {
  it('--valid-tokens: the tokens after the training ones, evaluated every --every epochs and drawn in perplexity.svg', () => {
    const s = json(['train', ...SMALL, '--epochs', '4', '--every', '2', '--valid-tokens', '300', '--out', 'valid']);
    expect(s.validPerplexity).toBeGreaterThan(1);
    expect(s.valid).toMatchObject({ tokens: 300, unknown: 0 });
    expect(s.valid.source).toMatch(/^tokens 400-700 of /);
    expect(s.history.map((h: { validPerplexity?: number }) => h.validPerplexity !== undefined)).toEqual([
      false,
      true,
      false,
      true,
    ]);
    expect(meta('valid').history[1].validPerplexity).toBe(s.history[1].validPerplexity);
    expect(readFileSync(join(dir, 'valid', 'perplexity.svg'), 'utf8')).toContain('held-out');
    const text = run([
      'train',
      ...SMALL,
      '--epochs',
      '2',
      '--every',
      '1',
      '--valid-tokens',
      '300',
      '--out',
      'valid-text',
    ]);
    expect(text.stdout).toMatch(/^epoch 1\/2 {2}perplexity [\d.]+ {2}held-out [\d.]+ {2}/m);
    expect(text.stdout).toMatch(/^held-out perplexity [\d.]+ on 300 tokens \(tokens 400-700 of /m);
  });

  it('is kept by a resumed run, and the training numbers do not depend on it', () => {
    const plain = json(['train', ...SMALL, '--epochs', '3', '--out', 'plain']);
    const resumed = json(['train', '--resume', 'valid', '--epochs', '5']);
    expect(resumed.valid.tokens).toBe(300);
    const valid3 = json(['train', ...SMALL, '--epochs', '3', '--valid-tokens', '300', '--out', 'valid3']);
    expect(valid3.history.map((h: { perplexity: number }) => h.perplexity)).toEqual(
      plain.history.map((h: { perplexity: number }) => h.perplexity),
    );
  });

  it('--valid-corpus: another text with the training vocabulary, counting characters it does not know', () => {
    const book = json(['train', ...SMALL, '--epochs', '1', '--valid-corpus', 'other.txt', '--out', 'other']);
    expect(book.valid).toMatchObject({ unknown: 0 });
    expect(book.validPerplexity).toBeGreaterThan(1);
    const unicode = json([
      'train',
      ...SMALL,
      '--epochs',
      '1',
      '--preprocess',
      'unicode',
      '--max-tokens',
      '2000',
      '--valid-corpus',
      'other.txt',
      '--out',
      'other-u',
    ]);
    expect(unicode.valid.unknown).toBe(20); // the 'é' of every line: The Time Machine is plain ASCII
  });

  it('bad values: one line, exit 2 or 3', () => {
    expectOneLineError(run(['train', '--valid-tokens', '0']), 2, /--valid-tokens must be at least 1, got 0$/);
    expectOneLineError(
      run(['train', ...SMALL, '--valid-tokens', '10', '--valid-corpus', 'other.txt']),
      2,
      /give --valid-tokens or --valid-corpus, not both$/,
    );
    expectOneLineError(
      run(['train', ...SMALL, '--max-tokens', '-1', '--valid-tokens', '500']),
      3,
      /a held-out slice of 500 tokens: only 0 tokens of .* follow the 170580 training tokens/,
    );
    expectOneLineError(
      run(['train', ...SMALL, '--valid-corpus', 'missing.txt']),
      3,
      /corpus file not found: .*missing\.txt$/,
    );
  });
});

describe('learned embeddings', () => {
  it('--input embedding --embed-size E adds the table W_emb (V, E) and the model reads E inputs', () => {
    json(['train', ...SMALL, '--epochs', '1', '--input', 'embedding', '--embed-size', '4', '--out', 'emb']);
    const p = names('emb');
    expect(p.W_emb.shape).toEqual([28, 4]);
    expect(p.W_xh.shape).toEqual([4, 8]);
    expect(meta('emb').hyperparameters.embedSize).toBe(4);
    expect(run(['predict', '--checkpoint', 'emb']).code).toBe(0);
    json(['train', ...SMALL, '--epochs', '1', '--input', 'embedding', '--out', 'emb-default']);
    expect(names('emb-default').W_emb.shape).toEqual([28, 32]);
    expect(names('plain').W_xh.shape).toEqual([28, 8]);
  });

  it('bad values: one line, exit 2', () => {
    expectOneLineError(
      run(['train', '--embed-size', '4']),
      2,
      /--embed-size sets the embedding table: give --input embedding too$/,
    );
    expectOneLineError(run(['train', '--input', 'embeddings']), 2, /did you mean 'embedding'\?$/);
    expectOneLineError(
      run(['train', '--resume', 'emb', '--input', 'one-hot', '--epochs', '2']),
      2,
      /--embed-size 0 conflicts with the checkpoint emb/,
    );
  });
});

describe('ReLU', () => {
  it('--activation relu trains, is recorded, and predict uses it', () => {
    const s = json(['train', ...SMALL, '--epochs', '2', '--activation', 'relu', '--out', 'relu']);
    expect(meta('relu').hyperparameters.activation).toBe('relu');
    const p = json(['predict', '--checkpoint', 'relu', '--num-preds', '50']);
    expect(p.text).toBe(s.predictions['time traveller']); // the same model: predict applies relu too
    const tanh = json(['train', ...SMALL, '--epochs', '2', '--out', 'tanh']);
    expect(tanh.perplexity).not.toBe(s.perplexity);
  });

  it('bad values: one line, exit 2', () => {
    expectOneLineError(
      run(['train', '--activation', 'relu', '--cell', 'gru']),
      2,
      /activation 'relu' is for the rnn cell; the gru keeps its sigmoid gates/,
    );
    expectOneLineError(run(['train', '--activation', 'sigmoid']), 2, /--activation must be one of tanh, relu/);
  });
});

describe('no clipping', () => {
  it('--theta inf is recorded as "inf", resumes, and a divergence still ends with exit 6 and the last good checkpoint', () => {
    const s = json(['train', ...SMALL, '--epochs', '2', '--theta', 'inf', '--out', 'noclip']);
    expect(s.hyperparameters.theta).toBe('inf');
    expect(meta('noclip').hyperparameters.theta).toBe('inf');
    expect(json(['train', '--resume', 'noclip', '--epochs', '3']).hyperparameters.theta).toBe('inf');
    const clipped = json(['train', ...SMALL, '--epochs', '2', '--lr', '5', '--out', 'clip5']);
    const free = json(['train', ...SMALL, '--epochs', '2', '--lr', '5', '--theta', 'inf', '--out', 'free5']);
    expect(free.perplexity).not.toBe(clipped.perplexity);
    const diverged = run([
      'train',
      ...SMALL,
      '--epochs',
      '3',
      '--lr',
      '1e6',
      '--theta',
      'inf',
      '--out',
      'boom',
      '--json',
    ]);
    expectOneLineError(diverged, 6, /^rnn-scratch: training diverged at epoch 1/);
    expect(meta('boom').status).toBe('diverged');
  });

  it('bad values: one line, exit 2', () => {
    expectOneLineError(run(['train', '--theta', 'infinite']), 2, /--theta expects a number or inf, got 'infinite'$/);
    expectOneLineError(run(['train', '--theta', '0']), 2, /--theta must be greater than 0, got 0$/);
  });
});

describe('no detach within an epoch', () => {
  it('--bptt epoch changes the training, is recorded, and resumes', () => {
    const cut = json(['train', ...SMALL, '--epochs', '2', '--out', 'cut']);
    const through = json(['train', ...SMALL, '--epochs', '2', '--bptt', 'epoch', '--out', 'through']);
    expect(through.history[0].perplexity).not.toBe(cut.history[0].perplexity);
    expect(meta('through').hyperparameters.bptt).toBe('epoch');
    expect(json(['train', '--resume', 'through', '--epochs', '3']).hyperparameters.bptt).toBe('epoch');
  });

  it('is refused for the random samplers, in one line', () => {
    expectOneLineError(
      run(['train', ...SMALL, '--bptt', 'epoch', '--sampler', 'random']),
      2,
      /bptt 'epoch' needs the sequential sampler/,
    );
    expectOneLineError(run(['train', '--bptt', 'never']), 2, /--bptt must be one of minibatch, epoch/);
  });
});

describe('predict --alpha', () => {
  it('samples from P^alpha: the same text as --temperature 1/alpha for a seed', () => {
    const a = json(['predict', '--checkpoint', 'plain', '--alpha', '2', '--seed', '3']);
    const t = json(['predict', '--checkpoint', 'plain', '--temperature', '0.5', '--seed', '3']);
    expect(a.text).toBe(t.text);
    expect(a.alpha).toBe(2);
    const greedy = json(['predict', '--checkpoint', 'plain']);
    const flat = json(['predict', '--checkpoint', 'plain', '--alpha', '0.2', '--seed', '3']);
    expect(flat.text).not.toBe(greedy.text);
  });

  it('bad values: one line, exit 2', () => {
    expectOneLineError(
      run(['predict', '--checkpoint', 'plain', '--alpha', '0']),
      2,
      /--alpha must be greater than 0, got 0$/,
    );
    expectOneLineError(
      run(['predict', '--checkpoint', 'plain', '--alpha', '2', '--temperature', '1']),
      2,
      /give --temperature or --alpha, not both/,
    );
  });
});
