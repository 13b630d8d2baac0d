// d2l 8.5, "RNN from scratch": the parameters, the state, one time step, and the whole forward pass,
// written once as graph code so that every backend runs the same math.

import { type FloatDType, type HostTensor, tensor } from '../ir/dtype.js';
import type { GraphBuilder, Sym } from '../ir/graph.js';
import type { Random } from '../random.js';

// #region params
/** The five parameters in the book's order: `[W_xh, W_hh, b_h, W_hq, b_q]`. */
export const PARAM_NAMES = ['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];
export type RnnParams<T = HostTensor> = { [K in ParamName]: T };

/** Shapes of the parameters for a vocabulary of V tokens and H hidden units. */
export function paramShapes(vocabSize: number, numHiddens: number): { [K in ParamName]: number[] } {
  const V = vocabSize;
  const H = numHiddens;
  return { W_xh: [V, H], W_hh: [H, H], b_h: [H], W_hq: [H, V], b_q: [V] };
}

/**
 * d2l `get_params`: weights ~ N(0, 0.01²) (`randn * 0.01`), biases zero. Inputs and outputs are both
 * one-hot over the vocabulary, so num_inputs = num_outputs = vocabSize. The draws happen in the book's
 * order (W_xh, W_hh, W_hq), so a seed fixes every weight.
 */
export function getParams(
  vocabSize: number,
  numHiddens: number,
  rng: Random,
  dtype: FloatDType = 'float32',
): RnnParams {
  const shapes = paramShapes(vocabSize, numHiddens);
  const normal = (shape: number[]) => {
    const t = tensor(dtype, shape);
    for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.01;
    return t;
  };
  const W_xh = normal(shapes.W_xh);
  const W_hh = normal(shapes.W_hh);
  const W_hq = normal(shapes.W_hq);
  return { W_xh, W_hh, b_h: tensor(dtype, shapes.b_h), W_hq, b_q: tensor(dtype, shapes.b_q) };
}

/** Total number of scalars in the parameters (291,356 for V=28, H=512). */
export function numParams(vocabSize: number, numHiddens: number): number {
  return Object.values(paramShapes(vocabSize, numHiddens)).reduce((n, s) => n + s.reduce((p, d) => p * d, 1), 0);
}
// #endregion params

// #region state
/**
 * d2l `init_rnn_state`: the hidden state before the first step, all zeros, shape (batchSize, numHiddens).
 * The book returns a 1-tuple `(H,)` so that the same training code also serves LSTMs, whose state is
 * a pair `(H, C)`; a plain RNN has exactly one state tensor, so we return it directly.
 */
export function initRnnState(batchSize: number, numHiddens: number, dtype: FloatDType = 'float32'): HostTensor {
  return tensor(dtype, [batchSize, numHiddens]);
}
// #endregion state

// #region step
/**
 * One time step: `H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)`.
 * `xProjection` is `X_t W_xh`, the input's contribution, computed for all time steps at once (below).
 */
export function rnnStep(xProjection: Sym, H: Sym, params: RnnParams<Sym>): Sym {
  return xProjection.add(H.matmul(params.W_hh)).add(params.b_h).tanh();
}
// #endregion step

export type InputEncoding = 'one-hot' | 'gather';

// #region forward
/**
 * The forward pass of `RNNModelScratch`: X (batchSize, numSteps) token ids -> logits (numSteps*batchSize,
 * vocabSize) in TIME-MAJOR row order (row t*batchSize + b) and the final state.
 *
 * 1. Transpose X to (numSteps, batchSize): the loop runs over time, so time must be the leading axis.
 * 2. One-hot encode: (numSteps, batchSize, vocabSize). Multiplying a one-hot row by W_xh just picks one row of
 *    W_xh, so `'gather'` (an embedding lookup) computes exactly the same numbers with V times less work.
 * 3. Step through time, keeping every H_t; the output layer `H_t W_hq + b_q` runs on all steps at once.
 */
export function rnnForward(
  X: Sym,
  state: Sym,
  params: RnnParams<Sym>,
  options: { vocabSize: number; inputEncoding?: InputEncoding },
): { logits: Sym; state: Sym } {
  const [batchSize, numSteps] = X.shape;
  const V = options.vocabSize;
  const timeMajor = X.transpose(); // (numSteps, batchSize)
  const ids = timeMajor.reshape([numSteps * batchSize]);
  // X_t W_xh for every t at once: (numSteps*batchSize, numHiddens).
  const xProjection =
    options.inputEncoding === 'one-hot'
      ? ids.oneHot(V, params.W_xh.dtype).matmul(params.W_xh)
      : params.W_xh.gather(ids);
  let H = state;
  const outputs: Sym[] = [];
  for (let t = 0; t < numSteps; t++) {
    const xt = xProjection.sliceAxis(0, t * batchSize, (t + 1) * batchSize); // (batchSize, numHiddens)
    H = rnnStep(xt, H, params);
    outputs.push(H);
  }
  const allH = outputs.length === 1 ? outputs[0] : H.builder.op('concat', outputs, { axis: 0 });
  const logits = allH.matmul(params.W_hq).add(params.b_q); // (numSteps*batchSize, V)
  return { logits, state: H };
}
// #endregion forward

/** Declare the five parameters as graph inputs. */
export function paramInputs(b: GraphBuilder, vocabSize: number, numHiddens: number, dtype: FloatDType): RnnParams<Sym> {
  const shapes = paramShapes(vocabSize, numHiddens);
  const out = {} as RnnParams<Sym>;
  for (const name of PARAM_NAMES) out[name] = b.input(name, dtype, shapes[name]);
  return out;
}
