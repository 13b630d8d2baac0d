// d2l `train_epoch_ch8` and `train_ch8`: the training loop, with the book's state handling.

import type { Backend, Executable } from '../backend/backend.js';
import { BOOK_DEFAULTS } from '../book-defaults.js';
import { type HostTensor, scalar } from '../ir/dtype.js';
import type { Batch, DataIterator } from '../data/seq-data-iter.js';
import type { Vocab } from '../data/vocab.js';
import type { Activation, Params } from '../nn/cell.js';
import { type InputEncoding, initState, modelOf } from '../nn/model.js';
import { Predictor } from './predict.js';
import { type TrainStepConfig, buildForward, buildTrainStep, pickParams, trainStepFeeds } from './train-step.js';
import { evaluatePerplexity } from './evaluate.js';

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

/** Where gradients stop: the book's `detach_` at every minibatch, or only at the start of the epoch. */
export type Bptt = 'minibatch' | 'epoch';
export const BPTT_CHOICES: readonly Bptt[] = ['minibatch', 'epoch'];

/** The compiled train step for a graph through `minibatches` minibatches (1 unless `bptt: 'epoch'`). */
export type StepFor = (minibatches: number) => Promise<Executable>;

export interface EpochOptions {
  readonly sampler: Sampler;
  /**
   * 'minibatch' (default, the book): the gradient stops at each minibatch's incoming state. 'epoch' (the
   * chapter's exercise 5, sequential partitioning only): minibatch i's graph runs through minibatches
   * 0..i from the epoch's zero state with the current parameters, so its gradient reaches back to the
   * start of the epoch; the graphs grow with i (one per length, from `step` as a `StepFor`).
   */
  readonly bptt?: Bptt;
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
 * (`bptt: 'epoch'` instead runs every minibatch's graph from the epoch's start; see `EpochOptions`.)
 */
export async function trainEpoch<P extends Params>(
  step: Executable | StepFor,
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
  const throughEpoch = options.bptt === 'epoch';
  if (throughEpoch && resetEveryBatch)
    throw new Error(`bptt 'epoch' needs sequential partitioning, not '${options.sampler}'`);
  const seen: Batch[] = [];
  let state: HostTensor | undefined;
  let current = params;
  let previous = params;
  let lossSum = 0;
  let tokens = 0;
  const losses: number[] = [];
  for (const batch of batches) {
    if (options.signal?.aborted) throw new TrainingAborted();
    const [batchSize, numSteps] = batch.shape;
    if (state === undefined || resetEveryBatch || throughEpoch) state = initState(model, batchSize, dtype);
    let feeds = trainStepFeeds(batch, state, current, lr);
    if (throughEpoch) feeds = { ...feeds, X: sideBySide(seen.concat(batch)) };
    if (throughEpoch) seen.push(batch);
    const exe = typeof step === 'function' ? await step(throughEpoch ? seen.length : 1) : step;
    const out = await exe.run(feeds);
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

/** Consecutive minibatches of sequential partitioning joined in time: (B, k * T), row b still one stretch of text. */
function sideBySide(batches: readonly Batch[]): HostTensor {
  const [B, T] = batches[0].shape;
  const k = batches.length;
  const X = new Int32Array(B * k * T);
  batches.forEach((batch, i) => {
    for (let b = 0; b < B; b++) X.set(batch.X.subarray(b * T, (b + 1) * T), b * k * T + i * T);
  });
  return { dtype: 'int32', shape: [B, k * T], data: X };
}

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

/** One epoch of a run's history: its training perplexity and, on report epochs with held-out data, that too. */
export interface HistoryPoint {
  readonly epoch: number;
  readonly perplexity: number;
  readonly validPerplexity?: number;
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
  /** On report epochs with `valid` data: the held-out perplexity (see `evaluatePerplexity`). */
  readonly validPerplexity?: number;
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
  /** Clipping threshold (the book: 1); Infinity: no clipping. */
  readonly theta?: number;
  readonly sampler?: Sampler;
  /** Where gradients stop (see `EpochOptions`); default 'minibatch', the book's. */
  readonly bptt?: Bptt;
  /** The RNN's nonlinearity (the parameters do not say it): 'tanh' (default) or 'relu'. */
  readonly activation?: Activation;
  /** How X_t W_xh is computed (see `buildTrainStep`). */
  readonly inputEncoding?: InputEncoding;
  /** The `batch_size` of d2l's `sgd` (the book: 1, see `sgd`). */
  readonly updateBatchSize?: number;
  /** Held-out minibatches (`heldOutBatches`), evaluated without updates on every report epoch. */
  readonly valid?: readonly Batch[];
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
  /**
   * How the train step is compiled (default: `backend.compile(buildTrainStep(config))`); e.g. a
   * `compileDataParallelStep` over worker threads (`@rnn-scratch/core/node`'s `workerStepCompiler`).
   * Not with `bptt: 'epoch'`, whose graphs grow with the minibatch index.
   */
  readonly compileStep?: (config: TrainStepConfig) => Promise<Executable>;
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
  readonly history: readonly HistoryPoint[];
  /** Predictions with the final parameters. */
  readonly predictions: Readonly<Record<string, string>>;
  /** The held-out perplexity with the final parameters, when `valid` data was given. */
  readonly validPerplexity?: number;
  /** 'interrupted' when the signal stopped training early. */
  readonly status: 'completed' | 'interrupted';
}

// #region train
/** d2l `train_ch8`: train for numEpochs, predict every `every` epochs, report the last epoch's numbers. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { data, numEpochs, lr, sampler = 'sequential', every = BOOK_DEFAULTS.every } = options;
  if (data.iterator !== iteratorFor(sampler)) {
    throw new Error(
      `train: sampler '${sampler}' needs a '${iteratorFor(sampler)}' data loader, got '${data.iterator}'`,
    );
  }
  const graphs = await TrainGraphs.compile(options);
  let params = options.params;
  let epoch = options.startEpoch ?? 0;
  let last: EpochResult | undefined;
  let totalTokens = 0;
  let totalSeconds = 0;
  const history: HistoryPoint[] = [];
  let status: TrainResult['status'] = 'completed';
  try {
    while (epoch < numEpochs) {
      try {
        const { signal, onStep, bptt } = options;
        last = await trainEpoch(graphs.stepFor, params, data, { sampler, bptt, lr, epoch: epoch + 1, signal, onStep });
      } catch (err) {
        if (!(err instanceof TrainingAborted)) throw err;
        status = 'interrupted';
        break;
      }
      epoch++;
      params = last.params;
      totalTokens += last.tokens;
      totalSeconds += last.seconds;
      const report: Partial<Report> = epoch % every === 0 || epoch === numEpochs ? await graphs.report(params) : {};
      history.push({ epoch, perplexity: last.perplexity, ...pickDefined(report, 'validPerplexity') });
      const { tokens, seconds, perplexity } = last;
      await options.onEpoch?.({
        epoch,
        numEpochs,
        perplexity,
        tokensPerSec: tokens / seconds,
        seconds,
        params,
        ...report,
      });
    }
    const final = await graphs.report(params);
    return {
      params,
      epoch,
      perplexity: last?.perplexity ?? NaN,
      tokensPerSec: last ? last.tokens / last.seconds : NaN,
      averageTokensPerSec: totalSeconds > 0 ? totalTokens / totalSeconds : NaN,
      history,
      predictions: final.predictions,
      ...pickDefined(final, 'validPerplexity'),
      status,
    };
  } finally {
    await graphs.dispose();
  }
}

/** What a report epoch adds: a prediction per prefix, and the held-out perplexity when there is held-out data. */
interface Report {
  readonly predictions: Record<string, string>;
  readonly validPerplexity?: number;
}

/**
 * The graphs `train` runs, each compiled once: the train step (one per length with `bptt: 'epoch'`), the
 * one-token prediction step, and the forward pass for held-out data.
 */
class TrainGraphs {
  private readonly steps = new Map<number, Promise<Executable>>();

  private constructor(
    private readonly options: TrainOptions,
    private readonly config: TrainStepConfig,
    private readonly predictor: Predictor,
    private readonly forward: Executable | undefined,
  ) {}

  static async compile(options: TrainOptions): Promise<TrainGraphs> {
    const { backend, data, params } = options;
    const config: TrainStepConfig = {
      ...modelOf(params),
      activation: options.activation,
      batchSize: data.batchSize,
      numSteps: data.numSteps,
      theta: options.theta ?? BOOK_DEFAULTS.theta,
      dtype: params.W_hq.dtype as 'float32' | 'float64',
      inputEncoding: options.inputEncoding,
      updateBatchSize: options.updateBatchSize,
    };
    if (options.compileStep && options.bptt === 'epoch')
      throw new Error("train: a custom train step (compileStep) runs one minibatch per step, not bptt 'epoch'");
    const predictor = await Predictor.create(backend, config);
    const forward = options.valid ? await backend.compile(buildForward(config)) : undefined;
    const graphs = new TrainGraphs(options, config, predictor, forward);
    await graphs.stepFor(1); // the book's step, compiled now: a graph that cannot run fails before training
    return graphs;
  }

  /** The train step through `minibatches` minibatches, compiled on first use. */
  readonly stepFor = (minibatches: number): Promise<Executable> => {
    let exe = this.steps.get(minibatches);
    if (!exe) {
      const { compileStep, backend } = this.options;
      exe = compileStep ? compileStep(this.config) : backend.compile(buildTrainStep({ ...this.config, minibatches }));
      this.steps.set(minibatches, exe);
    }
    return exe;
  };

  /** What a report epoch shows: a prediction per prefix and, with held-out data, its perplexity. */
  async report(params: Params): Promise<Report> {
    const { prefixes = BOOK_DEFAULTS.prefixes, numPreds = BOOK_DEFAULTS.numPreds, vocab, valid } = this.options;
    const predictions: Record<string, string> = {};
    for (const p of prefixes) predictions[p] = await this.predictor.predict(p, params, vocab, { numPreds });
    if (!this.forward || !valid) return { predictions };
    const sampler = this.options.sampler ?? 'sequential';
    return { predictions, validPerplexity: await evaluatePerplexity(this.forward, params, valid, sampler) };
  }

  async dispose(): Promise<void> {
    for (const exe of this.steps.values()) await (await exe).dispose();
    await this.predictor.dispose();
    await this.forward?.dispose();
  }
}

// #endregion train

/** `{ [key]: o[key] }` when it is defined, else `{}` (JSON-friendly optional fields). */
function pickDefined<T extends object, K extends keyof T>(o: T, key: K): Partial<Pick<T, K>> {
  return o[key] === undefined ? {} : ({ [key]: o[key] } as Partial<Pick<T, K>>);
}
