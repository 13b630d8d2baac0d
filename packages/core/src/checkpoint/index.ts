/**
 * Training checkpoints, browser-safe: the bytes and the JSON, no file system.
 *
 * A checkpoint is a folder of two files (the CLI writes them; a browser app can offer them as downloads):
 * - `params.safetensors`: the parameters under the book's names (`W_xh, W_hh, b_h, W_hq, b_q` for the RNN;
 *   see `paramShapes` for the GRU, the LSTM and stacked layers) as float32, readable by the `safetensors`
 *   library (PyTorch, NumPy, JAX...).
 * - `checkpoint.json`: everything else needed to continue the run EXACTLY (`CheckpointMeta`): the
 *   vocabulary, the hyperparameters, the corpus' sha256, the number of epochs done, the state of the data
 *   PRNG at the end of that epoch, the seed, the backend and the perplexity history.
 *
 * `decodeCheckpointMeta` and `decodeCheckpointParams` check everything they read and throw a
 * `CheckpointError` with a one-line message that says what is wrong with which file.
 */

import { PREPROCESSING_CHOICES, type Preprocessing } from '../data/preprocess.js';
import { UNK_TOKEN } from '../data/vocab.js';
import type { HostTensor } from '../ir/dtype.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { ACTIVATION_CHOICES, type Activation, CELL_CHOICES, type CellName, type Params } from '../nn/cell.js';
import { INIT_CHOICES, type Init, type ModelSpec, paramShapes } from '../nn/model.js';
import { BPTT_CHOICES, type Bptt, type HistoryPoint, SAMPLER_CHOICES, type Sampler } from '../train/train-loop.js';

/** The `format` field of every checkpoint.json. */
export const CHECKPOINT_FORMAT = 'rnn-scratch-checkpoint';
/** The layout version this code writes and reads. Bump it when a field changes meaning. */
export const CHECKPOINT_VERSION = 1;
/** File names inside a checkpoint folder. */
export const CHECKPOINT_META_FILE = 'checkpoint.json';
export const CHECKPOINT_PARAMS_FILE = 'params.safetensors';

export type CheckpointErrorCode =
  /** The folder or one of its files does not exist. */
  | 'NOT_FOUND'
  /** A file is not valid JSON / safetensors, or is truncated. */
  | 'CORRUPT'
  /** Written by another format version (or not a checkpoint at all). */
  | 'VERSION'
  /** A field is missing or has the wrong type or range. */
  | 'INVALID'
  /** The parameters do not have the shapes the hyperparameters and vocabulary say. */
  | 'SHAPE'
  /** The corpus given to resume a run is not the text (or gives another vocabulary than) it was trained on. */
  | 'MISMATCH';

/** Something is wrong with a checkpoint. The CLI prints the one-line message and exits with code 4. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly code: CheckpointErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Is `value` a CheckpointError (also one from another copy of this package)? */
export function isCheckpointError(value: unknown): value is CheckpointError {
  return value instanceof CheckpointError || (value instanceof Error && value.name === 'CheckpointError');
}

export interface CheckpointHyperparameters {
  /** The cell (a checkpoint without it is the first release's: 'rnn'). */
  readonly cell: CellName;
  /** Stacked cells (absent: 1). */
  readonly numLayers: number;
  /** How the initial parameters were drawn (absent: 'normal', the book's). */
  readonly init: Init;
  /** The RNN's nonlinearity (absent: 'tanh'). */
  readonly activation: Activation;
  /** Size of the learned input embeddings; 0 (or absent): one-hot inputs, the book's. */
  readonly embedSize: number;
  /** Where gradients stop (absent: 'minibatch', the book's `detach_`). */
  readonly bptt: Bptt;
  /** Held-out tokens taken after the training tokens (0 or absent: none). */
  readonly validTokens: number;
  /** A held-out text file, encoded with the training vocabulary (null or absent: none). */
  readonly validCorpus: string | null;
  readonly numHiddens: number;
  readonly batchSize: number;
  readonly numSteps: number;
  readonly lr: number;
  readonly theta: number;
  /** Tokens kept for training; 0 or -1 keeps all. */
  readonly maxTokens: number;
  readonly sampler: Sampler;
  /** Line preprocessing of the corpus (written as `mode` by the first release; both are read). */
  readonly preprocess: Preprocessing;
  /** The total number of epochs the run was asked for (`--epochs`). */
  readonly numEpochs: number;
}

