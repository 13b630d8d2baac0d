// A training run as data: the settings that fix its numbers (`RunConfig`), where it stands after its last
// completed epoch (`RunState`), and the mapping between both and a checkpoint's metadata, so that a run
// stopped at any epoch continues exactly, number for number, as if it had never stopped.
//
// One generator, seeded with `config.seed`, draws everything in a fixed order: the initial weights first,
// then each epoch's random offset (and shuffle). Its state at the end of an epoch is part of `RunState`.

import type { Backend } from '../backend/backend.js';
import { BOOK_DEFAULTS } from '../book-defaults.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  type CheckpointHyperparameters,
  type CheckpointMeta,
} from '../checkpoint/index.js';
import { SeqDataLoader } from '../data/seq-data-loader.js';
import type { Vocab } from '../data/vocab.js';
import type { Params } from '../nn/cell.js';
import { type ModelSpec, checkModel, initParams } from '../nn/model.js';
import { Random } from '../random.js';
import {
  type DivergenceError,
  type HistoryPoint,
  type TrainOptions,
  type TrainResult,
  iteratorFor,
  train,
} from './train-loop.js';
import { heldOutBatches } from './evaluate.js';
import { encodeWithVocab, loadCorpusTimeMachine } from '../data/corpus.js';
import { DataError } from '../data/data-error.js';

/** Everything that decides a run's numbers. */
export interface RunConfig extends CheckpointHyperparameters {
  /** Seeds the one generator of the run (weights, then each epoch's offsets and shuffles). */
  readonly seed: number;
}

/** The book's run (`BOOK_DEFAULTS`) with some settings changed; `undefined` entries keep the book's. */
export function runConfig(changes: Partial<RunConfig> = {}): RunConfig {
  const { every, prefixes, numPreds, ...book } = BOOK_DEFAULTS; // what prints, not what trains
  return { ...book, ...definedEntries(changes) };
}

/**
 * Settings a resumed run must keep: they decide the data, the model and its shapes. (lr, theta, numEpochs,
 * bptt and the held-out data may change.)
 */
export const FIXED_ON_RESUME = [
  'cell',
  'numLayers',
  'init',
  'activation',
  'embedSize',
  'numHiddens',
  'batchSize',
  'numSteps',
  'maxTokens',
  'sampler',
  'preprocess',
  'seed',
] as const;

/** The text a run trains on. */
export interface RunCorpus {
  readonly text: string;
  /** The file it was read from, or null for the bundled timemachine.txt. */
  readonly path: string | null;
  /** sha256 of the file's bytes: a resumed run must read the very same text. */
  readonly sha256: string;
  /** How to name it in messages (a path). */
  readonly source: string;
}

/** Where a run stands at the end of its last completed epoch: what a checkpoint holds to continue exactly. */
export interface RunState {
  readonly epoch: number;
  readonly params: Params;
  /** `Random.getState()` of the run's generator at the end of `epoch`. */
  readonly rngState: readonly number[];
  readonly history: readonly HistoryPoint[];
}

/** Text the run never trains on, as ids of its vocabulary, for the held-out perplexity (`heldOut`). */
export interface HeldOut {
  readonly ids: Int32Array;
  /** Where it came from, for messages and reports. */
  readonly source: string;
  /** Tokens that are not in the training vocabulary (read as `<unk>`). */
  readonly unknown: number;
}

export interface Run {
  readonly config: RunConfig;
  readonly corpus: RunCorpus;
  readonly rng: Random;
  readonly loader: SeqDataLoader;
  readonly vocab: Vocab;
  /** Updated by `trainRun` after every completed epoch. */
  state: RunState;
  /** Held-out text, evaluated on every report epoch (see `heldOut`). */
  valid?: HeldOut;
}

function loaderFor(config: RunConfig, corpus: RunCorpus, rng: Random): SeqDataLoader {
  const { batchSize, numSteps, maxTokens, preprocess, sampler } = config;
  return new SeqDataLoader({
    text: corpus.text,
    batchSize,
    numSteps,
    maxTokens,
    preprocess,
    iterator: iteratorFor(sampler),
    rng,
    source: corpus.source,
  });
}

