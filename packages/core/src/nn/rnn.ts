// d2l 8.5, "RNN from scratch": the parameters, the state and one time step, written once as graph code so
// that every backend runs the same math. The forward pass over all time steps (`RNNModelScratch`) is
// `modelForward` in model.ts, which runs this cell or the GRU and LSTM of chapter 9.

import { type FloatDType, type HostTensor, tensor } from '../ir/dtype.js';
import type { Sym } from '../ir/graph.js';
import type { Random } from '../random.js';
import type { Activation, Cell } from './cell.js';

// #region params
/** The five parameters in the book's order: `[W_xh, W_hh, b_h, W_hq, b_q]`. */
export const PARAM_NAMES = ['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];
export type RnnParams<T = HostTensor> = { [K in ParamName]: T };

/**
 * d2l `get_params`: weights ~ N(0, 0.01²) (`randn * 0.01`), biases zero. Inputs and outputs are both
 * one-hot over the vocabulary, so num_inputs = num_outputs = vocabSize = V. The draws happen in the book's
 * order (W_xh, W_hh, W_hq), so a seed fixes every weight. (`initParams` in model.ts does the same for
 * every cell and for stacked layers.)
 */
export function getParams(
  vocabSize: number,
  numHiddens: number,
  rng: Random,
  dtype: FloatDType = 'float32',
): RnnParams {
  const V = vocabSize;
  const H = numHiddens;
  const shapes = { W_xh: [V, H], W_hh: [H, H], b_h: [H], W_hq: [H, V], b_q: [V] };
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
// #endregion params

// #region state
/**
 * d2l `init_rnn_state`: the hidden state before the first step, all zeros, shape (batchSize, numHiddens).
 * The book returns a 1-tuple `(H,)` so that the same training code also serves LSTMs, whose state is
 * a pair `(H, C)`; a plain RNN has exactly one state tensor, so we return it directly. (`initState` in
 * model.ts gives every cell's state as one tensor.)
 */
export function initRnnState(batchSize: number, numHiddens: number, dtype: FloatDType = 'float32'): HostTensor {
  return tensor(dtype, [batchSize, numHiddens]);
}
// #endregion state

// #region step
/**
 * One time step: `H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)`.
 * `xProjection` is `X_t W_xh`, the input's contribution, computed for all time steps at once (model.ts).
 * With `activation: 'relu'` the squashing tanh becomes max(0, .), which is unbounded above.
 */
export function rnnStep(
  xProjection: Sym,
  H: Sym,
  params: { readonly W_hh: Sym; readonly b_h: Sym },
  activation: Activation = 'tanh',
): Sym {
  const a = xProjection.add(H.matmul(params.W_hh)).add(params.b_h);
  return activation === 'relu' ? a.maximum(0) : a.tanh();
}
// #endregion step

/** The RNN of 8.5: one gate (h) and the state `(H,)`. */
export const rnnCell: Cell = {
  name: 'rnn',
  gates: ['h'],
  state: ['H'],
  step: (x, [H], p, activation) => [rnnStep(x.h, H, { W_hh: p.W_hh, b_h: p.b_h }, activation)],
};