export interface CheckpointCorpus {
  /** The corpus file, or null for the bundled timemachine.txt. */
  readonly path: string | null;
  /** sha256 (hex) of the file's bytes: a resumed run must read the same text. */
  readonly sha256: string;
  /** Tokens used for training (after maxTokens). */
  readonly tokens: number;
}

export interface CheckpointMeta {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  /** ISO time the checkpoint was written. */
  readonly createdAt: string;
  /** Epochs completed. */
  readonly epoch: number;
  /** The seed of the run (weights and data offsets are drawn from one generator seeded with it). */
  readonly seed: number;
  /** The backend that trained it, e.g. `onnx:cpu`. */
  readonly backend: string;
  readonly hyperparameters: CheckpointHyperparameters;
  readonly corpus: CheckpointCorpus;
  /** `Vocab.toJSON().idxToToken`: the token of every index, `<unk>` first. */
  readonly vocab: { readonly idxToToken: readonly string[] };
  /** `Random.getState()` of the data generator at the END of `epoch`. */
  readonly dataRngState: readonly number[];
  /** Training perplexity of every epoch so far. */
  readonly history: readonly HistoryPoint[];
  /** Why this checkpoint was written last. */
  readonly status: 'running' | 'completed' | 'interrupted' | 'diverged';
  /** Set when training diverged in the epoch after `epoch`. */
  readonly diverged?: { readonly epoch: number; readonly step: number; readonly loss: string };
}

/** The model a checkpoint holds the parameters of. */
export function checkpointModel(meta: CheckpointMeta): ModelSpec {
  const { numHiddens, cell, numLayers, activation, embedSize } = meta.hyperparameters;
  return { vocabSize: meta.vocab.idxToToken.length, numHiddens, cell, numLayers, activation, embedSize };
}

/** Serialize the metadata (pretty-printed, with a final newline). */
export function encodeCheckpointMeta(meta: CheckpointMeta): string {
  // JSON has no Infinity: a run without clipping writes theta as "inf".
  return `${JSON.stringify(meta, (key, v) => (key === 'theta' && v === Infinity ? 'inf' : v), 2)}\n`;
}

type Json = Record<string, unknown>;

/**
 * Parse and check checkpoint.json. `source` names the file in messages (e.g. `runs/a/checkpoint.json`).
 * Throws CheckpointError: CORRUPT (not JSON), VERSION (another format or version), INVALID (a bad field).
 */
