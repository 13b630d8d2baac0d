// d2l `train_epoch_ch8` and `train_ch8`: the training loop, with the book's state handling.

import type { Backend, Executable } from '../backend/backend.js';
import { BOOK_DEFAULTS } from '../book-defaults.js';
import { type HostTensor, scalar } from '../ir/dtype.js';
import type { Batch, DataIterator } from '../data/seq-data-iter.js';
import type { Vocab } from '../data/vocab.js';
import type { Params } from '../nn/cell.js';
import { type InputEncoding, initState, modelOf } from '../nn/model.js';
import { Predictor } from './predict.js';
import { buildTrainStep, pickParams, trainStepFeeds } from './train-step.js';

// #region samplers
/**
 * - `sequential`: sequential partitioning; the state is carried from one minibatch to the next within
 *   an epoch (zero at the first minibatch of each epoch). The book's main run.
 * - `random`: random sampling (`seq_data_iter_random`) with a fresh zero state for every minibatch.
 * - `book-random`: what the book's "random sampling" run really does: sequential data (the same
 *   `train_iter`) with `use_random_iter=True`, i.e. a fresh zero state for every minibatch.
 */
export type Sampler = 'sequential' | 'random' | 'book-random';
export const SAMPLER_CHOICES: readonly Sampler[] = ['sequential', 'random', 'book-random'];
// #endregion samplers

/** Which minibatch iterator a sampler reads from. */
export function iteratorFor(sampler: Sampler): DataIterator {
  return sampler === 'random' ? 'random' : 'sequential';
}

/** Anything that yields one epoch of minibatches each time it is iterated (e.g. `SeqDataLoader`). */
export interface EpochSource {
  readonly batchSize: number;
  readonly numSteps: number;
  readonly iterator: DataIterator;
  [Symbol.iterator](): Iterator<Batch>;
}

// #region perplexity
/** Perplexity from a mean cross-entropy (nats per token): exp(loss). 1 is perfect; V is a uniform guess. */
export function perplexity(meanLoss: number): number {
  return Math.exp(meanLoss);
}
// #endregion perplexity

/**
 * Training produced a number that is not finite: a minibatch's loss or gradient norm (`step` is the
 * 1-based minibatch), or the epoch's perplexity, exp(mean loss), which overflows for a huge but finite
 * mean loss (`step` is undefined).
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    readonly step: number | undefined,
    /** What went bad: `loss` (of minibatch `step`) or `perplexity` (of the epoch). */
    readonly quantity: 'loss' | 'perplexity',
    readonly value: number,
    /** The parameters before the step (or the epoch) that went bad. */
    readonly lastGoodParams: Params,
  ) {
    super(
      step === undefined
        ? `training diverged: the perplexity of epoch ${epoch} is ${value}`
        : `training diverged: the loss is ${value} at epoch ${epoch}, minibatch ${step}`,
    );
  }
}

/** What `onStep` hears after every minibatch. */
export interface StepInfo {
  readonly epoch: number;
  /** 1-based minibatch number within the epoch. */
  readonly step: number;
  readonly loss: number;
  /** The global gradient norm BEFORE clipping; clipping fired when it exceeds theta. */
  readonly gradNorm: number;
}

export interface EpochResult<P extends Params = Params> {
  readonly params: P;
  /** exp(mean token loss over the epoch): the book's training perplexity. */
  readonly perplexity: number;
  /** Label tokens processed (numBatches * batchSize * numSteps). */
  readonly tokens: number;
  readonly seconds: number;
  readonly losses: number[];
}

export interface EpochOptions {
  readonly sampler: Sampler;
  readonly lr: number;
  /** 1-based epoch number, for messages and `onStep`. */
  readonly epoch?: number;
  readonly signal?: AbortSignal;
  readonly onStep?: (info: StepInfo) => void;
}

