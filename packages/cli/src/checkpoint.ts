/**
 * Checkpoint folders as the command line sees them. `@rnn-scratch/core/node` saves and loads them (a
 * commit protocol that leaves a loadable checkpoint in the folder at every moment, see its `checkpoint.ts`);
 * this module words the `--out` checks for the flags and turns a failed save into the CLI's exit code 7.
 *
 * Test hook: with `RNN_SCRATCH_SAVE_PAUSE_MS=N` in the environment, every save prints
 * `rnn-scratch: save step <step>` to stderr after each of its steps (tidy, params, files, manifest, commit,
 * rename) and then pauses N ms, so that a test can kill the process between any two steps.
 */

import { writeSync } from 'node:fs';

import type { CheckpointMeta, Params } from '@rnn-scratch/core';
import {
  checkOutDir as checkFolder,
  isCheckpointWriteError,
  saveCheckpoint as saveFolder,
  type CheckpointDirError,
  type SaveStep,
} from '@rnn-scratch/core/node';

import { UsageError } from './args.js';
import { CliError, EXIT_DATA, EXIT_SAVE_FAILED } from './errors.js';

export { loadCheckpoint, type LoadedCheckpoint } from '@rnn-scratch/core/node';

/**
 * Refuse, before training, an `--out` folder that a checkpoint must not go into (a file, a folder with
 * other files, another run's checkpoint: usage errors) or cannot go into (a read-only or unwritable file
 * system, or one without `bytesNeeded` free: exit code 3).
 */
export function checkOutDir(out: string, resuming?: string, bytesNeeded?: number): void {
  try {
    checkFolder(out, { resuming, bytesNeeded });
  } catch (err) {
    if (err instanceof Error && err.name === 'CheckpointDirError') {
      switch ((err as CheckpointDirError).code) {
        case 'NOT_A_FOLDER':
          throw new UsageError(`--out ${out}: ${err.message}; give a folder for the checkpoint`);
        case 'NOT_EMPTY':
          throw new UsageError(
            `--out ${out} is a folder that holds other files; give a new or empty folder for the checkpoint`,
          );
        case 'HOLDS_CHECKPOINT':
          throw new UsageError(
            `--out ${out} already holds a checkpoint; continue it with --resume ${out}, or give another --out`,
          );
      }
    }
    if (isCheckpointWriteError(err)) {
      throw new CliError(EXIT_DATA, `--out ${out} cannot take checkpoints: ${err.reason}; give another --out`, {
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Save a checkpoint into `dir` with `files` beside it. A failed save (no space, read-only, no permission) is
 * a CliError with exit code 7 that says what happened and that the previous checkpoint is intact.
 */
export function saveCheckpoint(
  dir: string,
  meta: CheckpointMeta,
  params: Params,
  files: Readonly<Record<string, string | Uint8Array>> = {},
): void {
  try {
    saveFolder(dir, meta, params, { files, onStep: pauseHook() });
  } catch (err) {
    if (!isCheckpointWriteError(err)) throw err;
    const resume = err.previousEpoch !== undefined ? ` (continue it with: rnn-scratch train --resume ${dir})` : '';
    throw new CliError(EXIT_SAVE_FAILED, `${err.message}${resume}`, { cause: err });
  }
}

/** The test hook described at the top, or undefined when RNN_SCRATCH_SAVE_PAUSE_MS is not set. */
function pauseHook(): ((step: SaveStep) => void) | undefined {
  const value = process.env.RNN_SCRATCH_SAVE_PAUSE_MS;
  const ms = Number(value);
  if (!value || !Number.isFinite(ms) || ms < 0) return undefined;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return (step) => {
    writeSync(2, `rnn-scratch: save step ${step}\n`);
    Atomics.wait(cell, 0, 0, ms);
  };
}