export function decodeCheckpointMeta(text: string, source = CHECKPOINT_META_FILE): CheckpointMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const why = text.trim() === '' ? 'is empty' : 'is not valid JSON (truncated or corrupt?)';
    throw new CheckpointError('CORRUPT', `${source} ${why}`);
  }
  if (!isObject(raw)) throw new CheckpointError('CORRUPT', `${source} is not a JSON object`);
  if (raw.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      'VERSION',
      `${source} is not an rnn-scratch checkpoint (its "format" is not "${CHECKPOINT_FORMAT}")`,
    );
  }
  if (raw.version !== CHECKPOINT_VERSION) {
    const v = JSON.stringify(raw.version);
    const newer = typeof raw.version === 'number' && raw.version > CHECKPOINT_VERSION;
    throw new CheckpointError(
      'VERSION',
      `${source} has checkpoint format version ${v}; this rnn-scratch reads version ${CHECKPOINT_VERSION}${
        newer ? ' (it was written by a newer rnn-scratch: upgrade to read it)' : ''
      }`,
    );
  }
  const bad = (field: string, want: string): never => {
    throw new CheckpointError('INVALID', `${source}: "${field}" must be ${want}`);
  };
  const int = (o: Json, key: string, path: string, min: number): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      bad(path, min === 0 ? 'a whole number >= 0' : `an integer >= ${min}`);
    return v as number;
  };
  const num = (o: Json, key: string, path: string): number => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) bad(path, 'a number > 0');
    return v as number;
  };
  const str = (o: Json, key: string, path: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || v === '') bad(path, 'a non-empty string');
    return v as string;
  };
  const obj = (o: Json, key: string, path: string): Json => {
    const v = o[key];
    if (!isObject(v)) bad(path, 'an object');
    return v as Json;
  };

  const h = obj(raw, 'hyperparameters', 'hyperparameters');
  const sampler = h.sampler;
  if (!SAMPLER_CHOICES.includes(sampler as Sampler))
    bad('hyperparameters.sampler', `one of ${SAMPLER_CHOICES.join(', ')}`);
  const preprocessKey = 'preprocess' in h ? 'preprocess' : 'mode';
  const preprocess = h[preprocessKey];
  if (!PREPROCESSING_CHOICES.includes(preprocess as Preprocessing)) {
    bad(`hyperparameters.${preprocessKey}`, `one of ${PREPROCESSING_CHOICES.join(', ')}`);
  }
  const choice = <T extends string>(key: string, choices: readonly T[], absent: T): T => {
    const v = h[key] ?? absent;
    if (!choices.includes(v as T)) bad(`hyperparameters.${key}`, `one of ${choices.join(', ')}`);
    return v as T;
  };
  const maxTokens = h.maxTokens;
  if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens < -1)
    bad('hyperparameters.maxTokens', 'an integer >= -1');
  const hyperparameters: CheckpointHyperparameters = {
    cell: choice('cell', CELL_CHOICES, 'rnn'),
    numLayers: 'numLayers' in h ? int(h, 'numLayers', 'hyperparameters.numLayers', 1) : 1,
    init: choice('init', INIT_CHOICES, 'normal'),
    activation: choice('activation', ACTIVATION_CHOICES, 'tanh'),
    embedSize: 'embedSize' in h ? int(h, 'embedSize', 'hyperparameters.embedSize', 0) : 0,
    bptt: choice('bptt', BPTT_CHOICES, 'minibatch'),
    validTokens: 'validTokens' in h ? int(h, 'validTokens', 'hyperparameters.validTokens', 0) : 0,
    validCorpus: typeof h.validCorpus === 'string' && h.validCorpus !== '' ? h.validCorpus : null,
    numHiddens: int(h, 'numHiddens', 'hyperparameters.numHiddens', 1),
    batchSize: int(h, 'batchSize', 'hyperparameters.batchSize', 1),
    numSteps: int(h, 'numSteps', 'hyperparameters.numSteps', 1),
    lr: num(h, 'lr', 'hyperparameters.lr'),
    theta: h.theta === 'inf' ? Infinity : num(h, 'theta', 'hyperparameters.theta'),
    maxTokens: maxTokens as number,
    sampler: sampler as Sampler,
    preprocess: preprocess as Preprocessing,
    numEpochs: int(h, 'numEpochs', 'hyperparameters.numEpochs', 1),
  };

  const c = obj(raw, 'corpus', 'corpus');
  if (c.path !== null && (typeof c.path !== 'string' || c.path === ''))
    bad('corpus.path', 'a file path or null (the bundled book)');
  const sha256 = str(c, 'sha256', 'corpus.sha256');
  if (!/^[0-9a-f]{64}$/.test(sha256)) bad('corpus.sha256', 'a hex sha256');
  const corpus: CheckpointCorpus = {
    path: c.path as string | null,
    sha256,
    tokens: int(c, 'tokens', 'corpus.tokens', 1),
  };

  const v = obj(raw, 'vocab', 'vocab');
  const idxToToken = v.idxToToken;
  if (!Array.isArray(idxToToken) || idxToToken.length < 2 || !idxToToken.every((t) => typeof t === 'string')) {
    bad('vocab.idxToToken', 'an array of at least 2 strings');
  }
  const tokens = idxToToken as string[];
  if (tokens[0] !== UNK_TOKEN) bad('vocab.idxToToken', `an array that starts with '${UNK_TOKEN}'`);
  if (new Set(tokens).size !== tokens.length) bad('vocab.idxToToken', 'an array of distinct tokens');

  const state = raw.dataRngState;
  const words = Array.isArray(state) ? state.slice(0, 4) : [];
  if (
    !Array.isArray(state) ||
    (state.length !== 4 && state.length !== 5) ||
    !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) ||
    words.every((w) => w === 0) ||
    (state.length === 5 && !Number.isFinite(state[4]))
  ) {
    bad('dataRngState', 'the 4 (or 5) numbers of Random.getState()');
  }

  const epoch = int(raw, 'epoch', 'epoch', 0);
  const history = raw.history;
  if (
    !Array.isArray(history) ||
    !history.every(
      (e) =>
        isObject(e) &&
        Number.isSafeInteger(e.epoch) &&
        typeof e.perplexity === 'number' &&
        Number.isFinite(e.perplexity) &&
        (e.validPerplexity === undefined || Number.isFinite(e.validPerplexity)),
    )
  ) {
    bad('history', 'an array of {epoch, perplexity[, validPerplexity]}');
  }
  const status = raw.status;
  if (!['running', 'completed', 'interrupted', 'diverged'].includes(status as string))
    bad('status', 'running, completed, interrupted or diverged');
  const seed = raw.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) bad('seed', 'an integer');

  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
    epoch,
    seed: seed as number,
    backend: str(raw, 'backend', 'backend'),
    hyperparameters,
    corpus,
    vocab: { idxToToken: tokens },
    dataRngState: state as number[],
    history: (history as HistoryPoint[]).map(({ epoch, perplexity, validPerplexity }) =>
      validPerplexity === undefined ? { epoch, perplexity } : { epoch, perplexity, validPerplexity },
    ),
    status: status as CheckpointMeta['status'],
  };
  if (isObject(raw.diverged)) {
    const d = raw.diverged;
    return { ...meta, diverged: { epoch: Number(d.epoch), step: Number(d.step), loss: String(d.loss) } };
  }
  return meta;
}