// #region train-epoch
/**
 * One epoch (d2l `train_epoch_ch8`). The state is handled exactly as in the book's code:
 * - sequential: zeros at the first minibatch, then the last state of each minibatch is fed into the
 *   next. Feeding it as a fresh graph input cuts the gradient there (the book's `detach_`), so backprop
 *   runs over numSteps steps only: truncated BPTT.
 * - random / book-random: zeros at EVERY minibatch. The book's prose says "at the start of each epoch",
 *   but its code resets per minibatch, and it must: with random sampling, neighbouring minibatches are
 *   not neighbouring text, so a carried state would describe the wrong context.
 */
export async function trainEpoch<P extends Params>(
  step: Executable,
  params: P,
  batches: Iterable<Batch>,
  options: EpochOptions,
): Promise<EpochResult<P>> {
  const start = performance.now(); // the book starts its timer before building the iterator
  const epoch = options.epoch ?? 0;
  const model = modelOf(params);
  const dtype = params.W_hq.dtype as 'float32' | 'float64';
  const lr = scalar(dtype, options.lr);
  const resetEveryBatch = options.sampler !== 'sequential';
  let state: HostTensor | undefined;
  let current = params;
  let previous = params;
  let lossSum = 0;
  let tokens = 0;
  const losses: number[] = [];
  for (const batch of batches) {
    if (options.signal?.aborted) throw new TrainingAborted();
    const [batchSize, numSteps] = batch.shape;
    if (state === undefined || resetEveryBatch) state = initState(model, batchSize, dtype);
    const out = await step.run(trainStepFeeds(batch, state, current, lr));
    const loss = out.loss.data[0];
    const gradNorm = out.gradNorm.data[0];
    losses.push(loss);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      // The parameters fed into this step may already hold an overflow from the previous update.
      throw new DivergenceError(epoch, losses.length, 'loss', loss, allFinite(current) ? current : previous);
    }
    options.onStep?.({ epoch, step: losses.length, loss, gradNorm });
    previous = current;
    current = pickParams(out, params);
    state = out.state;
    lossSum += loss * batchSize * numSteps; // the book's metric.add(l * y.numel(), y.numel())
    tokens += batchSize * numSteps;
  }
  const ppl = perplexity(lossSum / tokens);
  // A finite but huge mean loss still overflows exp(): as good as diverged (and not storable in JSON).
  if (!Number.isFinite(ppl)) throw new DivergenceError(epoch, undefined, 'perplexity', ppl, params);
  return { params: current, perplexity: ppl, tokens, seconds: (performance.now() - start) / 1000, losses };
}
// #endregion train-epoch

function allFinite(params: Params): boolean {
  return Object.values(params).every((p) => p.data.every(Number.isFinite));
}

/** Thrown inside the loop when the abort signal fires; `train` turns it into an `interrupted` result. */
export class TrainingAborted extends Error {
  override name = 'TrainingAborted';
  constructor() {
    super('training was interrupted');
  }
}

export interface EpochInfo {
  /** 1-based epoch number (the total so far, including epochs of a resumed run). */
  readonly epoch: number;
  readonly numEpochs: number;
  readonly perplexity: number;
  readonly tokensPerSec: number;
  readonly seconds: number;
  readonly params: Params;
  /** Filled on report epochs (every `every` epochs and the last): prefix -> generated text. */
  readonly predictions?: Readonly<Record<string, string>>;
}

