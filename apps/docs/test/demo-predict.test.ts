// The live demo predicts with its own loop (to keep the probabilities of every character it draws). It must
// write exactly what core's Predictor writes, greedy or sampled, and report the distribution it drew from.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Predictor, Random, ReferenceBackend, getParams, loadCorpusTimeMachine } from '@rnn-scratch/core';
import { describe, expect, it } from 'vitest';

import { ProbabilityPredictor, TOP } from '../.vitepress/theme/demo/predict';
import { repoRoot } from './helpers';

describe('live demo prediction', () => {
  const { vocab } = loadCorpusTimeMachine(
    readFileSync(join(repoRoot, 'packages/core/data/timemachine.txt'), 'utf8'),
    2000,
  );
  const config = { vocabSize: vocab.length, numHiddens: 16 };
  // Larger weights than getParams' 0.01 so that the distributions are far from uniform.
  const params = getParams(vocab.length, 16, new Random(3));
  for (const p of Object.values(params)) for (let i = 0; i < p.data.length; i++) p.data[i] *= 150;

  it('greedy and sampled text are exactly what Predictor.predict gives', async () => {
    const backend = new ReferenceBackend();
    const ours = await ProbabilityPredictor.create(backend, config);
    const core = await Predictor.create(backend, config);
    for (const temperature of [0, 0.5, 1.5]) {
      const mine = await ours.predict('time traveller', params, vocab, {
        numPreds: 30,
        temperature,
        rng: new Random(7),
      });
      const theirs = await core.predict('time traveller', params, vocab, {
        numPreds: 30,
        temperature,
        rng: temperature > 0 ? new Random(7) : undefined,
      });
      expect(mine.text, `temperature ${temperature}`).toBe(theirs);
      expect(mine.steps).toHaveLength(30);
      expect(mine.text.slice('time traveller'.length)).toBe(mine.steps.map((s) => s.chosen).join(''));
    }
    await ours.dispose();
    await core.dispose();
  });

  it('reports the top candidates of every step, most likely first, as probabilities', async () => {
    const ours = await ProbabilityPredictor.create(new ReferenceBackend(), config);
    const greedy = await ours.predict('the', params, vocab, { numPreds: 10, temperature: 0 });
    for (const step of greedy.steps) {
      expect(step.top).toHaveLength(TOP);
      const ps = step.top.map(([, p]) => p);
      expect([...ps].sort((a, b) => b - a)).toEqual(ps);
      expect(ps.every((p) => p > 0 && p <= 1)).toBe(true);
      // Greedy takes the most likely character.
      expect(step.top[0][0]).toBe(step.chosen);
    }
    // A higher temperature flattens the distribution: the top probability falls.
    const hot = await ours.predict('the', params, vocab, { numPreds: 1, temperature: 3, rng: new Random(1) });
    const cold = await ours.predict('the', params, vocab, { numPreds: 1, temperature: 0.3, rng: new Random(1) });
    expect(hot.steps[0].top[0][1]).toBeLessThan(cold.steps[0].top[0][1]);
    await ours.dispose();
  });
});
