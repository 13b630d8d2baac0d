// d2l `train_epoch_ch8` and `train_ch8`: the training loop, with the book's state handling.

import type { Backend, Executable } from '../backend/backend.js';
import { type HostTensor, scalar } from '../ir/dtype.js';
import type { Batch, Sampler } from '../data/seq-data-iter.js';
import type { Vocab } from '../data/vocab.js';
import { PARAM_NAMES, type RnnParams, initRnnState } from '../nn/rnn.js';
import { Predictor } from './predict.js';
import { type TrainStepConfig, buildTrainStep, pickParams, trainStepFeeds } from './train-step.js';

// #region sampling-modes
/**
 * - `sequential`: sequential partitioning; the state is carried from one minibatch to the next within
 *   an epoch (zero at the first minibatch of each epoch). The book's main run.
 * - `random`: random sampling (`seq_data_iter_random`) with a fresh zero state for every minibatch.
 * - `book-random`: what the book's "random sampling" run really does: sequential data (the same
 *   `train_iter`) with `use_random_iter=True`, i.e. a fresh zero state for every minibatch.
 */
export type SamplingMode = 'sequential' | 'random' | 'book-random';
export const SAMPLING_MODES: readonly SamplingMode[] = ['sequential', 'random', 'book-random'];
// #endregion sampling-modes

/** Which minibatch iterator a sampling mode reads from. */
export function samplerFor(mode: SamplingMode): Sampler {
  return mode === 'random' ? 'random' : 'sequential';
}

/** Anything that yields one epoch of minibatches each time it is iterated (e.g. `SeqDataLoader`). */
export interface EpochSource {
  readonly batchSize: number;
  readonly numSteps: number;
  readonly sampler: Sampler;
  [Symbol.iterator](): Iterator<Batch>;
}

export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
    /** The parameters before the step that produced the non-finite loss. */
    readonly lastGoodParams: RnnParams,
  ) {
    super(`training diverged: loss is ${loss} at epoch ${epoch}, minibatch ${step}; the parameters before that step are kept (try a smaller --lr or --theta)`);
  }
}

export interface EpochResult {
  readonly params: RnnParams;
  /** exp(mean token loss over the epoch): the book's training perplexity. */
  readonly perplexity: number;
  /** Label tokens processed (numBatches * batchSize * numSteps). */
  readonly tokens: number;
  readonly seconds: number;
  readonly losses: number[];
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
export async function trainEpoch(
  step: Executable,
  params: RnnParams,
  batches: Iterable<Batch>,
  options: {
    mode: SamplingMode;
    lr: number;
    numHiddens: number;
    epoch?: number;
    signal?: AbortSignal;
    /** Parameters known to be good before this epoch (reported if the first step diverges). */
    lastGoodParams?: RnnParams;
  },
): Promise<EpochResult> {
  const start = performance.now(); // the book starts its timer before building the iterator
  const dtype = params.W_hh.dtype as 'float32' | 'float64';
  const lr = scalar(dtype, options.lr);
  const resetEveryBatch = options.mode !== 'sequential';
  let state: HostTensor | undefined;
  let current = params;
  let lossSum = 0;
  let tokens = 0;
  const losses: number[] = [];
  let stepIndex = 0;
  let previous: RnnParams | undefined = options.lastGoodParams;
  for (const batch of batches) {
    if (options.signal?.aborted) throw new TrainingAborted();
    const [batchSize, numSteps] = batch.shape;
    if (state === undefined || resetEveryBatch) state = initRnnState(batchSize, options.numHiddens, dtype);
    const feeds = trainStepFeeds(batch, state, current, lr);
    const out = await step.run(feeds);
    const loss = out.loss.data[0];
    stepIndex++;
    if (!Number.isFinite(loss) || !Number.isFinite(out.gradNorm.data[0])) {
      // The parameters fed into this step may already hold an overflow from the previous update.
      const lastGood = allFinite(current) ? current : (previous ?? current);
      throw new DivergenceError(options.epoch ?? 0, stepIndex, loss, lastGood);
    }
    previous = current;
    current = pickParams(out);
    state = out.state;
    const n = batchSize * numSteps; // numel(y)
    lossSum += loss * n;
    tokens += n;
    losses.push(loss);
  }
  const seconds = (performance.now() - start) / 1000;
  return { params: current, perplexity: Math.exp(lossSum / tokens), tokens, seconds, losses };
}
// #endregion train-epoch

function allFinite(params: RnnParams): boolean {
  return PARAM_NAMES.every((n) => params[n].data.every(Number.isFinite));
}

/** Thrown inside the loop when the abort signal fires; `train` turns it into a `stopped` result. */
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
  readonly params: RnnParams;
  /** Filled on report epochs (every `every` epochs and the last): prefix -> generated text. */
  readonly predictions?: Readonly<Record<string, string>>;
}