export interface TrainOptions {
  readonly backend: Backend;
  /** The minibatches: every iteration is one epoch (a `SeqDataLoader`). */
  readonly data: EpochSource;
  readonly vocab: Vocab;
  /** The parameters to start from (`initParams`, or a checkpoint's); they say which model trains. */
  readonly params: Params;
  /** Total epochs (the book: 500). With `startEpoch`, epochs startEpoch+1 .. numEpochs run. */
  readonly numEpochs: number;
  readonly lr: number;
  /** Clipping threshold (the book: 1). */
  readonly theta?: number;
  readonly sampler?: Sampler;
  /** How X_t W_xh is computed (see `buildTrainStep`). */
  readonly inputEncoding?: InputEncoding;
  /** The `batch_size` of d2l's `sgd` (the book: 1, see `sgd`). */
  readonly updateBatchSize?: number;
  /** Epochs already done (when resuming). */
  readonly startEpoch?: number;
  /** Report (predict) every `every` epochs, like train_ch8's every 10. */
  readonly every?: number;
  /** Prefixes to predict from at each report (default: the book's 'time traveller', 'traveller'). */
  readonly prefixes?: readonly string[];
  readonly numPreds?: number;
  /** Called after every epoch (progress bars, checkpoints). */
  readonly onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** Called after every minibatch with its loss and gradient norm. */
  readonly onStep?: (info: StepInfo) => void;
  /** Stop between minibatches; `train` then returns the parameters of the last completed epoch. */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly params: Params;
  /** Epochs completed in total (startEpoch + those run now). */
  readonly epoch: number;
  /** Perplexity and speed of the LAST epoch, as train_ch8 prints them. */
  readonly perplexity: number;
  readonly tokensPerSec: number;
  /** Label tokens over training seconds for the whole run. */
  readonly averageTokensPerSec: number;
  readonly history: ReadonlyArray<{ epoch: number; perplexity: number }>;
  /** Predictions with the final parameters. */
  readonly predictions: Readonly<Record<string, string>>;
  /** 'interrupted' when the signal stopped training early. */
  readonly status: 'completed' | 'interrupted';
}

// #region train
/** d2l `train_ch8`: train for numEpochs, predict every `every` epochs, report the last epoch's numbers. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { backend, data, vocab, numEpochs, lr, sampler = 'sequential', every = BOOK_DEFAULTS.every } = options;
  if (data.iterator !== iteratorFor(sampler)) {
    throw new Error(
      `train: sampler '${sampler}' needs a '${iteratorFor(sampler)}' data loader, got '${data.iterator}'`,
    );
  }
  const stepConfig = {
    ...modelOf(options.params),
    batchSize: data.batchSize,
    numSteps: data.numSteps,
    theta: options.theta ?? BOOK_DEFAULTS.theta,
    dtype: options.params.W_hq.dtype as 'float32' | 'float64',
    inputEncoding: options.inputEncoding,
    updateBatchSize: options.updateBatchSize,
  };
  const step = await backend.compile(buildTrainStep(stepConfig)); // compiled once per shape
  const predictor = await Predictor.create(backend, stepConfig);
  const predictAll = async (params: Params) => {
    const out: Record<string, string> = {};
    for (const p of options.prefixes ?? BOOK_DEFAULTS.prefixes) {
      out[p] = await predictor.predict(p, params, vocab, { numPreds: options.numPreds ?? BOOK_DEFAULTS.numPreds });
    }
    return out;
  };

  let params = options.params;
  let epoch = options.startEpoch ?? 0;
  let last: EpochResult | undefined;
  let totalTokens = 0;
  let totalSeconds = 0;
  const history: { epoch: number; perplexity: number }[] = [];
  let status: TrainResult['status'] = 'completed';
  try {
    while (epoch < numEpochs) {
      try {
        const { signal, onStep } = options;
        last = await trainEpoch(step, params, data, { sampler, lr, epoch: epoch + 1, signal, onStep });
      } catch (err) {
        if (!(err instanceof TrainingAborted)) throw err;
        status = 'interrupted';
        break;
      }
      epoch++;
      params = last.params;
      totalTokens += last.tokens;
      totalSeconds += last.seconds;
      history.push({ epoch, perplexity: last.perplexity });
      const report = epoch % every === 0 || epoch === numEpochs;
      await options.onEpoch?.({
        epoch,
        numEpochs,
        perplexity: last.perplexity,
        tokensPerSec: last.tokens / last.seconds,
        seconds: last.seconds,
        params,
        predictions: report ? await predictAll(params) : undefined,
      });
    }
    return {
      params,
      epoch,
      perplexity: last?.perplexity ?? NaN,
      tokensPerSec: last ? last.tokens / last.seconds : NaN,
      averageTokensPerSec: totalSeconds > 0 ? totalTokens / totalSeconds : NaN,
      history,
      predictions: await predictAll(params),
      status,
    };
  } finally {
    await step.dispose();
    await predictor.dispose();
  }
}
// #endregion train
