// The language model of d2l 8.5-9.3 around any cell: one-hot inputs, `numLayers` cells stacked (9.3: each
// layer's hidden states are the next layer's inputs), and the output layer `H W_hq + b_q` on the top layer.
// The book's `RNNModelScratch(vocab_size, num_hiddens, device, get_params, init_state, forward_fn)` is this
// with one layer; the cell is what changes between sections.

import { type FloatDType, type HostTensor, tensor } from '../ir/dtype.js';
import type { GraphBuilder, Sym } from '../ir/graph.js';
import type { Random } from '../random.js';
import type { Activation, Cell, CellName, Params } from './cell.js';
import { gruCell } from './gru.js';
import { lstmCell } from './lstm.js';
import { rnnCell } from './rnn.js';

export const CELLS: { readonly [N in CellName]: Cell } = { rnn: rnnCell, gru: gruCell, lstm: lstmCell };

/** What decides the parameters' names and shapes. */
export interface ModelSpec {
  readonly vocabSize: number;
  readonly numHiddens: number;
  /** 'rnn' (default, 8.5), 'gru' (9.1) or 'lstm' (9.2). */
  readonly cell?: CellName;
  /** Stacked cells (9.3); default 1. */
  readonly numLayers?: number;
  /** The RNN's nonlinearity: 'tanh' (default) or 'relu'. Only the rnn cell takes 'relu'. */
  readonly activation?: Activation;
  /**
   * Learnable embeddings of this size instead of one-hot inputs (the chapter's exercise 2): a table `W_emb`
   * (V, E) whose rows the first layer reads. Absent or 0: one-hot, as in the book.
   */
  readonly embedSize?: number;
}

/** A model that cannot be built (the message says which setting and why). */
export class ModelError extends Error {
  override name = 'ModelError';
}

/** Reject settings that do not make a model. */
export function checkModel(spec: ModelSpec): void {
  const { numHiddens, numLayers = 1, embedSize = 0, activation = 'tanh', cell = 'rnn' } = spec;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 1;
  if (!whole(numHiddens)) throw new ModelError(`numHiddens must be a whole number >= 1, got ${numHiddens}`);
  if (!whole(numLayers)) throw new ModelError(`numLayers must be a whole number >= 1, got ${numLayers}`);
  if (embedSize !== 0 && !whole(embedSize))
    throw new ModelError(`embedSize must be a whole number >= 1, got ${embedSize}`);
  if (!(cell in CELLS)) throw new ModelError(`unknown cell '${cell}'; the cells are ${Object.keys(CELLS).join(', ')}`);
  if (activation !== 'tanh' && cell !== 'rnn') {
    throw new ModelError(
      `activation '${activation}' is for the rnn cell; the ${cell} keeps its sigmoid gates and tanh`,
    );
  }
}

/** How `initParams` draws: the book's scratch `randn * 0.01` with zero biases, or PyTorch's `nn.RNN/GRU/LSTM`. */
export type Init = 'normal' | 'uniform';
export const INIT_CHOICES: readonly Init[] = ['normal', 'uniform'];

/** How X_t W_x* is computed: 'gather' (default, an embedding lookup) or the book's literal 'one-hot'. */
export type InputEncoding = 'one-hot' | 'gather';

const layersOf = (spec: ModelSpec) => spec.numLayers ?? 1;
const cellOf = (spec: ModelSpec) => CELLS[spec.cell ?? 'rnn'];

/** `W_xh` for one layer; `l2.W_xh` for layer 2 of several. */
function layerPrefix(spec: ModelSpec, layer: number): string {
  return layersOf(spec) === 1 ? '' : `l${layer + 1}.`;
}

/**
 * Every parameter's shape, in the book's order: the embedding table `W_emb` (V x E) when there is one; per
 * layer and gate `W_x*` (inputs x H: V, or E with embeddings, for the first layer, H above it), `W_h*`
 * (H x H), `b_*` (H); then the output layer `W_hq` (H x V) and `b_q` (V).
 */
export function paramShapes(spec: ModelSpec): Record<string, number[]> {
  const { vocabSize: V, numHiddens: H, embedSize: E = 0 } = spec;
  const shapes: Record<string, number[]> = {};
  if (E > 0) shapes.W_emb = [V, E];
  for (let layer = 0; layer < layersOf(spec); layer++) {
    const at = layerPrefix(spec, layer);
    for (const g of cellOf(spec).gates) {
      shapes[`${at}W_x${g}`] = [layer > 0 ? H : E > 0 ? E : V, H];
      shapes[`${at}W_h${g}`] = [H, H];
      shapes[`${at}b_${g}`] = [H];
    }
  }
  shapes.W_hq = [H, V];
  shapes.b_q = [V];
  return shapes;
}

