/**
 * `@rnn-scratch/core/node`: the Node-only part of core, which reads and writes files.
 *
 * Everything else in core is browser-safe and takes the text as a string; these helpers read
 * The Time Machine (bundled with the package at `data/timemachine.txt`) or any other UTF-8 file, check it,
 * and hand the text to the same functions. Checkpoint folders are saved and loaded here too
 * (`saveCheckpoint`, `loadCheckpoint`, `checkOutDir`: see `checkpoint.ts`).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { DataError } from '../data/data-error.js';
import { TIME_MACHINE_SHA256, loadCorpusTimeMachine, type Corpus } from '../data/corpus.js';
import { preprocess, type Preprocessing } from '../data/preprocess.js';
import {
  DEFAULT_MAX_TOKENS,
  loadDataTimeMachine,
  type LoadDataOptions,
  type SeqDataLoader,
} from '../data/seq-data-loader.js';
import type { Vocab } from '../data/vocab.js';

export {
  CHECKPOINT_NEXT_PARAMS_FILE,
  CheckpointDirError,
  CheckpointWriteError,
  SAVE_STEPS,
  checkOutDir,
  isCheckpointWriteError,
  loadCheckpoint,
  saveCheckpoint,
  type CheckOutDirOptions,
  type CheckpointDirErrorCode,
  type CheckpointWriteErrorCode,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
  type SaveStep,
} from './checkpoint.js';

export { TIME_MACHINE_SHA256 };

/**
 * Absolute path of the bundled corpus. The compiled module is `<package>/dist/node/index.js` (and the source
 * is `<package>/src/node/index.ts`), so the file is two folders up, in `<package>/data/`.
 */
export function bundledCorpusPath(): string {
  return fileURLToPath(new URL('../../data/timemachine.txt', import.meta.url));
}

/** Read a file's bytes, turning file-system errors into one-line DataErrors that name the path. */
function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('FILE_NOT_FOUND', `corpus file not found: ${path}`);
    if (code === 'EISDIR') throw new DataError('FILE_UNREADABLE', `cannot read corpus file ${path}: it is a directory`);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new DataError('FILE_UNREADABLE', `cannot read corpus file ${path}: permission denied`);
    }
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new DataError('FILE_UNREADABLE', `cannot read corpus file ${path}: ${reason}`);
  }
}

/**
 * Read a corpus file as UTF-8 text. Throws a DataError: 'FILE_NOT_FOUND', 'FILE_UNREADABLE' (a directory,
 * no permission, or bytes that are not valid UTF-8) or 'EMPTY_CORPUS' (a 0-byte file).
 */
export function readCorpusFile(path: string): string {
  const bytes = readBytes(path);
  if (bytes.length === 0) throw new DataError('EMPTY_CORPUS', `corpus file is empty: ${path}`);
  try {
    // fatal: reject invalid UTF-8 instead of silently inserting U+FFFD (Python's open() would raise too).
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError('FILE_UNREADABLE', `cannot read corpus file ${path}: it is not valid UTF-8 text`);
  }
}

/** The raw text of The Time Machine (or of `path`, when given). */
export function readTimeMachineText(path: string = bundledCorpusPath()): string {
  return readCorpusFile(path);
}

/**
 * d2l's `read_time_machine()`: the preprocessed lines of the bundled book (or of `path`).
 * 3,221 lines, 373 of them empty; `lines[0]` is `the time machine by h g wells`.
 */
export function readTimeMachine(path: string = bundledCorpusPath(), preprocessing: Preprocessing = 'book'): string[] {
  return preprocess(readCorpusFile(path), preprocessing);
}

/** Hex sha256 of some bytes or of a string's UTF-8 encoding. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The result of `checkTimeMachineSha256`. */
export interface Sha256Check {
  path: string;
  sha256: string;
  expected: string;
  /** True when the file is byte-identical to d2l's timemachine.txt. */
  ok: boolean;
}

/**
 * Hash a corpus file and compare it with d2l's timemachine.txt (the Project Gutenberg edition, with a BOM and
 * a licence, is a DIFFERENT file and gives different numbers). Throws the same DataErrors as `readCorpusFile`.
 */
export function checkTimeMachineSha256(path: string = bundledCorpusPath()): Sha256Check {
  const sha256 = sha256Hex(readBytes(path));
  return { path, sha256, expected: TIME_MACHINE_SHA256, ok: sha256 === TIME_MACHINE_SHA256 };
}

export interface FileCorpusOptions {
  /** The corpus file; default: the bundled timemachine.txt. */
  path?: string;
  preprocess?: Preprocessing;
}

/** d2l's `load_corpus_time_machine(max_tokens)`, reading the bundled book (or `options.path`). */
export function loadCorpusTimeMachineFromFile(maxTokens = -1, options: FileCorpusOptions = {}): Corpus {
  const path = options.path ?? bundledCorpusPath();
  return loadCorpusTimeMachine(readCorpusFile(path), maxTokens, { preprocess: options.preprocess, source: path });
}

/**
 * d2l's `load_data_time_machine(batch_size, num_steps, use_random_iter=False, max_tokens=10000)`, reading the
 * bundled book (or `options.path`): `const [trainIter, vocab] = loadDataTimeMachineFromFile(32, 35)`.
 */
export function loadDataTimeMachineFromFile(
  batchSize: number,
  numSteps: number,
  useRandomIter = false,
  maxTokens = DEFAULT_MAX_TOKENS,
  options: LoadDataOptions & { path?: string } = {},
): [SeqDataLoader, Vocab] {
  const { path = bundledCorpusPath(), ...rest } = options;
  return loadDataTimeMachine(readCorpusFile(path), batchSize, numSteps, useRandomIter, maxTokens, {
    source: path,
    ...rest,
  });
}

export { type WorkerOptions, compileInWorker, workerStepCompiler } from './worker-step.js';
