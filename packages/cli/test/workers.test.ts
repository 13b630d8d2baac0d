// `--workers N`: the train step split across N worker threads (each its own engine) trains the same numbers
// as one thread, epoch by epoch (float32 rounding apart), resumes exactly, and refuses what it cannot split.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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
  });
});