/** Total number of scalars (291,356 for the book's rnn with V=28, H=512). */
export function numParams(spec: ModelSpec): number {
  return Object.values(paramShapes(spec)).reduce((n, s) => n + s.reduce((p, d) => p * d, 1), 0);
}

// #region init-params
/**
 * d2l `get_params` for every cell: for each gate, the book's `three()`: `W_x*` and `W_h*` drawn from
 * N(0, 0.01²) (`randn * 0.01`), `b_*` zero; then `W_hq` drawn, `b_q` zero. The draws happen in the book's
 * order, so a seed fixes every weight. `init: 'uniform'` draws every parameter, biases too, from
 * U(-1/sqrt(H), 1/sqrt(H)), as PyTorch's `nn.RNN`, `nn.GRU`, `nn.LSTM` and `nn.Linear` do.
 */
export function initParams(spec: ModelSpec, rng: Random, options: { dtype?: FloatDType; init?: Init } = {}): Params {
  const { dtype = 'float32', init = 'normal' } = options;
  checkModel(spec);
  const k = 1 / Math.sqrt(spec.numHiddens);
  const draw = (shape: number[], isBias: boolean) => {
    const t = tensor(dtype, shape);
    if (init === 'normal' && isBias) return t;
    for (let i = 0; i < t.data.length; i++)
      t.data[i] = init === 'normal' ? rng.normal() * 0.01 : (rng.random() * 2 - 1) * k;
    return t;
  };
  const params: Record<string, HostTensor> = {};
  for (const [name, shape] of Object.entries(paramShapes(spec))) params[name] = draw(shape, /(^|\.)b_/.test(name));
  return params;
}
// #endregion init-params

/**
 * The model `params` belong to, read off the parameters themselves: the sizes from `W_hq` (H x V), the cell
 * from the gate names, the layers from the `l<k>.` prefixes, embeddings from `W_emb`. (The RNN's activation
 * is not in the parameters: `activation` is left out.) Throws for parameters of no known model.
 */
export function modelOf(params: Params): ModelSpec {
  const names = Object.keys(params);
  const [numHiddens, vocabSize] = params.W_hq?.shape ?? [];
  const numLayers = Math.max(1, ...names.map((n) => Number(/^l(\d+)\./.exec(n)?.[1] ?? 1)));
  const embedSize = params.W_emb?.shape[1];
  for (const cell of Object.values(CELLS)) {
    const spec = { vocabSize, numHiddens, cell: cell.name, numLayers, ...(embedSize ? { embedSize } : {}) };
    const want = Object.keys(paramShapes(spec));
    if (want.length === names.length && want.every((n) => n in params)) return spec;
  }
  throw new Error(`these parameters (${names.join(', ')}) are not those of an rnn, gru or lstm model`);
}

// #region init-state
/**
 * d2l `init_rnn_state` / `init_gru_state` / `init_lstm_state`: all zeros. The state tuple of every layer
 * travels as ONE tensor, so the training loop never needs to know the cell: (B, H) when the whole state is
 * one H (the book's `(H,)`), else (S, B, H) with the S = layers x tuple-size entries stacked in order
 * (layer 1's H, C, then layer 2's H, C, ...).
 */
export function initState(spec: ModelSpec, batchSize: number, dtype: FloatDType = 'float32'): HostTensor {
  const S = stateCount(spec);
  return tensor(dtype, S === 1 ? [batchSize, spec.numHiddens] : [S, batchSize, spec.numHiddens]);
}
// #endregion init-state

function stateCount(spec: ModelSpec): number {
  return layersOf(spec) * cellOf(spec).state.length;
}

/** Declare every parameter as a graph input, in the book's order. */
export function paramInputs(b: GraphBuilder, spec: ModelSpec, dtype: FloatDType): Params<Sym> {
  checkModel(spec);
  const out: Record<string, Sym> = {};
  for (const [name, shape] of Object.entries(paramShapes(spec))) out[name] = b.input(name, dtype, shape);
  return out;
}

/** Declare the state as the graph input `state`, shaped like `initState`. */
export function stateInput(b: GraphBuilder, spec: ModelSpec, batchSize: number, dtype: FloatDType): Sym {
  return b.input('state', dtype, initState(spec, batchSize, dtype).shape);
}