/** The parameters as safetensors bytes (float32, in the book's order), with the run's key facts as metadata. */
export function encodeCheckpointParams(params: Params, metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(params)) {
    tensors[name] =
      t.dtype === 'float32' ? t : { dtype: 'float32', shape: [...t.shape], data: Float32Array.from(t.data) };
  }
  return encodeSafetensors(tensors, { format: 'pt', ...metadata });
}

/** The metadata params.safetensors carries: the run's key facts, readable without checkpoint.json. */
export function checkpointParamsMetadata(meta: CheckpointMeta): Record<string, string> {
  return { epoch: String(meta.epoch), backend: meta.backend, 'rnn-scratch-checkpoint': String(meta.version) };
}

/**
 * A checkpoint's two files, e.g. for a browser to offer as downloads: `checkpoint.json` (the metadata) and
 * `params.safetensors` (the parameters, with `checkpointParamsMetadata`). On disk, `saveCheckpoint`
 * (`@rnn-scratch/core/node`) writes the same bytes and seals the manifest with checksums.
 */
export function encodeCheckpointFiles(
  meta: CheckpointMeta,
  params: Params,
): { readonly [CHECKPOINT_META_FILE]: string; readonly [CHECKPOINT_PARAMS_FILE]: Uint8Array } {
  return {
    [CHECKPOINT_META_FILE]: encodeCheckpointMeta(meta),
    [CHECKPOINT_PARAMS_FILE]: encodeCheckpointParams(params, checkpointParamsMetadata(meta)),
  };
}

/**
 * Read params.safetensors and check it holds exactly the float32 parameters of the `expected` model (its
 * vocabulary size, hidden units, cell and layers). Throws CheckpointError: CORRUPT or SHAPE.
 */
export function decodeCheckpointParams(
  bytes: Uint8Array,
  expected: ModelSpec,
  source = CHECKPOINT_PARAMS_FILE,
): Params {
  let tensors: Record<string, HostTensor>;
  try {
    ({ tensors } = decodeSafetensors(bytes));
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CheckpointError('CORRUPT', `${source}: ${why}`);
  }
  const shapes = paramShapes(expected);
  const names = Object.keys(shapes);
  const out: Record<string, HostTensor> = {};
  for (const name of names) {
    const t = tensors[name];
    if (!t) throw new CheckpointError('SHAPE', `${source} has no tensor "${name}" (it needs ${names.join(', ')})`);
    if (t.dtype !== 'float32')
      throw new CheckpointError('SHAPE', `${source}: "${name}" is ${t.dtype}, expected float32`);
    const want = shapes[name];
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new CheckpointError(
        'SHAPE',
        `${source}: "${name}" has shape [${t.shape.join(', ')}] but the checkpoint's vocabulary (${expected.vocabSize}) and numHiddens (${expected.numHiddens}) need [${want.join(', ')}]`,
      );
    }
    out[name] = t;
  }
  const extra = Object.keys(tensors).filter((n) => !names.includes(n));
  if (extra.length > 0) throw new CheckpointError('SHAPE', `${source} has unexpected tensors: ${extra.join(', ')}`);
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
