// Data-parallel training computes the book's step: N shards of B/N subsequences, the mean of their
// gradients, one clip and one update give what the one-graph train step gives (float64: to rounding),
// epoch after epoch, for every cell and state layout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import {
  type CellName,
  type Executable,
  type HostTensor,
  Random,
  ReferenceBackend,
  SeqDataLoader,
  buildTrainStep,
  compileDataParallelStep,
  concatRows,
  initParams,
  sliceRows,
  tensor,
  trainEpoch,
} from '../src/index.js';

const text = readFileSync(new URL('../data/timemachine.txt', import.meta.url), 'utf8');
const backend = new ReferenceBackend();

function closeTo(a: HostTensor, b: HostTensor, rtol: number): void {
  expect(a.shape).toEqual(b.shape);
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) {
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]) / (Math.abs(b.data[i]) + 1e-12));
  }
  expect(worst).toBeLessThan(rtol);
}

describe('sliceRows and concatRows', () => {
  it('split and rejoin a (S, B, H) state along its batch axis', () => {
    const t = tensor(
      'float32',
      [2, 4, 3],
      Array.from({ length: 24 }, (_, i) => i),
    );
    const parts = [sliceRows(t, 1, 0, 1), sliceRows(t, 1, 1, 4)];
    expect(Array.from(parts[0].data)).toEqual([0, 1, 2, 12, 13, 14]);
    expect(concatRows(parts, 1)).toEqual(t);
  });
});

describe('compileDataParallelStep', () => {
  const cases: Array<[CellName, number, number]> = [
    ['rnn', 1, 2],
    ['rnn', 1, 4],
    ['lstm', 2, 2],
    ['gru', 1, 3],
  ];
  it.each(cases)(
    '%s with %i layer(s) on %i shards trains 2 epochs like the one-graph step',
    async (cell, numLayers, n) => {
      const spec = { vocabSize: 28, numHiddens: 8, cell, numLayers };
      const config = { ...spec, batchSize: 12, numSteps: 5, dtype: 'float64' as const, theta: 0.5 };
      const one = await backend.compile(buildTrainStep(config));
      const many = await compileDataParallelStep(
        config,
        n,
        (g) => backend.compile(g),
        (g) => backend.compile(g),
      );
      const losses = (exe: Executable) => async () => {
        const loader = new SeqDataLoader({ text, batchSize: 12, numSteps: 5, maxTokens: 600, seed: 0 });
        let params = initParams(spec, new Random(0), { dtype: 'float64' });
        const out: number[] = [];
        for (let epoch = 1; epoch <= 2; epoch++) {
          const r = await trainEpoch(exe, params, loader, {
            sampler: 'sequential',
            lr: 1,
            onStep: (s) => void out.push(s.loss, s.gradNorm),
          });
          params = r.params;
        }
        return { out, params };
      };
      const [a, b] = [await losses(one)(), await losses(many)()];
      expect(b.out.length).toBe(a.out.length);
      b.out.forEach((v, i) => expect(Math.abs(v - a.out[i]) / a.out[i]).toBeLessThan(1e-10));
      for (const name of Object.keys(a.params)) closeTo(b.params[name], a.params[name], 1e-9);
      await many.dispose();
      await one.dispose();
    },
  );

  it('refuses a batch that does not split evenly, with one line', async () => {
    const config = { vocabSize: 28, numHiddens: 8, batchSize: 5, numSteps: 3 };
    await expect(
      compileDataParallelStep(
        config,
        2,
        (g) => backend.compile(g),
        (g) => backend.compile(g),
      ),
    ).rejects.toThrow('batch size 5 does not divide into 2 equal shards');
  });
});
