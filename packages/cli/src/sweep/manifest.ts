/**
 * The sweep folder's manifest, `sweep.json`: the grid, the flags given to every run, and each run's status
 * and result. It is rewritten (to a temporary file, synced, then renamed over the old one) after every change,
 * so a crash leaves the previous or the new manifest, never half of one; resuming reads it back.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { firstLine } from '@rnn-scratch/core';

import { CliError, EXIT_CHECKPOINT, EXIT_DATA } from '../errors.js';
import type { GridAxis, RunSpec } from './grid.js';
import type { QueueTiming } from './local.js';

export const SWEEP_FORMAT = 'rnn-scratch-sweep';
export const SWEEP_VERSION = 1;
export const SWEEP_FILE = 'sweep.json';
export const LOCK_FILE = 'sweep.lock';

/**
 * Where a run stands. `completed` and `diverged` are results (a resumed sweep skips them); `failed`,
 * `interrupted`, `running` (the sweep died) and `pending` runs are (re)started by a resumed sweep, from their
 * checkpoint when they have one.
 */
export type RunStatus = 'pending' | 'running' | 'completed' | 'diverged' | 'failed' | 'interrupted';

/** What a finished run reports: from train's JSON summary, or from its checkpoint.json. */
export interface RunResult {
  /** Training perplexity of the last epoch (of the last good one for a diverged run; null before any). */
  readonly perplexity: number | null;
  /** Held-out perplexity of the last epoch, when the run measured one. */
  readonly validPerplexity?: number;
  /** Epochs completed. */
  readonly epoch: number;
  /** The backend that trained it, e.g. `onnx:cpu`. */
  readonly backend: string;
  /** Tokens per second of the last epoch (absent when the result was read from a checkpoint). */
  readonly tokensPerSec?: number;
  /** Perplexity of every epoch. */
  readonly history: ReadonlyArray<Readonly<Record<string, number>>>;
}

export interface SweepRunEntry extends RunSpec {
  status: RunStatus;
  result?: RunResult;
  /** Why the run failed or diverged: train's one-line message. */
  error?: string;
  /** The exit code of its last process, when it did not succeed. */
  exitCode?: number;
  /** Wall seconds of its processes, over every attempt. */
  seconds: number;
  /** How many times a process was started for it. */
  attempts: number;
  /** When its last attempt started and ended (ISO times). */
  startedAt?: string;
  endedAt?: string;
  /** Through a queue: when its last attempt was enqueued, taken, trained and saved. */
  queue?: QueueTiming;
}

export interface SweepManifest {
  readonly format: typeof SWEEP_FORMAT;
  readonly version: typeof SWEEP_VERSION;
  /** A random id of this sweep (names its jobs on a queue). */
  readonly id: string;
  readonly createdAt: string;
  updatedAt: string;
  readonly grid: readonly GridAxis[];
  /** The train flags given to every run. */
  readonly args: readonly string[];
  /** The queue it last ran through (without the password), when it did. */
  queue?: string;
  readonly runs: SweepRunEntry[];
}

export function newManifest(
  grid: readonly GridAxis[],
  args: readonly string[],
  runs: readonly RunSpec[],
): SweepManifest {
  const now = new Date().toISOString();
  return {
    format: SWEEP_FORMAT,
    version: SWEEP_VERSION,
    id: randomBytes(6).toString('hex'),
    createdAt: now,
    updatedAt: now,
    grid,
    args,
    runs: runs.map((run) => ({ ...run, status: 'pending', seconds: 0, attempts: 0 })),
  };
}

/** Is a run finished (a result a resumed sweep keeps)? */
export function isFinished(entry: SweepRunEntry): boolean {
  return entry.status === 'completed' || entry.status === 'diverged';
}

/** Write the manifest so that the file is always the old one or the new one. */
export function saveManifest(dir: string, manifest: SweepManifest): void {
  manifest.updatedAt = new Date().toISOString();
  writeAtomic(join(dir, SWEEP_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Write `data` to `path` through a synced temporary file and a rename. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(EXIT_DATA, `cannot write ${path}: ${firstLine(err)}`, { cause: err });
  }
}

/** Read a sweep folder's manifest; a missing or damaged one is a CliError with exit code 4. */
export function loadManifest(dir: string): SweepManifest {
  const path = join(dir, SWEEP_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CliError(
      EXIT_CHECKPOINT,
      existsSync(dir) ? `${dir} is not a sweep folder: it has no ${SWEEP_FILE}` : `sweep folder not found: ${dir}`,
    );
  }
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(text) as SweepManifest;
  } catch (err) {
    throw new CliError(EXIT_CHECKPOINT, `${path} is corrupt: ${firstLine(err)}`);
  }
  if (manifest?.format !== SWEEP_FORMAT || manifest.version !== SWEEP_VERSION || !Array.isArray(manifest.runs)) {
    throw new CliError(
      EXIT_CHECKPOINT,
      `${path} is not a sweep manifest of version ${SWEEP_VERSION} (format '${String(manifest?.format)}', version ${String(manifest?.version)})`,
    );
  }
  return manifest;
}

/** Does `dir` hold a sweep (a manifest)? */
export function holdsSweep(dir: string): boolean {
  return existsSync(join(dir, SWEEP_FILE));
}

/** Is `dir` missing, or an empty folder? */
export function isNewFolder(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return true;
  }
  return readdirSync(dir).length === 0;
}

/**
 * Take the sweep folder's lock (`sweep.lock`: pid and host), so two sweeps never run in one folder. A lock
 * left by a process that is gone is taken over. Returns the function that releases it.
 */
export function lockSweep(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, mine);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CliError(EXIT_DATA, `cannot lock the sweep folder ${dir}: ${firstLine(err)}`, { cause: err });
      }
    }
    const [pid, host] = readFileSync(path, 'utf8').trim().split(' ');
    if (host === hostname() && isAlive(Number(pid))) {
      throw new CliError(
        EXIT_DATA,
        `the sweep folder ${dir} is in use by another sweep (process ${pid}); wait for it to finish, or stop it first`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new CliError(EXIT_DATA, `cannot lock the sweep folder ${dir}: another sweep took it at the same moment`);
}

function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
