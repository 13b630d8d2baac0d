/**
 * Exit codes and the errors that carry them. `main.ts` turns every error into ONE line on stderr and
 * one of these codes; scripts can tell the failures apart without parsing the message.
 */

import { isCheckpointError, isDataError } from '@rnn-scratch/core';
import { isCheckpointWriteError } from '@rnn-scratch/core/node';

import { UsageError } from './args.js';

export const EXIT_OK = 0;
/** A bug: the message says so, `--debug` shows the stack trace. */
export const EXIT_UNEXPECTED = 1;
/** Unknown command or flag, a bad flag value, flags that conflict with each other or with a checkpoint. */
export const EXIT_USAGE = 2;
/**
 * Bad input data: corpus file missing, empty, without letters, too short for one minibatch; or an `--out`
 * folder that cannot be written (checked before training starts).
 */
export const EXIT_DATA = 3;
/** A checkpoint folder missing, corrupt, truncated, from another format version, or of the wrong shape. */
export const EXIT_CHECKPOINT = 4;
/** The requested backend cannot run here (not installed, no device, failed to load). */
export const EXIT_BACKEND = 5;
/** Training diverged (NaN or infinite loss); the last good checkpoint was saved. */
export const EXIT_DIVERGED = 6;
/**
 * A checkpoint could not be saved: no space left, a read-only file system, no permission. What the save
 * wrote is removed and the previous checkpoint in the folder is intact.
 */
export const EXIT_SAVE_FAILED = 7;
/**
 * A sweep finished, but some of its runs failed (the results table and results.json say why); the other runs'
 * results are kept, and resuming the sweep retries the failed runs.
 */
export const EXIT_RUNS_FAILED = 8;
/**
 * The queue of `sweep --queue` or `worker` cannot be used: Redis is not reachable, refused or lacks the
 * password, the TLS handshake failed, the connection was lost for good, or bullmq/ioredis are not installed.
 * Nothing was enqueued twice: running the command again continues.
 */
export const EXIT_QUEUE = 9;
/** `backends --check`: a conformance case failed on a backend (the report says which and why). */
export const EXIT_CHECK_FAILED = 10;
/** Interrupted with Ctrl-C (SIGINT); the last completed epoch was saved. 128 + SIGINT(2), as shells do. */
export const EXIT_INTERRUPTED = 130;

/** The table for `--help` and the README. */
export const EXIT_CODES: ReadonlyArray<readonly [number, string]> = [
  [EXIT_OK, 'success'],
  [EXIT_UNEXPECTED, 'unexpected error (a bug; --debug shows the stack trace)'],
  [EXIT_USAGE, 'usage: unknown command or flag, bad or conflicting flag value'],
  [EXIT_DATA, 'data: corpus file missing, empty, without letters, or too short; --out not writable'],
  [EXIT_CHECKPOINT, 'checkpoint: missing, corrupt, truncated, incompatible version or shape'],
  [EXIT_BACKEND, 'backend unavailable (the message says why and how to install it)'],
  [EXIT_DIVERGED, 'training diverged (NaN/Inf loss); the last good checkpoint was saved'],
  [EXIT_SAVE_FAILED, 'checkpoint not saved: no space, read-only or no permission; the previous one is intact'],
  [EXIT_RUNS_FAILED, 'sweep: some runs failed (the table says why); the others are kept, --resume retries them'],
  [EXIT_QUEUE, 'queue: Redis unreachable, password refused or missing, TLS failed, or bullmq not installed'],
  [EXIT_CHECK_FAILED, 'backends --check: a conformance case failed on a backend (the report says which)'],
  [EXIT_INTERRUPTED, 'interrupted (Ctrl-C); the last completed epoch was saved'],
];

/** An error that already knows its exit code and one-line message. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Is this the registry's "no usable backend" error (also from another copy of core)? */
export function isBackendUnavailable(err: unknown): err is Error & { statuses?: unknown[] } {
  return err instanceof Error && err.name === 'BackendUnavailableError';
}

/** Is this the registry's "malformed or unknown backend id" error (also from another copy of core)? */
export function isBackendIdError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'BackendIdError';
}

/** Which exit code an error means, and whether it is an expected failure (no "this looks like a bug" hint). */
export function classify(err: unknown): { code: number; expected: boolean } {
  if (err instanceof CliError) return { code: err.exitCode, expected: true };
  if (err instanceof UsageError) return { code: EXIT_USAGE, expected: true };
  if (err instanceof Error && err.name === 'PredictError') return { code: EXIT_USAGE, expected: true };
  if (isDataError(err)) return { code: EXIT_DATA, expected: true };
  if (isCheckpointError(err)) return { code: EXIT_CHECKPOINT, expected: true };
  if (err instanceof Error && (err.name === 'ModelError' || err.name === 'RunConfigError')) {
    return { code: EXIT_USAGE, expected: true };
  }
  if (isCheckpointWriteError(err)) return { code: EXIT_SAVE_FAILED, expected: true };
  if (isBackendUnavailable(err)) return { code: EXIT_BACKEND, expected: true };
  if (isBackendIdError(err)) return { code: EXIT_USAGE, expected: true };
  if (err instanceof Error && err.name === 'DivergenceError') return { code: EXIT_DIVERGED, expected: true };
  return { code: EXIT_UNEXPECTED, expected: false };
}
