// One SGD step of the book's training loop as ONE graph: forward over numSteps time steps, the mean
// cross-entropy loss, backward (core autodiff), gradient clipping by the global norm, and the update.
// Backends compile it once per shape and run it for every minibatch.

import type { FloatDType, HostTensor } from '../ir/dtype.js';
import type { Batch } from '../data/seq-data-iter.js';
import { type Graph, GraphBuilder, type Sym } from '../ir/graph.js';
import { gradients } from '../autodiff/grad.js';
import { optimizeGraph } from '../ir/passes/index.js';
import { clipByGlobalNorm, softmaxCrossEntropy } from '../ops/composite.js';
import { sgd } from './sgd.js';
import type { Params } from '../nn/cell.js';
import { type InputEncoding, type ModelSpec, modelForward, paramInputs, stateInput } from '../nn/model.js';

/** The model (sizes, cell, layers) and how its graphs compute. */
export interface ModelConfig extends ModelSpec {
  readonly dtype?: FloatDType;
  /** How X_t W_x* is computed: 'gather' (default, an embedding lookup) or the book's literal 'one-hot'. */
  readonly inputEncoding?: InputEncoding;
}

export interface TrainStepConfig extends ModelConfig {
  readonly batchSize: number;
  readonly numSteps: number;
  /** Clipping threshold (the book: 1); Infinity: no clipping (the chapter's exercise 4). */
  readonly theta?: number;
  /**
   * How many minibatches the graph runs through (default 1: the book's `detach_`, truncated BPTT). With k > 1,
   * `X` holds the k consecutive minibatches of sequential partitioning side by side in time (B, k * numSteps),
   * the state comes in at the first of them, and the loss is that of the last one (its labels `Y`), so its
   * gradient flows back through all k of them (the chapter's exercise 5: no detach within an epoch).
   */
  readonly minibatches?: number;
  /**
   * The `batch_size` argument of d2l's `sgd(params, lr, batch_size)`. The loss is already a mean, so
   * `train_epoch_ch8` calls `updater(batch_size=1)`; keep 1 to match the book.
   */
  readonly updateBatchSize?: number;
}

/** The inputs every minibatch graph takes: token ids X, labels Y, the incoming state and the parameters. */
function stepInputs(config: TrainStepConfig): { b: GraphBuilder; X: Sym; Y: Sym; state: Sym; params: Params<Sym> } {
  const { batchSize, numSteps, minibatches = 1 } = config;
  const dtype = config.dtype ?? 'float32';
  const b = new GraphBuilder();
  const X = b.input('X', 'int32', [batchSize, minibatches * numSteps]);
  const Y = b.input('Y', 'int32', [batchSize, numSteps]);
  const state = stateInput(b, config, batchSize, dtype);
  return { b, X, Y, state, params: paramInputs(b, config, dtype) };
}

// #region train-step
/**
 * Graph inputs: `X`, `Y` (int32, (batchSize, numSteps)), `state` ((batchSize, numHiddens) for the book's
 * RNN; see `initState`), the parameters, and `lr` (a scalar). Outputs: `loss` (mean over numSteps*batchSize
 * tokens), `state` (the last state, fed back for the next minibatch), `gradNorm` (before clipping) and the
 * updated parameters under their own names.
 */
export function buildTrainStep(config: TrainStepConfig): Graph {
  const { numSteps, batchSize, theta = 1, updateBatchSize = 1, minibatches = 1 } = config;
  const { b, X, Y, state, params } = stepInputs(config);
  const lr = b.input('lr', state.dtype, []);

  // Forward. The state comes in as a plain input, so no gradient flows into the previous minibatch:
  // that is exactly what the book's `state.detach_()` does (truncated backpropagation through time).
  const { logits, state: newState } = modelForward(X, state, params, config);
  // Labels in the same time-major order as the logits: `y = Y.T.reshape(-1)`.
  // (Flattening Y without the transpose would pair each output with the wrong label: a silent bug.)
  const y = Y.transpose().reshape([numSteps * batchSize]);
  const last = numSteps * batchSize; // the rows of the last minibatch (all rows when minibatches = 1)
  const loss = softmaxCrossEntropy(logits.sliceAxis(0, (minibatches - 1) * last, minibatches * last), y);

  // Backward, then clip all gradients together by their global L2 norm.
  const names = Object.keys(params);
  const paramList = Object.values(params);
  const grads = gradients(loss, paramList);
  const { clipped, norm } = clipByGlobalNorm(grads, theta);

  // d2l `sgd`: param -= lr * param.grad / batch_size.
  const updated = sgd(paramList, clipped, lr, updateBatchSize);
  names.forEach((name, i) => b.output(name, updated[i]));
  b.output('loss', loss);
  b.output('state', newState);
  b.output('gradNorm', norm);
  return optimizeGraph(b.build());
}
// #endregion train-step

/** The feeds of one `buildTrainStep` run: a minibatch, the incoming state, the parameters and `lr`. */
export function trainStepFeeds(
  batch: Batch,
  state: HostTensor,
  params: Params,
  lr: HostTensor,
): Record<string, HostTensor> {
  const shape = [...batch.shape];
  const feeds: Record<string, HostTensor> = {
    X: { dtype: 'int32', shape, data: batch.X },
    Y: { dtype: 'int32', shape, data: batch.Y },
    state,
    lr,
  };
  return { ...feeds, ...params };
}

/** The updated parameters out of a run's outputs: those named like the parameters `like`. */
export function pickParams<P extends Params>(values: Readonly<Record<string, HostTensor>>, like: P): P {
  return Object.fromEntries(Object.keys(like).map((name) => [name, values[name]])) as P;
}

/** Forward and the mean loss of one minibatch: what `buildForward` outputs and `buildGradStep` differentiates. */
export function stepLoss(config: TrainStepConfig) {
  const { batchSize, numSteps } = config;
  const { b, X, Y, state, params } = stepInputs(config);
  const { logits, state: newState } = modelForward(X, state, params, config);
  const y = Y.transpose().reshape([numSteps * batchSize]);
  return { b, params, logits, loss: softmaxCrossEntropy(logits, y), state: newState };
}

/** The forward pass alone (loss and logits), e.g. for evaluation or for checking gradients numerically. */
export function buildForward(config: TrainStepConfig): Graph {
  const { b, loss, logits, state } = stepLoss(config);
  b.output('loss', loss);
  b.output('logits', logits);
  b.output('state', state);
  return optimizeGraph(b.build());
}

/** One prediction step for a batch of 1: token (1,) and state (1, H) -> logits (1, V) and the new state. */
export function buildPredictStep(config: ModelConfig): Graph {
  const dtype = config.dtype ?? 'float32';
  const b = new GraphBuilder();
  const token = b.input('token', 'int32', [1, 1]);
  const state = stateInput(b, config, 1, dtype);
  const params = paramInputs(b, config, dtype);
  const { logits, state: newState } = modelForward(token, state, params, config);
  b.output('logits', logits);
  b.output('state', newState);
  return optimizeGraph(b.build());
}