export interface TrainOptions {
  /** Total epochs (the book: 500). With `startEpoch`, epochs startEpoch+1 .. numEpochs run. */
  readonly numEpochs: number;
  readonly lr: number;
  readonly mode?: SamplingMode;
  /** Epochs already done (when resuming). */
  readonly startEpoch?: number;
  /** Report (predict) every `every` epochs, like train_ch8's every 10. */
  readonly every?: number;
  /** Prefixes to predict from at each report (default: the book's 'time traveller', 'traveller'). */
  readonly prefixes?: readonly string[];
  readonly numPreds?: number;
  /** Called after every epoch (progress bars, checkpoints). */
  readonly onEpoch?: (info: EpochInfo) => void | Promise<void>;
  /** Stop between minibatches; `train` then returns the parameters of the last completed epoch. */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly params: RnnParams;
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
export async function train(
  backend: Backend,
  data: EpochSource,
  vocab: Vocab,
  initialParams: RnnParams,
  config: Omit<TrainStepConfig, 'batchSize' | 'numSteps' | 'vocabSize' | 'numHiddens'>,
  options: TrainOptions,
): Promise<TrainResult> {
  const mode = options.mode ?? 'sequential';
  if (data.sampler !== samplerFor(mode)) {
    throw new Error(`train: sampling mode '${mode}' needs a '${samplerFor(mode)}' data loader, got '${data.sampler}'`);
  }
  const numHiddens = initialParams.W_hh.shape[0];
  const vocabSize = initialParams.W_xh.shape[0];
  const dtype = initialParams.W_hh.dtype as 'float32' | 'float64';
  const stepConfig: TrainStepConfig = { ...config, vocabSize, numHiddens, batchSize: data.batchSize, numSteps: data.numSteps, dtype };
  const step = await backend.compile(buildTrainStep(stepConfig)); // compiled once per shape
  const predictor = await Predictor.create(backend, stepConfig);
  const prefixes = options.prefixes ?? ['time traveller', 'traveller'];
  const every = options.every ?? 10;
  const predictAll = async (params: RnnParams) => {
    const out: Record<string, string> = {};
    for (const p of prefixes) out[p] = await predictor.predict(p, params, vocab, { numPreds: options.numPreds ?? 50 });
    return out;
  };

  let params = initialParams;
  let epoch = options.startEpoch ?? 0;
  let last: EpochResult | undefined;
  let totalTokens = 0;
  let totalSeconds = 0;
  const history: { epoch: number; perplexity: number }[] = [];
  let status: TrainResult['status'] = 'completed';
  try {
    while (epoch < options.numEpochs) {
      try {
        last = await trainEpoch(step, params, data, {
          mode,
          lr: options.lr,
          numHiddens,
          epoch: epoch + 1,
          signal: options.signal,
          lastGoodParams: params,
        });
      } catch (err) {
        if (err instanceof TrainingAborted) {
          status = 'interrupted';
          break;
        }
        throw err;
      }
      epoch++;
      params = last.params;
      totalTokens += last.tokens;
      totalSeconds += last.seconds;
      history.push({ epoch, perplexity: last.perplexity });
      const report = epoch % every === 0 || epoch === options.numEpochs;
      await options.onEpoch?.({
        epoch,
        numEpochs: options.numEpochs,
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

/** Perplexity from a mean cross-entropy (nats per token): exp(loss). 1 is perfect; V is a uniform guess. */
export function perplexity(meanLoss: number): number {
  return Math.exp(meanLoss);
}
