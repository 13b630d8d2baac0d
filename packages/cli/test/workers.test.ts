// `--workers N`: the train step split across N worker threads (each its own engine) trains the same numbers
// as one thread, epoch by epoch (float32 rounding apart), resumes exactly, and refuses what it cannot split.
import { readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { numParams } from '@rnn-scratch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CorePlanInput, planCores, WORKERS_MAX_PARAMS, WORKERS_MIN_PARAMS } from '../src/cores.js';

import { checkBuilt, cli, expectOneLineError, tempDir } from './helpers.js';

const dir = tempDir('rnn-scratch-workers-');
const run = (args: string[]) => cli(dir, args);
beforeAll(() => checkBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = ['--num-hiddens', '32', '--batch-size', '8', '--num-steps', '5', '--max-tokens', '2000'];
const perplexities = (out: string) =>
  JSON.parse(readFileSync(join(dir, out, 'checkpoint.json'), 'utf8')).history.map(
    (h: { perplexity: number }) => h.perplexity,
  );
const train = (out: string, args: string[]) => {
  const r = run(['train', ...SMALL, '--out', out, '--every', '1', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return perplexities(out);
};
const expectClose = (a: number[], b: number[], rtol: number) => {
  expect(a).toHaveLength(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]) / b[i], `epoch ${i + 1}: ${v} vs ${b[i]}`).toBeLessThan(rtol));
};

describe('train --workers', () => {
  it.each(['onnx:cpu', 'reference'])('on %s: 2 and 4 workers train what 1 does, epoch by epoch', (backend) => {
    const args = ['--backend', backend, '--epochs', '4'];
    const one = train(`one-${backend}`, args);
    // Both backends train float32 here: the same numbers to rounding (the shards sum in another order).
    expectClose(train(`two-${backend}`, [...args, '--workers', '2']), one, 1e-5);
    expectClose(train(`four-${backend}`, [...args, '--workers', '4']), one, 1e-5);
  });

  it('resumes exactly: 2 + 2 epochs on 2 workers equal 4 on 2 workers', () => {
    const args = ['--backend', 'onnx:cpu', '--workers', '2'];
    const straight = train('straight', [...args, '--epochs', '4']);
    train('halves', [...args, '--epochs', '2']);
    const r = run(['train', '--resume', join(dir, 'halves'), '--epochs', '4', '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(perplexities('halves')).toEqual(straight);
  });

  it('refuses a batch that does not split and --bptt epoch, with one line and exit 2', () => {
    expectOneLineError(
      run(['train', ...SMALL, '--workers', '3', '--epochs', '1']),
      2,
      /--workers 3 needs a --batch-size that divides by 3, got 8/,
    );
    expectOneLineError(
      run(['train', ...SMALL, '--workers', '2', '--bptt', 'epoch', '--epochs', '1']),
      2,
      /not with --bptt epoch/,
    );
    expectOneLineError(run(['train', '--workers', '0']), 2, /--workers/);
    expectOneLineError(run(['train', '--workers', 'many']), 2, /--workers must be auto or a positive integer/);
  });
});

describe('train --workers auto (the default)', () => {
  // The book's RNN at H: H^2 + 2*28*H + H + 28 parameters (vocabulary 28).
  const rnnParams = (H: number) => numParams({ cell: 'rnn', vocabSize: 28, numHiddens: H, numLayers: 1 });
  const plan = (o: Partial<CorePlanInput>) =>
    planCores({ backend: 'onnx:cpu', cores: 2, numParams: rnnParams(512), batchSize: 32, bptt: 'minibatch', ...o });

  it('uses the cores where that was measured faster: workers for mid-sized models, intra-op threads for large ones', () => {
    // The sizes the boundaries were measured at fall where the comment in cores.ts says.
    expect(rnnParams(128)).toBeGreaterThanOrEqual(WORKERS_MIN_PARAMS);
    expect(rnnParams(1024)).toBeLessThanOrEqual(WORKERS_MAX_PARAMS);
    expect(rnnParams(2048)).toBeGreaterThan(WORKERS_MAX_PARAMS);
    expect(plan({})).toEqual({ workers: 2 });
    expect(plan({ numParams: rnnParams(128) })).toEqual({ workers: 2 });
    expect(plan({ cores: 4 })).toEqual({ workers: 4 });
    expect(plan({ cores: 4, batchSize: 30 })).toEqual({ workers: 3 }); // an equal shard each
    expect(plan({ numParams: rnnParams(2048) })).toEqual({ workers: 1, threads: 2 });
    expect(plan({ numParams: rnnParams(2048), cores: 8 })).toEqual({ workers: 1, threads: 8 });
  });

  it('keeps one engine where more cores were not measured faster, or the user chose', () => {
    expect(plan({ numParams: rnnParams(32) })).toEqual({ workers: 1 }); // too small to pay for agreeing
    expect(plan({ backend: 'tfjs:wasm' })).toEqual({ workers: 1 });
    expect(plan({ backend: 'reference:cpu' })).toEqual({ workers: 1 });
    expect(plan({ cores: 1 })).toEqual({ workers: 1 });
    expect(plan({ threads: 1 })).toEqual({ workers: 1 }); // --threads: one engine with that many threads
    expect(plan({ bptt: 'epoch' })).toEqual({ workers: 1 });
    expect(plan({ batchSize: 7 })).toEqual({ workers: 1 }); // no equal shards
  });

  it('trains on what it chose, says so in the header and the JSON summary, and matches one worker', () => {
    const args = ['--backend', 'onnx:cpu', '--num-hiddens', '128', '--epochs', '2'];
    const chosen = plan({ numParams: rnnParams(128), cores: availableParallelism() }).workers;
    const r = run(['train', ...SMALL, ...args, '--out', 'auto', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).workers).toBe(chosen);
    const text = run(['train', ...SMALL, ...args, '--out', 'auto-text', '--epochs', '1']);
    expect(text.code, text.stderr).toBe(0);
    if (chosen > 1) expect(text.stdout).toContain(`backend onnx:cpu on ${chosen} workers,`);
    else expect(text.stdout).not.toMatch(/workers/);
    // Explicit single-engine runs: --workers 1, and --threads (one engine with that many threads).
    const one = train('auto-one', [...args, '--workers', '1']);
    expectClose(perplexities('auto'), one, 1e-5);
    const threads = run(['train', ...SMALL, ...args, '--out', 'auto-threads', '--threads', '1', '--json']);
    expect(JSON.parse(threads.stdout).workers).toBe(1);
  });
});
