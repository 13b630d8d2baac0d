import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARAM_NAMES, SeqDataLoader, Random, decodeSafetensors, getParams } from '@rnn-scratch/core';
import { bundledCorpusPath } from '@rnn-scratch/core/node';
import { TINY, checkBuilt, cli, tempDir } from './helpers.js';

describe('train --export-exchange', () => {
  it('writes the initial parameters and the first minibatches without changing training', () => {
    checkBuilt();
    const dir = tempDir();
    const withExport = cli(dir, [
      'train',
      ...TINY,
      '--seed',
      '5',
      '--out',
      'a',
      '--export-exchange',
      'ex',
      '--exchange-steps',
      '6',
    ]);
    const without = cli(dir, ['train', ...TINY, '--seed', '5', '--out', 'b']);
    expect(withExport.code, withExport.stderr).toBe(0);
    expect(without.code, without.stderr).toBe(0);
    const a = readFileSync(join(dir, 'a', 'params.safetensors'));
    const b = readFileSync(join(dir, 'b', 'params.safetensors'));
    expect(Buffer.compare(a, b)).toBe(0); // training is unchanged by the export

    // The exported parameters and batches are the ones `train` starts from (same seed, same generator).
    const ex = JSON.parse(readFileSync(join(dir, 'ex', 'batches.json'), 'utf8'));
    const params = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'ex', 'params.safetensors')))).tensors;
    const rng = new Random(5);
    const loader = new SeqDataLoader({
      text: readFileSync(bundledCorpusPath(), 'utf8'),
      batchSize: 4,
      numSteps: 5,
      maxTokens: 400,
      rng,
    });
    const want = getParams(28, 8, rng);
    for (const n of PARAM_NAMES) expect([...params[n].data]).toEqual([...want[n].data]);
    const first = loader[Symbol.iterator]().next().value!;
    expect(ex.batches).toHaveLength(6);
    expect(ex.batches[0].X.flat()).toEqual([...first.X]);
    expect(ex.batches[0].Y.flat()).toEqual([...first.Y]);
    expect(ex.batches.map((b: { resetState: boolean }) => b.resetState).slice(0, 2)).toEqual([true, false]);
    expect(ex).toMatchObject({ vocabSize: 28, numHiddens: 8, lr: 1, theta: 1, sampler: 'sequential' });
  });
});
