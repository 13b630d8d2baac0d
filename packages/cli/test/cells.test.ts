// `rnn-scratch train --cell gru|lstm --num-layers L` end to end (the real built binary, tiny sizes): every
// cell and depth trains, records itself in the checkpoint, predicts and resumes bit for bit; bad
// combinations are one line and exit 2; a first-release checkpoint (no cell recorded) is an rnn.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkBuilt, cli, expectOneLineError, tempDir } from './helpers.js';

const dir = tempDir('rnn-scratch-cells-');
const run = (args: string[]) => cli(dir, args);
beforeAll(checkBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = ['--num-hiddens', '6', '--batch-size', '4', '--num-steps', '5', '--max-tokens', '300'];
const REF = [...SMALL, '--backend', 'reference', '--json'];
const meta = (out: string) => JSON.parse(readFileSync(join(dir, out, 'checkpoint.json'), 'utf8'));
const tensors = (out: string) => {
  const bytes = readFileSync(join(dir, out, 'params.safetensors'));
  return bytes.subarray(8 + Number(bytes.readBigUInt64LE(0)));
};
const header = (out: string) => {
  const bytes = readFileSync(join(dir, out, 'params.safetensors'));
  return JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
};

describe.each([
  ['gru', '1', ['W_xz', 'W_hz', 'b_z', 'W_xr', 'W_hr', 'b_r', 'W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q']],
  [
    'lstm',
    '1',
    ['W_xi', 'W_hi', 'b_i', 'W_xf', 'W_hf', 'b_f', 'W_xo', 'W_ho', 'b_o', 'W_xc', 'W_hc', 'b_c', 'W_hq', 'b_q'],
  ],
  ['lstm', '2', ['l1.W_xi', 'l2.W_xi', 'l2.W_hc', 'W_hq']],
  ['rnn', '3', ['l1.W_xh', 'l2.W_hh', 'l3.b_h', 'W_hq', 'b_q']],
])('--cell %s --num-layers %s', (cell, layers, names) => {
  const model = ['--cell', cell, '--num-layers', layers];
  const tag = `${cell}-${layers}`;

  it('trains, records the cell in the checkpoint and the parameters under the book names', () => {
    const r = run(['train', ...REF, ...model, '--epochs', '2', '--out', `${tag}-2`]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hyperparameters).toMatchObject({ cell, numLayers: Number(layers), init: 'normal' });
    expect(meta(`${tag}-2`).hyperparameters).toMatchObject({ cell, numLayers: Number(layers) });
    const saved = Object.keys(header(`${tag}-2`));
    for (const n of names) expect(saved).toContain(n);
  });

  it('resumes bit for bit and predicts from the checkpoint', () => {
    expect(run(['train', ...REF, ...model, '--epochs', '3', '--out', `${tag}-3`]).code).toBe(0);
    const resumed = run(['train', '--resume', `${tag}-2`, '--epochs', '3', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(tensors(`${tag}-2`).equals(tensors(`${tag}-3`))).toBe(true);
    expect(meta(`${tag}-2`).history).toEqual(meta(`${tag}-3`).history);
    const p = run(['predict', '--checkpoint', `${tag}-3`, '--num-preds', '12', '--json']);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).text).toHaveLength('time traveller'.length + 12);
    expect(JSON.parse(p.stdout).text).toBe(JSON.parse(resumed.stdout).predictions['time traveller'].slice(0, 26));
  });
});

describe('bad combinations', () => {
  it('exit 2 with one line', () => {
    expectOneLineError(run(['train', '--num-layers', '0']), 2, /--num-layers must be at least 1, got 0$/);
    expectOneLineError(
      run(['train', '--cell', 'gur']),
      2,
      /--cell must be one of rnn, gru, lstm; got 'gur'; did you mean 'gru'\?$/,
    );
    expectOneLineError(run(['train', '--init', 'zeros']), 2, /--init must be one of normal, uniform/);
    expect(run(['train', ...REF, '--cell', 'gru', '--epochs', '1', '--out', 'gru-conflict']).code).toBe(0);
    expectOneLineError(
      run(['train', '--resume', 'gru-conflict', '--cell', 'lstm', '--epochs', '2']),
      2,
      /--cell lstm conflicts with the checkpoint gru-conflict, which was trained with --cell gru; leave --cell out when resuming$/,
    );
    expectOneLineError(
      run(['train', '--resume', 'gru-conflict', '--num-layers', '2', '--epochs', '2']),
      2,
      /--num-layers 2 conflicts with the checkpoint gru-conflict/,
    );
  });
});

describe('a checkpoint from before cells', () => {
  it('is an rnn with one layer: it predicts and resumes', () => {
    expect(run(['train', ...REF, '--epochs', '1', '--out', 'old']).code).toBe(0);
    const m = meta('old');
    const { cell, numLayers, init, ...rest } = m.hyperparameters;
    expect([cell, numLayers, init]).toEqual(['rnn', 1, 'normal']);
    // A hand-edited file carries no seal (the checksum covers the file itself).
    const { checksum, ...unsealed } = m;
    expect(checksum).toBeDefined();
    writeFileSync(join(dir, 'old', 'checkpoint.json'), JSON.stringify({ ...unsealed, hyperparameters: rest }));
    expect(run(['predict', '--checkpoint', 'old']).code).toBe(0);
    const r = run(['train', '--resume', 'old', '--epochs', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).hyperparameters).toMatchObject({ cell: 'rnn', numLayers: 1 });
  });

  it("--init uniform is recorded and draws PyTorch's initialisation", () => {
    expect(
      run(['train', ...REF, '--cell', 'lstm', '--init', 'uniform', '--epochs', '1', '--out', 'uniform']).code,
    ).toBe(0);
    expect(meta('uniform').hyperparameters.init).toBe('uniform');
  });
});
