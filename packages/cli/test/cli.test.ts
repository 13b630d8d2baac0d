// End-to-end tests of the REAL built binary: `node packages/cli/bin/rnn-scratch.js ...`.
// They need the build (`npm test` builds first; for a bare `vitest run`, run `npx tsc -b` before).
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type Result, checkBuilt, cli as runCli, expectOneLineError, tempDir } from './helpers.js';

const dir = tempDir();

/** Run the CLI in the temporary folder, as a user would. */
function cli(args: string[], bin = BIN): Result {
  return runCli(dir, args, {}, bin);
}

beforeAll(() => {
  checkBuilt();
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'digits.txt'), '1234 5678\n-- 42 --\n');
  writeFileSync(join(dir, 'short.txt'), 'The Time Machine, by H. G. Wells\n'.repeat(4)); // 4 x 29 = 116 tokens
  writeFileSync(join(dir, 'chinese.txt'), '时间机器是一部小说。\n'.repeat(200));
  mkdirSync(join(dir, 'folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rnn-scratch corpus: the book numbers', () => {
  it('prints lines, tokens, the vocabulary and minibatches per epoch as text', () => {
    const r = cli(['corpus']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^lines +3221 \(373 empty\)$/m);
    expect(out).toMatch(/^tokens +170580 in the text; 10000 used for training/m);
    expect(out).toMatch(/^used tokens +27 distinct, ending 'ow arm cha'$/m);
    expect(out).toMatch(/^vocab size +28$/m);
    expect(out).toMatch(/^sha256 +8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516 \(d2l's/m);
    // The vocabulary rows: index, token, count, in the published order.
    const rows = [...out.matchAll(/^ +(\d+) (\S+|' ') +(\d+)$/gm)].map((m) => [Number(m[1]), m[2], Number(m[3])]);
    expect(rows.map((row) => row[1]).join(',')).toBe("<unk>,' ',e,t,a,i,n,o,s,h,r,d,l,m,u,c,f,w,g,y,p,b,v,k,x,z,j,q");
    expect(rows[1]).toEqual([1, "' '", 29927]);
    expect(rows[27]).toEqual([27, 'q', 95]);
    expect(out).toMatch(/^ +sequential +8 per epoch \(offset 0\.\.35\), 8960 label tokens per epoch$/m);
    expect(out).toMatch(/^ +random +8 per epoch \(offset 0\.\.34\), 8960 label tokens per epoch$/m);
  });

  it('prints one JSON object with --json', () => {
    const r = cli(['corpus', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      bundled: true,
      isD2lTimeMachine: true,
      preprocess: 'book',
      lines: 3221,
      emptyLines: 373,
      tokens: 170580,
      maxTokens: 10000,
      tokensUsed: 10000,
      distinctTokensUsed: 27,
      lastTokensUsed: 'ow arm cha',
      vocabSize: 28,
      batchSize: 32,
      numSteps: 35,
      iterators: {
        sequential: {
          offsets: [0, 35],
          batchesPerEpoch: { min: 8, max: 8 },
          labelTokensPerEpoch: { min: 8960, max: 8960 },
        },
        random: {
          offsets: [0, 34],
          batchesPerEpoch: { min: 8, max: 8 },
          labelTokensPerEpoch: { min: 8960, max: 8960 },
        },
      },
    });
    expect(summary.vocab.slice(0, 4)).toEqual([
      { index: 0, token: '<unk>', count: 0 },
      { index: 1, token: ' ', count: 29927 },
      { index: 2, token: 'e', count: 17838 },
      { index: 3, token: 't', count: 13515 },
    ]);
    expect(summary.vocab).toHaveLength(28);
  });

  it('follows --max-tokens, --batch-size, --num-steps and --top', () => {
    const r = cli(['corpus', '--json', '--max-tokens', '-1', '--batch-size', '64', '--num-steps=20', '--top', '3']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.tokensUsed).toBe(170580);
    // sequential: (170580 - offset - 1) // 64 columns = 2664 or 2665, // 20 = 133 batches.
    expect(summary.iterators.sequential.batchesPerEpoch).toEqual({ min: 133, max: 133 });
    expect(summary.iterators.sequential.labelTokensPerEpoch).toEqual({ min: 133 * 64 * 20, max: 133 * 64 * 20 });
    // random: (170580 - offset - 1) // 20 = 8528 or 8527 subsequences, // 64 = 133.
    expect(summary.iterators.random.batchesPerEpoch).toEqual({ min: 133, max: 133 });
    expect(summary.vocab.map((v: { token: string }) => v.token)).toEqual(['<unk>', ' ', 'e']);
  });

  it('reads another file, and keeps every character with --preprocess unicode', () => {
    const r = cli([
      'corpus',
      '--corpus',
      'chinese.txt',
      '--preprocess',
      'unicode',
      '--json',
      '--batch-size',
      '4',
      '--num-steps',
      '5',
    ]);
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ file: 'chinese.txt', bundled: false, isD2lTimeMachine: false, tokens: 2000 });
    expect(summary.vocabSize).toBe(11); // <unk> + 10 distinct characters
    expect(summary.vocab[1]).toEqual({ index: 1, token: '时', count: 200 });
  });

  it('shows help with the defaults of each flag, and the version', () => {
    const help = cli(['corpus', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--max-tokens N +.*\(default: 10000\)/);
    expect(help.stdout).toMatch(/--batch-size N +.*\(default: 32\)/);
    expect(help.stdout).toMatch(/--num-steps N +.*\(default: 35\)/);
    expect(help.stdout).toMatch(/--preprocess book\|unicode +.*\(default: book\)/);
    expect(cli(['help', 'corpus']).stdout).toBe(help.stdout);
    const top = cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^ +corpus +describe the corpus/m);
    const version = cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe('0.1.0\n');
  });

  it('works through a symlink, as from node_modules/.bin', () => {
    const link = join(dir, 'rnn-scratch-link.js');
    symlinkSync(BIN, link);
    const r = cli(['corpus', '--json'], link);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).vocabSize).toBe(28);
  });
});

