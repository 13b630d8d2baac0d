// The demo's prediction: d2l's predict_ch8 (warm up on the prefix, then generate one character at a time),
// keeping the distribution of every generated character so the page can draw it. It runs the one-step
// graph that core's Predictor compiles (buildPredictStep) and picks with core's own argmax and sample, so
// the text is exactly Predictor.predict's (test/demo-predict.test.ts checks that).

import {
  type Backend,
  type Executable,
  type HostTensor,
  PARAM_NAMES,
  type Random,
  type RnnParams,
  type Vocab,
  argmax,
  buildPredictStep,
  charTokens,
  initRnnState,
  sample,
  tensor,
} from '@rnn-scratch/core';

import type { Prediction } from './protocol';

/** How many candidates each step reports. */
export const TOP = 8;

export class ProbabilityPredictor {
  private constructor(
    private readonly exe: Executable,
    private readonly numHiddens: number,
  ) {}

  static async create(
    backend: Backend,
    config: { vocabSize: number; numHiddens: number },
  ): Promise<ProbabilityPredictor> {
    return new ProbabilityPredictor(await backend.compile(buildPredictStep(config)), config.numHiddens);
  }

  /** `temperature` 0 is greedy (the book); otherwise `rng` draws from softmax(logits / temperature). */
  async predict(
    prefix: string,
    params: RnnParams,
    vocab: Vocab,
    options: { numPreds: number; temperature: number; rng?: Random },
  ): Promise<Prediction> {
    const chars = charTokens(prefix);
    if (chars.length === 0) return { prefix, temperature: options.temperature, text: '', steps: [] };
    let state: HostTensor = initRnnState(1, this.numHiddens);
    const step = async (token: number) => {
      const feeds: Record<string, HostTensor> = { token: tensor('int32', [1, 1], [token]), state };
      for (const name of PARAM_NAMES) feeds[name] = params[name];
      const out = await this.exe.run(feeds);
      state = out.state;
      return out.logits.data;
    };
    const outputs = [vocab.toIndex(chars[0])];
    for (const c of chars.slice(1)) {
      await step(outputs[outputs.length - 1]);
      outputs.push(vocab.toIndex(c));
    }
    const steps: Prediction['steps'][number][] = [];
    const { temperature } = options;
    for (let i = 0; i < options.numPreds; i++) {
      const logits = await step(outputs[outputs.length - 1]);
      const next = temperature > 0 ? sample(logits, temperature, undefined, options.rng!) : argmax(logits);
      outputs.push(next);
      steps.push({
        chosen: vocab.toToken(next),
        top: topProbabilities(logits, temperature > 0 ? temperature : 1, vocab),
      });
    }
    return { prefix, temperature, text: outputs.map((i) => vocab.toToken(i)).join(''), steps };
  }

  async dispose(): Promise<void> {
    await this.exe.dispose();
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
