// Page 5: greedy prediction step by step, with the probabilities of the next character at every step, and
// the loop that greedy decoding falls into. Runs buildPredictStep (the graph Predictor compiles) on the
// reference backend and checks that the text is exactly what Predictor.predict returns.

import {
  Predictor,
  ReferenceBackend,
  type RnnParams,
  type Vocab,
  buildPredictStep,
  initRnnState,
  tensor,
  PARAM_NAMES,
  type HostTensor,
} from '@rnn-scratch/core';

export interface GreedyStep {
  /** The character read at this step (the previous output). */
  readonly input: string;
  /** softmax(logits): the probability of each vocabulary entry. */
  readonly probs: number[];
  /** The character chosen (argmax). */
  readonly chosen: string;
  /** The hidden state after the step. */
  readonly state: Float32Array;
}

export async function greedySteps(
  params: RnnParams,
  vocab: Vocab,
  prefix: string,
  numPreds: number,
): Promise<{ text: string; steps: GreedyStep[] }> {
  const [V, H] = params.W_xh.shape;
  const backend = new ReferenceBackend();
  const exe = await backend.compile(buildPredictStep({ vocabSize: V, numHiddens: H }));
  let state: HostTensor = initRnnState(1, H);
  const run = async (token: number) => {
    const feeds: Record<string, HostTensor> = { token: tensor('int32', [1, 1], [token]), state };
    for (const p of PARAM_NAMES) feeds[p] = params[p];
    const out = await exe.run(feeds);
    state = out.state;
    return Array.from(out.logits.data);
  };
  const chars = [...prefix];
  const outputs = [vocab.toIndex(chars[0])];
  for (const c of chars.slice(1)) {
    await run(outputs[outputs.length - 1]);
    outputs.push(vocab.toIndex(c));
  }
  const steps: GreedyStep[] = [];
  for (let i = 0; i < numPreds; i++) {
    const input = outputs[outputs.length - 1];
    const logits = await run(input);
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    const probs = e.map((v) => v / z);
    let best = 0;
    for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
    outputs.push(best);
    steps.push({
      input: vocab.toToken(input),
      probs,
      chosen: vocab.toToken(best),
      state: Float32Array.from(state.data),
    });
  }
  await exe.dispose();
  const text = outputs.map((i) => vocab.toToken(i)).join('');
  // The same text as the library's predictor, or this page would explain something else.
  const predictor = await Predictor.create(backend, { vocabSize: V, numHiddens: H });
  const expected = await predictor.predict(prefix, params, vocab, { numPreds });
  await predictor.dispose();
  if (text !== expected) throw new Error(`generate: greedy steps give '${text}', Predictor gives '${expected}'`);
  return { text, steps };
}

/**
 * The loop of a greedy continuation: the first position `start` and smallest period `period` such that
 * the generated characters repeat with that period from `start` to the end (at least 3 full periods).
 */
export function findLoop(generated: string): { start: number; period: number } | undefined {
  for (let start = 0; start < generated.length; start++) {
    const rest = generated.length - start;
    for (let period = 1; period * 3 <= rest; period++) {
      let ok = true;
      for (let i = start + period; i < generated.length && ok; i++) ok = generated[i] === generated[i - period];
      if (ok) return { start, period };
    }
  }
  return undefined;
}
