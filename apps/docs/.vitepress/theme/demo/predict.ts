// The demo's prediction: d2l's predict_ch8 through core's Predictor, keeping the distribution of every
// generated character (its `onToken`) so the page can draw it; the text is Predictor.predict's own
// (test/demo-predict.test.ts checks that).

import { type Backend, type Params, Predictor, type Random, type Vocab } from '@rnn-scratch/core';

import type { Prediction } from './protocol';

/** How many candidates each step reports. */
export const TOP = 8;

/** core's Predictor, keeping the distribution of every generated character so the page can draw it. */
export class ProbabilityPredictor {
  private constructor(private readonly predictor: Predictor) {}

  static async create(
    backend: Backend,
    config: { vocabSize: number; numHiddens: number },
  ): Promise<ProbabilityPredictor> {
    return new ProbabilityPredictor(await Predictor.create(backend, config));
  }

  /** `temperature` 0 is greedy (the book); otherwise `rng` draws from softmax(logits / temperature). */
  async predict(
    prefix: string,
    params: Params,
    vocab: Vocab,
    options: { numPreds: number; temperature: number; rng?: Random },
  ): Promise<Prediction> {
    const { temperature } = options;
    if (prefix.length === 0) return { prefix, temperature, text: '', steps: [] };
    const steps: Prediction['steps'][number][] = [];
    const text = await this.predictor.predict(prefix, params, vocab, {
      ...options,
      onToken: (token, logits) =>
        steps.push({
          chosen: vocab.toToken(token),
          top: topProbabilities(logits, temperature > 0 ? temperature : 1, vocab),
        }),
    });
    return { prefix, temperature, text, steps };
  }

  async dispose(): Promise<void> {
    await this.predictor.dispose();
  }
}

/** softmax(logits / temperature), the TOP most likely tokens. */
export function topProbabilities(
  logits: ArrayLike<number>,
  temperature: number,
  vocab: Vocab,
): (readonly [string, number])[] {
  const scaled = Array.from(logits, (v) => v / temperature);
  const m = Math.max(...scaled);
  const e = scaled.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e
    .map((v, id) => [vocab.toToken(id), v / z] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP);
}