/** The model a run trains: its cell, layers and sizes (the vocabulary comes from the corpus). */
export function runModel(run: Pick<Run, 'config' | 'vocab'>): ModelSpec {
  const { cell, numLayers, numHiddens, activation, embedSize } = run.config;
  return { vocabSize: run.vocab.length, numHiddens, cell, numLayers, activation, embedSize };
}

/** A run whose settings do not go together (the message names them). */
export class RunConfigError extends Error {
  override name = 'RunConfigError';
}

/** Reject settings that cannot train: a model that cannot be built, or BPTT through the epoch without sequential data. */
export function checkRunConfig(config: RunConfig, vocabSize = 2): void {
  checkModel({ vocabSize, ...config });
  if (config.bptt === 'epoch' && config.sampler !== 'sequential') {
    throw new RunConfigError(
      `bptt 'epoch' needs the sequential sampler: the '${config.sampler}' sampler resets the state at every minibatch, so there is nothing to carry a gradient through`,
    );
  }
}

/** A new run: the data loader and the book's initial weights (`getParams`), drawn from `config.seed`. */
export function startRun(config: RunConfig, corpus: RunCorpus): Run {
  checkRunConfig(config);
  const rng = new Random(config.seed);
  const loader = loaderFor(config, corpus, rng);
  const params = initParams(runModel({ config, vocab: loader.vocab }), rng, { init: config.init });
  const state = { epoch: 0, params, rngState: rng.getState(), history: [] };
  return { config, corpus, rng, loader, vocab: loader.vocab, state };
}

/**
 * Held-out text for `run`: `tokens` tokens of its corpus right after the training ones (never trained on),
 * or another `text` encoded with the run's vocabulary (unknown characters become `<unk>` and are counted).
 * Throws a DataError when there are not enough tokens for one minibatch.
 */
export function heldOut(run: Run, from: { tokens: number } | { text: string; source: string }): HeldOut {
  const { batchSize, numSteps, preprocess } = run.config;
  let held: HeldOut;
  if ('tokens' in from) {
    const all = loadCorpusTimeMachine(run.corpus.text, -1, { preprocess, source: run.corpus.source }).corpus;
    const start = run.loader.corpus.length;
    const ids = all.slice(start, start + from.tokens);
    if (ids.length < from.tokens) {
      throw new DataError(
        'CORPUS_TOO_SHORT',
        `a held-out slice of ${from.tokens} tokens: only ${ids.length} tokens of ${run.corpus.source} follow the ${start} training tokens (train on fewer tokens)`,
      );
    }
    held = { ids, source: `tokens ${start}-${start + ids.length} of ${run.corpus.source}`, unknown: 0 };
  } else {
    const encoded = encodeWithVocab(from.text, run.vocab, { preprocess, source: from.source });
    held = { ids: encoded.ids, source: from.source, unknown: encoded.unknown };
  }
  const need = batchSize * numSteps + 1;
  if (held.ids.length < need) {
    throw new DataError(
      'CORPUS_TOO_SHORT',
      `held-out text (${held.source}) has ${held.ids.length} tokens; one minibatch of ${batchSize} x ${numSteps} steps needs at least ${need}`,
    );
  }
  return held;
}

/** The first setting in `requested` that differs from the checkpoint's and must not (see FIXED_ON_RESUME). */
export function resumeConflict(
  meta: CheckpointMeta,
  requested: Partial<RunConfig>,
): { key: (typeof FIXED_ON_RESUME)[number]; given: string | number; saved: string | number } | undefined {
  const saved = runConfigOf(meta);
  for (const key of FIXED_ON_RESUME) {
    const given = requested[key];
    if (given !== undefined && given !== saved[key]) return { key, given, saved: saved[key] };
  }
  return undefined;
}

/** The run a checkpoint describes. */
export function runConfigOf(meta: CheckpointMeta): RunConfig {
  return { ...meta.hyperparameters, seed: meta.seed };
}

/**
 * Continue a checkpointed run on `corpus` (which must be the text it was trained on: same sha256, same
 * vocabulary; otherwise a CheckpointError 'MISMATCH'). `changes` may set a new lr, theta or total epochs.
 * The generator is restored to its state at the end of the checkpoint's epoch, so the next epoch draws
 * the same offset it would have drawn without the stop.
 */