// #region forward
/**
 * The forward pass of `RNNModelScratch`: X (batchSize, numSteps) token ids -> logits (numSteps*batchSize,
 * vocabSize) in TIME-MAJOR row order (row t*batchSize + b) and the final state.
 *
 * 1. Transpose X to (numSteps, batchSize): the loop runs over time, so time must be the leading axis.
 * 2. X_t W_x* for every step at once. The first layer's input is one-hot: multiplying a one-hot row by W_x*
 *    just picks one row of it, so `'gather'` (an embedding lookup) computes exactly the same numbers as the
 *    book's `'one-hot'` with V times less work. A higher layer's input is the layer below's H_t.
 * 3. Step through time with the cell, keeping every H_t; the output layer `H_t W_hq + b_q` runs on the top
 *    layer's H_t of all steps at once.
 */
export function modelForward(
  X: Sym,
  state: Sym,
  params: Params<Sym>,
  spec: ModelSpec & { inputEncoding?: InputEncoding },
): { logits: Sym; state: Sym } {
  const [batchSize, numSteps] = X.shape;
  const cell = cellOf(spec);
  const ids = X.transpose().reshape([numSteps * batchSize]);
  const states = splitState(state, spec);
  // Token ids for the first layer (or their embeddings), then (numSteps*batchSize, H) values.
  let inputs = spec.embedSize ? lookUp(ids, params.W_emb, spec) : ids;
  for (let layer = 0; layer < layersOf(spec); layer++) {
    const p = layerParams(params, spec, layer);
    const x = Object.fromEntries(cell.gates.map((g) => [g, inputProjection(inputs, p[`W_x${g}`], layer, spec)]));
    const outputs: Sym[] = [];
    for (let t = 0; t < numSteps; t++) {
      const xt = Object.fromEntries(cell.gates.map((g) => [g, x[g].sliceAxis(0, t * batchSize, (t + 1) * batchSize)]));
      states[layer] = cell.step(xt, states[layer], p, spec.activation ?? 'tanh');
      outputs.push(states[layer][0]);
    }
    inputs = outputs.length === 1 ? outputs[0] : X.builder.op('concat', outputs, { axis: 0 });
  }
  const logits = inputs.matmul(params.W_hq).add(params.b_q); // (numSteps*batchSize, V)
  return { logits, state: joinState(states, spec) };
}
// #endregion forward

/** `inputs W_x*` for all steps: a row lookup for the first layer's token ids, a product for values. */
function inputProjection(inputs: Sym, W: Sym, layer: number, spec: ModelSpec & { inputEncoding?: InputEncoding }) {
  if (layer > 0 || spec.embedSize) return inputs.matmul(W);
  return lookUp(inputs, W, spec);
}

/**
 * Row `id` of `W` for every token id: `one_hot(ids) @ W`, computed as the book writes it ('one-hot') or as the
 * row lookup it equals ('gather', the default).
 */
function lookUp(ids: Sym, W: Sym, spec: { vocabSize: number; inputEncoding?: InputEncoding }): Sym {
  return spec.inputEncoding === 'one-hot' ? ids.oneHot(spec.vocabSize, W.dtype).matmul(W) : W.gather(ids);
}

/** Layer `layer`'s parameters under their book names (`W_xh`, ...), without the `l<k>.` prefix. */
function layerParams(params: Params<Sym>, spec: ModelSpec, layer: number): Params<Sym> {
  const at = layerPrefix(spec, layer);
  if (at === '') return params;
  return Object.fromEntries(
    Object.entries(params).flatMap(([n, v]) => (n.startsWith(at) ? [[n.slice(at.length), v]] : [])),
  );
}

/** The one state tensor -> each layer's state tuple, each entry (B, H). */
function splitState(state: Sym, spec: ModelSpec): Sym[][] {
  const size = cellOf(spec).state.length;
  if (stateCount(spec) === 1) return [[state]];
  const [S, B, H] = state.shape;
  const entries = Array.from({ length: S }, (_, s) => state.sliceAxis(0, s, s + 1).reshape([B, H]));
  return Array.from({ length: layersOf(spec) }, (_, l) => entries.slice(l * size, (l + 1) * size));
}

/** Each layer's state tuple -> the one state tensor (inverse of `splitState`). */
function joinState(states: Sym[][], spec: ModelSpec): Sym {
  const all = states.flat();
  if (all.length === 1) return all[0];
  const [B, H] = all[0].shape;
  return all[0].builder.op('concat', all, { axis: 0 }).reshape([all.length, B, H]);
}