describe('rnn-scratch errors: one line, distinct exit codes, no stack trace', () => {
  it('exits 3 for a missing, empty, unreadable or letter-less file', () => {
    expectOneLineError(cli(['corpus', '--corpus', 'nope.txt']), 3, /^rnn-scratch: corpus file not found: nope\.txt$/);
    expectOneLineError(cli(['corpus', '--corpus', 'empty.txt']), 3, /^rnn-scratch: corpus file is empty: empty\.txt$/);
    expectOneLineError(cli(['corpus', '--corpus', 'folder']), 3, /cannot read corpus file folder: it is a directory$/);
    expectOneLineError(
      cli(['corpus', '--corpus', 'digits.txt']),
      3,
      /^rnn-scratch: digits\.txt \(19 characters\) has no letters A-Z\/a-z/,
    );
  });

  it('exits 3 for a corpus too short for one minibatch, saying what is needed and what there is', () => {
    expectOneLineError(
      cli(['corpus', '--corpus', 'short.txt']),
      3,
      /^rnn-scratch: corpus has 116 tokens \(short\.txt\) but one minibatch of batch size 32 x 35 steps needs at least 1156 /,
    );
    expectOneLineError(
      cli(['corpus', '--max-tokens', '500']),
      3,
      /corpus has 500 tokens \(.*timemachine\.txt; first 500 of 170580 kept by --max-tokens 500\) but .* needs at least 1156/,
    );
    // The same file works with a small enough minibatch: 116 >= 2*10 + 1 + 10.
    expect(cli(['corpus', '--corpus', 'short.txt', '--batch-size', '2', '--num-steps', '10']).code).toBe(0);
  });

  it('exits 2 for bad numbers and choices', () => {
    expectOneLineError(
      cli(['corpus', '--batch-size', '0']),
      2,
      /^rnn-scratch: --batch-size must be at least 1, got 0$/,
    );
    expectOneLineError(
      cli(['corpus', '--batch-size', 'abc']),
      2,
      /^rnn-scratch: --batch-size expects a positive integer, got 'abc'$/,
    );
    expectOneLineError(cli(['corpus', '--num-steps', '2.5']), 2, /--num-steps expects a positive integer, got '2\.5'$/);
    expectOneLineError(cli(['corpus', '--max-tokens']), 2, /^rnn-scratch: --max-tokens needs a value/);
    expectOneLineError(
      cli(['corpus', '--preprocess', 'unicod']),
      2,
      /must be one of book, unicode; .*did you mean 'unicode'\?$/,
    );
  });

  it('exits 2 for a renamed flag, saying its new name', () => {
    expectOneLineError(
      cli(['corpus', '--mode', 'unicode']),
      2,
      /^rnn-scratch: --mode is now called --preprocess \(see 'rnn-scratch corpus --help'\)$/,
    );
    expectOneLineError(cli(['corpus', '--file', 'a.txt']), 2, /^rnn-scratch: --file is now called --corpus /);
    expectOneLineError(cli(['train', '--mode=book']), 2, /^rnn-scratch: --mode is now called --preprocess /);
  });

  it('exits 2 for an unknown flag, suggesting the closest one', () => {
    expectOneLineError(
      cli(['corpus', '--max-token', '5']),
      2,
      /^rnn-scratch: unknown flag --max-token for 'rnn-scratch corpus'; did you mean --max-tokens\?$/,
    );
    expectOneLineError(cli(['corpus', '--batchsize', '5']), 2, /did you mean --batch-size\?$/);
    expectOneLineError(
      cli(['corpus', '--frobnicate']),
      2,
      /^rnn-scratch: unknown flag --frobnicate for 'rnn-scratch corpus'/,
    );
    expectOneLineError(cli(['corpus', 'extra']), 2, /unexpected argument 'extra'/);
    expectOneLineError(cli(['--json', 'corpus']), 2, /--json is an option of 'corpus': put it after the command/);
  });

  it('exits 2 for an unknown command, suggesting the closest one', () => {
    expectOneLineError(cli(['corpse']), 2, /^rnn-scratch: unknown command 'corpse'; did you mean 'corpus'\?$/);
    expectOneLineError(
      cli(['xyzzy']),
      2,
      /^rnn-scratch: unknown command 'xyzzy' \(commands: train, predict, sweep, worker, export, backends, bench, corpus, help\)$/,
    );
  });

  it('shows the stack trace with --debug', () => {
    const r = cli(['corpus', '--corpus', 'nope.txt', '--debug']);
    expect(r.code).toBe(3);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('rnn-scratch: corpus file not found: nope.txt');
    expect(r.stderr).toMatch(/DataError: corpus file not found[^\n]*\n\s+at /);
  });
});