export function resumeRun(
  checkpoint: { readonly meta: CheckpointMeta; readonly params: Params; readonly source: string },
  corpus: RunCorpus,
  changes: Partial<Pick<RunConfig, 'lr' | 'theta' | 'numEpochs' | 'bptt' | 'validTokens' | 'validCorpus'>> = {},
): Run {
  const { meta, params, source } = checkpoint;
  if (corpus.sha256 !== meta.corpus.sha256) {
    throw new CheckpointError(
      'MISMATCH',
      `the corpus ${corpus.source} is not the text the checkpoint ${source} was trained on ` +
        `(sha256 ${corpus.sha256.slice(0, 12)}... vs ${meta.corpus.sha256.slice(0, 12)}...)`,
    );
  }
  const config = { ...runConfigOf(meta), ...definedEntries(changes) };
  checkRunConfig(config);
  const rng = new Random(config.seed);
  const loader = loaderFor(config, corpus, rng);
  const want = meta.vocab.idxToToken;
  if (want.length !== loader.vocab.length || want.some((t, i) => t !== loader.vocab.idxToToken[i])) {
    throw new CheckpointError('MISMATCH', `the corpus gives a different vocabulary than the checkpoint ${source}`);
  }
  rng.setState(meta.dataRngState);
  const state = { epoch: meta.epoch, params, rngState: [...meta.dataRngState], history: [...meta.history] };
  return { config, corpus, rng, loader, vocab: loader.vocab, state };
}

/** What `trainRun` leaves to the caller: the backend, reporting, callbacks and the stop signal. */
export type RunTrainOptions = Omit<
  TrainOptions,
  | 'data'
  | 'vocab'
  | 'params'
  | 'numEpochs'
  | 'lr'
  | 'theta'
  | 'sampler'
  | 'startEpoch'
  | 'bptt'
  | 'activation'
  | 'valid'
>;

/**
 * Train `run` from where it stands to `config.numEpochs` (d2l `train_ch8`), keeping `run.state` at the end
 * of the last completed epoch before `onEpoch` hears of it, so a checkpoint taken there (or after an
 * interruption or a divergence) continues exactly.
 */
export async function trainRun(run: Run, options: RunTrainOptions): Promise<TrainResult> {
  const { config } = run;
  return train({
    ...options,
    data: run.loader,
    vocab: run.vocab,
    params: run.state.params,
    numEpochs: config.numEpochs,
    lr: config.lr,
    theta: config.theta,
    sampler: config.sampler,
    bptt: config.bptt,
    activation: config.activation,
    valid: run.valid && heldOutBatches(run.valid.ids, config.batchSize, config.numSteps),
    startEpoch: run.state.epoch,
    onEpoch: async (info) => {
      const { epoch, perplexity, validPerplexity } = info;
      const point = validPerplexity === undefined ? { epoch, perplexity } : { epoch, perplexity, validPerplexity };
      const history = [...run.state.history, point];
      run.state = { epoch: info.epoch, params: info.params, rngState: run.rng.getState(), history };
      await options.onEpoch?.(info);
    },
  });
}

/** The checkpoint metadata of `run` as it stands (`run.state`), written by `backend` for `status`. */
export function checkpointMetaOf(
  run: Run,
  backend: Pick<Backend, 'name' | 'device'>,
  status: CheckpointMeta['status'],
  diverged?: DivergenceError,
): CheckpointMeta {
  const { config, corpus, state } = run;
  const { seed, ...hyperparameters } = config;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    epoch: state.epoch,
    seed,
    backend: `${backend.name}:${backend.device}`,
    hyperparameters,
    corpus: { path: corpus.path, sha256: corpus.sha256, tokens: run.loader.corpus.length },
    vocab: { idxToToken: [...run.vocab.idxToToken] },
    dataRngState: [...state.rngState],
    history: [...state.history],
    status,
    ...(diverged ? { diverged: divergedField(diverged) } : {}),
  };
}

/** How a checkpoint records a divergence: the epoch, the minibatch (0 for a whole epoch) and what went bad. */
function divergedField(d: DivergenceError): NonNullable<CheckpointMeta['diverged']> {
  return { epoch: d.epoch, step: d.step ?? 0, loss: d.quantity === 'loss' ? String(d.value) : `perplexity ${d.value}` };
}

function definedEntries<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
