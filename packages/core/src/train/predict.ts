// d2l `predict_ch8`: warm up the state on the prefix, then generate one token at a time.

import type { Backend, Executable } from '../backend/backend.js';
import { type HostTensor, tensor } from '../ir/dtype.js';
import type { Vocab } from '../data/vocab.js';
import type { Random } from '../random.js';
import type { Activation, Params } from '../nn/cell.js';
import { initState, modelOf } from '../nn/model.js';
import { type ModelConfig, buildPredictStep } from './train-step.js';

export interface PredictOptions {
  /** How many tokens to generate after the prefix (the book: 50). */
  readonly numPreds?: number;
  /**
   * 0 or undefined: greedy (argmax, the book's choice: the same text every run). > 0: sample from
   * softmax(logits / temperature), which needs `rng`. Lower is more conservative, higher more varied.
   */
  readonly temperature?: number;
  /**
   * The chapter's exercise 3: sample from q(x) proportional to P(x)^alpha; alpha > 1 favours likelier tokens.
   * That is softmax(alpha * logits), i.e. `temperature: 1 / alpha`; give one or the other.
   */
  readonly alpha?: number;
  /** With sampling: only the k most likely tokens are candidates. */
  readonly topK?: number;
  readonly rng?: Random;
  /** Hears every generated token with the logits it was chosen from (e.g. to show the probabilities). */
  readonly onToken?: (token: number, logits: ArrayLike<number>) => void;
}

export class PredictError extends Error {
  override name = 'PredictError';
}

/** Split a prefix into tokens the way the char-level corpus does: one token per character (code point). */
export function charTokens(text: string): string[] {
  return [...text];
}

/**
 * Holds ONE compiled one-step graph (batch of 1) and reuses it for every token; parameters are fed on each
 * call, so the same predictor follows the model while it trains.
 */
export class Predictor {
  private constructor(
    private readonly exe: Executable,
    private readonly config: ModelConfig,
  ) {}

  static async create(backend: Backend, config: ModelConfig): Promise<Predictor> {
    return new Predictor(await backend.compile(buildPredictStep(config)), config);
  }

  // #region predict
  async predict(prefix: string, params: Params, vocab: Vocab, options: PredictOptions = {}): Promise<string> {
    const { numPreds = 50, topK } = options;
    const temperature = temperatureOf(options);
    const chars = charTokens(prefix);
    if (chars.length === 0) throw new PredictError('predict: the prefix is empty; give at least one character');
    if (!Number.isInteger(numPreds) || numPreds < 0)
      throw new PredictError(`predict: numPreds must be a whole number >= 0, got ${numPreds}`);
    if (temperature < 0 || !Number.isFinite(temperature))
      throw new PredictError(`predict: temperature must be >= 0, got ${temperature}`);
    if (temperature > 0 && !options.rng)
      throw new PredictError('predict: sampling with a temperature needs an rng (a seed)');
    if (topK !== undefined && (!Number.isInteger(topK) || topK < 1))
      throw new PredictError(`predict: topK must be a whole number >= 1, got ${topK}`);

    const dtype = this.config.dtype ?? 'float32';
    let state = initState(this.config, 1, dtype);
    const outputs = [vocab.toIndex(chars[0])]; // unknown characters map to <unk> (index 0)
    const step = async (token: number): Promise<HostTensor> => {
      const feeds: Record<string, HostTensor> = { token: tensor('int32', [1, 1], [token]), state };
      Object.assign(feeds, params);
      const out = await this.exe.run(feeds);
      state = out.state;
      return out.logits;
    };
    // Warm-up: feed prefix[0..n-2], keep the state, ignore the outputs; append the true next character.
    for (const c of chars.slice(1)) {
      await step(outputs[outputs.length - 1]);
      outputs.push(vocab.toIndex(c));
    }
    // Generate: the first step reads the LAST prefix character.
    for (let i = 0; i < numPreds; i++) {
      const logits = await step(outputs[outputs.length - 1]);
      const token = temperature > 0 ? sample(logits.data, temperature, topK, options.rng!) : argmax(logits.data);
      options.onToken?.(token, logits.data);
      outputs.push(token);
    }
    return outputs.map((i) => vocab.toToken(i)).join('');
  }
  // #endregion predict

  async dispose(): Promise<void> {
    await this.exe.dispose();
  }
}

/** The temperature the options ask for: `temperature`, or `1 / alpha` (q proportional to P^alpha). */
function temperatureOf({ temperature, alpha }: PredictOptions): number {
  if (alpha === undefined) return temperature ?? 0;
  if (temperature !== undefined && temperature !== 0) {
    throw new PredictError('predict: give a temperature or an alpha, not both (alpha is 1 / temperature)');
  }
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new PredictError(`predict: alpha must be > 0, got ${alpha}`);
  return 1 / alpha;
}

// #region predict-ch8
/**
 * d2l `predict_ch8(prefix, num_preds, net, vocab, device)` as one call: compile the one-step graph for
 * these parameters, continue `prefix`, free the graph. (To predict many times, keep a `Predictor`.)
 */
export async function predict(
  backend: Backend,
  prefix: string,
  params: Params,
  vocab: Vocab,
  options: PredictOptions & { readonly activation?: Activation } = {},
): Promise<string> {
  const predictor = await Predictor.create(backend, {
    ...modelOf(params),
    activation: options.activation,
    dtype: params.W_hq.dtype as 'float32' | 'float64',
  });
  try {
    return await predictor.predict(prefix, params, vocab, options);
  } finally {
    await predictor.dispose();
  }
}
// #endregion predict-ch8

// #region sampling
/** Index of the largest value; ties go to the first (like torch.argmax). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Sample an index from softmax(logits / temperature), optionally among the top k only. */
export function sample(logits: ArrayLike<number>, temperature: number, topK: number | undefined, rng: Random): number {
  let candidates = Array.from({ length: logits.length }, (_, i) => i);
  if (topK !== undefined && topK < candidates.length) {
    candidates = candidates.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, topK);
  }
  const scaled = candidates.map((i) => logits[i] / temperature);
  const m = Math.max(...scaled);
  const weights = scaled.map((s) => Math.exp(s - m));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.random() * total;
  for (let k = 0; k < candidates.length; k++) {
    u -= weights[k];
    if (u < 0) return candidates[k];
  }
  return candidates[candidates.length - 1];
}
// #endregion sampling
