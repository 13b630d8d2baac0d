// `rnn-scratch train` end to end (the real built binary), on tiny sizes with the reference backend.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkBuilt, cli, expectOneLineError, interruptAfter, tempDir, TINY } from './helpers.js';

const dir = tempDir('rnn-scratch-train-');
const run = (args: string[], env?: Record<string, string>) => cli(dir, args, env);

beforeAll(() => {
  checkBuilt();
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'digits.txt'), '1234 5678\n-- 42 --\n');
  writeFileSync(join(dir, 'short.txt'), 'The Time Machine\n'); // 16 tokens
  mkdirSync(join(dir, 'folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The tensors of a params.safetensors file (header excluded), for bit-for-bit comparisons. */
function tensorBytes(path: string): Buffer {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  return bytes.subarray(8 + n);
}

function meta(path: string): Record<string, any> & { checksum?: string } {
  return JSON.parse(readFileSync(join(path, 'checkpoint.json'), 'utf8'));
}

describe('rnn-scratch train: output like train_ch8', () => {
  it('prints a header, the epochs, the final perplexity and speed, two predictions, speed, time and a sparkline', () => {
    const r = run(['train', ...TINY, '--every', '1', '--out', 'text-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^rnn-scratch train: backend reference:cpu, rnn, vocab 28, hiddens 8, batch 4 x 5 steps, 548 parameters, lr 1, theta 1, sampler sequential, seed 0$/,
    );
    expect(lines[1]).toMatch(
      /^corpus .*timemachine\.txt \(bundled\): 400 of 170580 tokens .*epochs 1-3; checkpoints in text-run$/,
    );
    for (const e of [1, 2, 3]) {
      expect(r.stdout).toMatch(
        new RegExp(`^epoch ${e}/3  perplexity \\d+\\.\\d\\d  \\d+\\.\\d tokens/sec  time traveller`, 'm'),
      );
    }
    const end = lines.findIndex((l) => /^perplexity \d+\.\d, \d+\.\d tokens\/sec on reference:cpu$/.test(l));
    expect(end, r.stdout).toBeGreaterThan(0);
    // The two predictions: the prefix and 50 generated characters.
    expect(lines[end + 1]).toMatch(/^time traveller/);
    expect(lines[end + 1]).toHaveLength(64);
    expect(lines[end + 2]).toMatch(/^traveller/);
    expect(lines[end + 2]).toHaveLength(59);
    expect(lines[end + 3]).toMatch(/^average \d+\.\d tokens\/sec over epochs 1-3, wall time [\d.]+s$/);
    expect(lines[end + 4]).toMatch(/^perplexity [▁▂▃▄▅▆▇█]{3} \d+\.\d\d -> \d+\.\d\d over 3 epochs$/);
    expect(lines[end + 5]).toBe('saved text-run (params.safetensors, checkpoint.json, perplexity.svg)');

    // The checkpoint folder: exactly the three files, no leftovers of the atomic writes.
    expect(readdirSync(join(dir, 'text-run')).sort()).toEqual([
      'checkpoint.json',
      'params.safetensors',
      'perplexity.svg',
    ]);
    expect(readdirSync(dir).filter((n) => /\.(tmp|old)-\d+$/.test(n))).toEqual([]);
    const m = meta(join(dir, 'text-run'));
    expect(m).toMatchObject({
      format: 'rnn-scratch-checkpoint',
      version: 1,
      epoch: 3,
      seed: 0,
      backend: 'reference:cpu',
      status: 'completed',
      hyperparameters: {
        numHiddens: 8,
        batchSize: 4,
        numSteps: 5,
        lr: 1,
        theta: 1,
        maxTokens: 400,
        sampler: 'sequential',
        preprocess: 'book',
        numEpochs: 3,
      },
      corpus: { path: null, sha256: '8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516', tokens: 400 },
    });
    expect(m.vocab.idxToToken).toHaveLength(28);
    expect(m.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
    expect(m.dataRngState).toHaveLength(4);
    const svg = readFileSync(join(dir, 'text-run', 'perplexity.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>perplexity</text>');
    expect(svg).toContain('<polyline');
  });

  it('prints only the epochs every --every (and the last), like the book every 10', () => {
    const r = run(['train', ...TINY, '--epochs', '5', '--every', '2', '--out', 'every-run']);
    expect(r.code).toBe(0);
    const epochs = [...r.stdout.matchAll(/^epoch (\d)\/5 /gm)].map((m) => Number(m[1]));
    expect(epochs).toEqual([2, 4, 5]);
  });

  it('--json prints exactly one JSON object on stdout, and is reproducible with the default seed', () => {
    const a = run(['train', ...TINY, '--json', '--out', 'json-a']);
    const b = run(['train', ...TINY, '--json', '--out', 'json-b']);
    const c = run(['train', ...TINY, '--json', '--seed', '7', '--out', 'json-c']);
    for (const r of [a, b, c]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    const ja = JSON.parse(a.stdout);
    expect(ja).toMatchObject({
      status: 'completed',
      backend: 'reference:cpu',
      seed: 0,
      epoch: 3,
      startEpoch: 0,
      vocabSize: 28,
      numParams: 548,
      checkpoint: 'json-a',
      hyperparameters: { numHiddens: 8, batchSize: 4, numSteps: 5, maxTokens: 400, numEpochs: 3 },
    });
    expect(ja.perplexity).toBeGreaterThan(1);
    expect(ja.tokensPerSec).toBeGreaterThan(0);
    expect(ja.averageTokensPerSec).toBeGreaterThan(0);
    expect(ja.wallSeconds).toBeGreaterThan(0);
    expect(ja.predictions['time traveller']).toHaveLength(64);
    expect(ja.predictions.traveller).toHaveLength(59);
    expect(ja.history).toHaveLength(3);
    const jb = JSON.parse(b.stdout);
    const jc = JSON.parse(c.stdout);
    expect(jb.history).toEqual(ja.history);
    expect(
      tensorBytes(join(dir, 'json-b', 'params.safetensors')).equals(
        tensorBytes(join(dir, 'json-a', 'params.safetensors')),
      ),
    ).toBe(true);
    expect(jc.seed).toBe(7);
    expect(jc.history).not.toEqual(ja.history);
  });

  it('preprocesses --prefix like the corpus, and says so in --help', () => {
    const r = run(['train', ...TINY, '--epochs', '1', '--json', '--prefix', 'The Time-Machine!', '--out', 'prefix']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).predictions)).toEqual(['the time machine']);
    expectOneLineError(
      run(['train', ...TINY, '--prefix', '42', '--out', 'prefix-2']),
      2,
      /--prefix "42" is empty once preprocessed like the corpus \(--preprocess book\)/,
    );
    expect(run(['train', '--help']).stdout).toMatch(/--prefix TEXT +.*preprocessed like the corpus/);
  });

  it('shows every flag with its default in --help, and the exit codes', () => {
    const r = run(['train', '--help']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/--epochs N +.*\(default: 500/);
    expect(out).toMatch(/--lr N +.*\(default: 1/);
    expect(out).toMatch(/--num-hiddens N +.*\(default: 512\)/);
    expect(out).toMatch(/--batch-size N +.*\(default: 32\)/);
    expect(out).toMatch(/--num-steps N +.*\(default: 35\)/);
    expect(out).toMatch(/--max-tokens N +.*\(default: 10000\)/);
    expect(out).toMatch(/--sampler sequential\|random\|book-random +.*\(default: sequential\)/);
    expect(out).toMatch(/--theta N +.*\(default: 1/);
    expect(out).toMatch(/--seed N +.*\(default: 0\)/);
    expect(out).toMatch(/--backend ID +.*\(default: auto/);
    expect(out).toMatch(/--every N +.*\(default: 10\)/);
    expect(out).toMatch(/--out DIR +.*\(default: runs\//);
    for (const flag of ['--corpus FILE', '--preprocess book|unicode', '--threads N', '--resume CHECKPOINT', '--json'])
      expect(out).toContain(flag);
    expect(out).toMatch(/^ +130 +interrupted/m);
    expect(out).toMatch(/^ +6 +training diverged/m);
    expect(out).toMatch(/^ +7 +checkpoint not saved: no space, read-only or no permission/m);
  });

  it('defaults --out to runs/<date>T<time>', () => {
    const sub = join(dir, 'default-out');
    mkdirSync(sub);
    const r = cli(sub, ['train', ...TINY, '--epochs', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout).checkpoint as string;
    expect(out).toMatch(/^runs\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?$/);
    expect(existsSync(join(sub, out, 'checkpoint.json'))).toBe(true);
  });

  it('on the default backend (auto) prints nothing on stderr: no software GPU is opened while the CPU works', () => {
    // Where WebGPU could only run on a software rasteriser (SwiftShader), opening it prints its driver's
    // messages; auto does not open it when a CPU device works.
    const r = run(['train', ...TINY.slice(0, -2), '--epochs', '1', '--out', 'auto-quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backend onnx:cpu/);
    expect(r.stderr).toBe('');
  });
});

describe('rnn-scratch train --resume: continues exactly', () => {
  it('2 epochs + resume to 4 gives bit-identical parameters to 4 in one go (reference)', () => {
    const small = [
      '--num-hiddens',
      '8',
      '--batch-size',
      '4',
      '--num-steps',
      '5',
      '--max-tokens',
      '300',
      '--backend',
      'reference',
      '--json',
    ];
    expect(run(['train', ...small, '--epochs', '4', '--out', 'ref-4']).code).toBe(0);
    expect(run(['train', ...small, '--epochs', '2', '--out', 'ref-2']).code).toBe(0);
    const resumed = run(['train', '--resume', 'ref-2', '--epochs', '4', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ startEpoch: 2, epoch: 4, checkpoint: 'ref-2', backend: 'reference:cpu' });
    expect(
      tensorBytes(join(dir, 'ref-2', 'params.safetensors')).equals(
        tensorBytes(join(dir, 'ref-4', 'params.safetensors')),
      ),
    ).toBe(true);
    const [a, b] = [meta(join(dir, 'ref-4')), meta(join(dir, 'ref-2'))];
    expect(b.history).toEqual(a.history);
    expect(b.dataRngState).toEqual(a.dataRngState);
    expect(b.epoch).toBe(4);
  });

  it('a checkpoint from a browser (backend onnx:wasm, which Node lacks) resumes on auto with a note', () => {
    cpSync(join(dir, 'ref-2'), join(dir, 'from-browser'), { recursive: true });
    const file = join(dir, 'from-browser', 'checkpoint.json');
    const { checksum: _, ...edited } = { ...meta(join(dir, 'from-browser')), backend: 'onnx:wasm' };
    writeFileSync(file, JSON.stringify(edited));
    const resumed = run(['train', '--resume', 'from-browser', '--epochs', '5', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(
      /note: the checkpoint's backend is unavailable here \(.*'onnx' has no device 'wasm'.*\); using auto/,
    );
    expect(JSON.parse(resumed.stdout)).toMatchObject({ startEpoch: 4, epoch: 5 });
  });

  it('2 epochs + resume to 4 gives bit-identical parameters on onnx:cpu too', (ctx) => {
    const probe = run(['backends', '--json']);
    const row =
      probe.code === 0 ? JSON.parse(probe.stdout).backends.find((b: { id: string }) => b.id === 'onnx:cpu') : undefined;
    ctx.skip(!row?.available, `onnx:cpu unavailable: ${row?.reason ?? probe.stderr.trim()}`);
    const small = [
      '--num-hiddens',
      '8',
      '--batch-size',
      '4',
      '--num-steps',
      '5',
      '--max-tokens',
      '300',
      '--backend',
      'onnx:cpu',
      '--threads',
      '1',
      '--json',
    ];
    expect(run(['train', ...small, '--epochs', '4', '--out', 'onnx-4']).code).toBe(0);
    expect(run(['train', ...small, '--epochs', '2', '--out', 'onnx-2']).code).toBe(0);
    const resumed = run(['train', '--resume', 'onnx-2', '--epochs', '4', '--threads', '1', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).backend).toBe('onnx:cpu');
    expect(
      tensorBytes(join(dir, 'onnx-2', 'params.safetensors')).equals(
        tensorBytes(join(dir, 'onnx-4', 'params.safetensors')),
      ),
    ).toBe(true);
  });

  it('refuses flags that conflict with the checkpoint, and an --epochs total already reached', () => {
    expect(run(['train', ...TINY, '--epochs', '2', '--out', 'conflict']).code).toBe(0);
    expectOneLineError(
      run(['train', '--resume', 'conflict', '--num-hiddens', '16']),
      2,
      /^rnn-scratch: --num-hiddens 16 conflicts with the checkpoint conflict, which was trained with --num-hiddens 8/,
    );
    expectOneLineError(run(['train', '--resume', 'conflict', '--batch-size', '8']), 2, /--batch-size 8 conflicts/);
    expectOneLineError(run(['train', '--resume', 'conflict', '--sampler', 'random']), 2, /--sampler random conflicts/);
    expectOneLineError(
      run(['train', '--resume', 'conflict']),
      2,
      /has already trained 2 epochs and --epochs is the total \(2\); give --epochs 3 or more/,
    );
    // The same values as the checkpoint are fine.
    expect(run(['train', '--resume', 'conflict', '--num-hiddens', '8', '--epochs', '3', '--json']).code).toBe(0);
    // A checkpoint folder is not overwritten by a new run.
    expectOneLineError(
      run(['train', ...TINY, '--out', 'conflict']),
      2,
      /--out conflict already holds a checkpoint; continue it with --resume conflict/,
    );
    expectOneLineError(
      run(['train', ...TINY, '--out', 'folder/..']),
      2,
      /--out folder\/\.\. is a folder that holds other files/,
    );
  });
});

describe('rnn-scratch train: failures are one line with a distinct exit code', () => {
  it('exits 2 for unknown flags and commands (with a suggestion) and bad numbers', () => {
    expectOneLineError(run(['trian']), 2, /^rnn-scratch: unknown command 'trian'; did you mean 'train'\?$/);
    expectOneLineError(
      run(['train', '--epoch', '3']),
      2,
      /^rnn-scratch: unknown flag --epoch for 'rnn-scratch train'; did you mean --epochs\?$/,
    );
    expectOneLineError(run(['train', '--num-hidden', '3']), 2, /did you mean --num-hiddens\?$/);
    expectOneLineError(
      run(['train', '--epochs', 'ten']),
      2,
      /^rnn-scratch: --epochs expects a positive integer, got 'ten'$/,
    );
    expectOneLineError(run(['train', '--epochs', '0']), 2, /^rnn-scratch: --epochs must be at least 1, got 0$/);
    expectOneLineError(run(['train', '--lr', '-1']), 2, /^rnn-scratch: --lr must be greater than 0, got -1$/);
    expectOneLineError(run(['train', '--theta', 'x']), 2, /^rnn-scratch: --theta expects a number or inf, got 'x'$/);
    expectOneLineError(run(['train', '--max-tokens', '-2']), 2, /--max-tokens must be at least -1, got -2$/);
    expectOneLineError(run(['train', '--sampler', 'rand']), 2, /did you mean 'random'\?$/);
    expectOneLineError(
      run(['train', '--backend', 'onx']),
      2,
      /^rnn-scratch: --backend: unknown backend 'onx'; did you mean 'onnx'\?$/,
    );
    expectOneLineError(
      run(['train', '--backend', 'reference:gpu']),
      2,
      /backend 'reference' has no device 'gpu'; its devices are cpu/,
    );
  });

  it('exits 3 for a corpus file that is missing, empty, without letters or too short', () => {
    expectOneLineError(
      run(['train', ...TINY, '--corpus', 'nope.txt']),
      3,
      /^rnn-scratch: corpus file not found: nope\.txt$/,
    );
    expectOneLineError(
      run(['train', ...TINY, '--corpus', 'empty.txt']),
      3,
      /^rnn-scratch: corpus file is empty: empty\.txt$/,
    );
    expectOneLineError(run(['train', ...TINY, '--corpus', 'folder']), 3, /it is a directory$/);
    expectOneLineError(
      run(['train', ...TINY, '--corpus', 'digits.txt']),
      3,
      /digits\.txt \(19 characters\) has no letters/,
    );
    expectOneLineError(
      run(['train', ...TINY, '--corpus', 'short.txt']),
      3,
      /^rnn-scratch: corpus has 16 tokens \(short\.txt\) but one minibatch of batch size 4 x 5 steps needs at least 26/,
    );
    expectOneLineError(
      run(['train', '--max-tokens', '500', '--backend', 'reference']),
      3,
      /corpus has 500 tokens .* needs at least 1156/,
    );
  });

  it('exits 4 for a checkpoint that is missing, not a folder, corrupt, truncated, of another version or shape', () => {
    expect(run(['train', ...TINY, '--epochs', '1', '--out', 'good']).code).toBe(0);
    const copy = (name: string) => {
      cpSync(join(dir, 'good'), join(dir, name), { recursive: true });
      return join(dir, name);
    };
    expectOneLineError(run(['train', '--resume', 'missing']), 4, /^rnn-scratch: checkpoint not found: missing$/);
    expectOneLineError(run(['train', '--resume', 'empty.txt']), 4, /empty\.txt is not a checkpoint folder/);
    expectOneLineError(
      run(['train', '--resume', 'folder']),
      4,
      /^rnn-scratch: folder is not a checkpoint folder: it has no checkpoint\.json$/,
    );

    const truncatedJson = copy('truncated-json');
    const text = readFileSync(join(truncatedJson, 'checkpoint.json'), 'utf8');
    writeFileSync(join(truncatedJson, 'checkpoint.json'), text.slice(0, text.length / 2));
    expectOneLineError(
      run(['train', '--resume', 'truncated-json']),
      4,
      /checkpoint\.json is not valid JSON \(truncated or corrupt\?\)$/,
    );

    const truncatedParams = copy('truncated-params');
    const bytes = readFileSync(join(truncatedParams, 'params.safetensors'));
    writeFileSync(join(truncatedParams, 'params.safetensors'), bytes.subarray(0, bytes.length - 100));
    expectOneLineError(
      run(['train', '--resume', 'truncated-params']),
      4,
      /params\.safetensors: .*truncated or corrupt$/,
    );

    const garbage = copy('garbage-params');
    writeFileSync(join(garbage, 'params.safetensors'), 'not a safetensors file at all');
    expectOneLineError(run(['train', '--resume', 'garbage-params']), 4, /params\.safetensors: /);

    const noParams = copy('no-params');
    rmSync(join(noParams, 'params.safetensors'));
    expectOneLineError(run(['train', '--resume', 'no-params']), 4, /no-params\/params\.safetensors is missing/);

    const newer = copy('newer');
    writeFileSync(join(newer, 'checkpoint.json'), JSON.stringify({ ...meta(newer), version: 2 }));
    expectOneLineError(
      run(['train', '--resume', 'newer']),
      4,
      /has checkpoint format version 2; this rnn-scratch reads version 1/,
    );

    const foreign = copy('foreign');
    writeFileSync(join(foreign, 'checkpoint.json'), JSON.stringify({ model: 'gpt' }));
    expectOneLineError(run(['train', '--resume', 'foreign']), 4, /is not an rnn-scratch checkpoint/);

    // An edited checkpoint.json fails its checksum; without the checksum the edit is read (and checked).
    const shape = copy('shape');
    const m = meta(shape);
    const edited = { ...m, hyperparameters: { ...m.hyperparameters, numHiddens: 16 } };
    writeFileSync(join(shape, 'checkpoint.json'), JSON.stringify(edited));
    expectOneLineError(run(['train', '--resume', 'shape']), 4, /checkpoint\.json does not match its checksum/);
    writeFileSync(join(shape, 'checkpoint.json'), JSON.stringify({ ...edited, checksum: undefined }));
    expectOneLineError(run(['train', '--resume', 'shape']), 4, /"W_xh" has shape \[28, 8\] but .* need \[28, 16\]/);

    const field = copy('bad-field');
    writeFileSync(join(field, 'checkpoint.json'), JSON.stringify({ ...m, dataRngState: [1, 2] }));
    expectOneLineError(run(['train', '--resume', 'bad-field']), 4, /"dataRngState" must be/);
  });

  it('exits 5 for an unavailable backend, with the reason and how to fix it', () => {
    expectOneLineError(
      run(['train', ...TINY, '--backend', 'onnx'], { RNN_SCRATCH_DISABLE_BACKENDS: 'onnx' }),
      5,
      /^rnn-scratch: backend onnx is unavailable: disabled by RNN_SCRATCH_DISABLE_BACKENDS; to fix: unset RNN_SCRATCH_DISABLE_BACKENDS/,
    );
    expectOneLineError(
      run(['train', ...TINY, '--backend', 'tfjs:wasm'], { RNN_SCRATCH_DISABLE_BACKENDS: 'tfjs' }),
      5,
      /^rnn-scratch: backend tfjs:wasm is unavailable: .*; to fix: /,
    );
  });

  it('exits 6 on divergence, names the epoch and keeps the last good checkpoint', () => {
    const r = run(['train', ...TINY, '--lr', '3e38', '--out', 'diverged']);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(
      /^rnn-scratch: training diverged at epoch 1, minibatch \d+ \(loss (NaN|Infinity)\); saved the last good checkpoint \(epoch 0\) to diverged and the parameters just before the bad step to diverged\/last-good-params\.safetensors; try a smaller --lr or --theta\n$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const m = meta(join(dir, 'diverged'));
    expect(m).toMatchObject({ status: 'diverged', epoch: 0, diverged: { epoch: 1 } });
    expect(existsSync(join(dir, 'diverged', 'last-good-params.safetensors'))).toBe(true);
    // The saved checkpoint loads and can be resumed (with a sane learning rate).
    const resumed = run(['train', '--resume', 'diverged', '--lr', '1', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).epoch).toBe(3);
  });

  it('treats a perplexity that overflows to Infinity as divergence too', () => {
    const r = run(['train', ...TINY, '--lr', '1e30', '--out', 'overflow']);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).toMatch(
      /^rnn-scratch: training diverged at epoch 1 \(perplexity Infinity\); saved the last good checkpoint \(epoch 0\) to overflow/,
    );
    expect(run(['predict', '--checkpoint', 'overflow']).code).toBe(0);
  });

  it('shows the stack trace with --debug', () => {
    const r = run(['train', ...TINY, '--resume', 'missing', '--debug']);
    expect(r.code).toBe(4);
    expect(r.stderr.split('\n')[0]).toBe('rnn-scratch: checkpoint not found: missing');
    expect(r.stderr).toMatch(/CheckpointError: checkpoint not found[^\n]*\n\s+at /);
  });
});

describe('rnn-scratch train: Ctrl-C', () => {
  it('saves the last completed epoch, says where, exits 130, and the checkpoint loads and resumes', async () => {
    const r = await interruptAfter(
      dir,
      ['train', ...TINY, '--epochs', '100000', '--every', '1', '--out', 'interrupted'],
      /^epoch +\d+\/100000 /,
    );
    expect(r.sent).toBe(true);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(
      /^rnn-scratch: interrupted during epoch (\d+); saved the checkpoint of epoch \d+ to interrupted \(continue with: rnn-scratch train --resume interrupted\)\n$/,
    );
    const m = meta(join(dir, 'interrupted'));
    expect(m.status).toBe('interrupted');
    expect(m.epoch).toBeGreaterThanOrEqual(1);
    expect(m.history).toHaveLength(m.epoch);
    const predicted = run(['predict', '--checkpoint', 'interrupted', '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout).epoch).toBe(m.epoch);
    const resumed = run(['train', '--resume', 'interrupted', '--epochs', String(m.epoch + 1), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).epoch).toBe(m.epoch + 1);
  });
});
