/**
 * Running a sweep's runs on this machine: each run is `rnn-scratch train` in a child process of its own
 * (one thread, `--json`, its folder under the sweep folder), `jobs` of them at once. A run with a checkpoint
 * in its folder continues from it (`--resume`); one whose checkpoint says it completed or diverged is not
 * run again. The children are in process groups of their own, so a Ctrl-C at the terminal reaches the sweep
 * only, which passes it on to each child once: each saves its last completed epoch and stops.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHECKPOINT_META_FILE, firstLine, type CheckpointMeta } from '@rnn-scratch/core';
import { loadCheckpoint } from '@rnn-scratch/core/node';

import { EXIT_DIVERGED, EXIT_INTERRUPTED } from '../errors.js';
import type { RunResult, RunStatus, SweepRunEntry } from './manifest.js';

/** The script that runs the CLI in a child process which stops when its parent dies. */
export const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));
/** Tells child.ts what to do when its parent dies (`stop` or `exit`); set by `startRun` only. */
export const ORPHANED_ENV = 'RNN_SCRATCH_RUN_ORPHANED';

/** How a run's process ended, and what it printed. */
export interface RunExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Start `rnn-scratch <args>` as a run's process: in a process group of its own (a Ctrl-C at the terminal
 * reaches only its parent, which passes it on), watching its parent through an IPC channel (see child.ts).
 * `orphaned` says what it does when its parent dies: `stop` saves the last completed epoch (a sweep's folder
 * is worth keeping), `exit` ends at once (a worker's folder is temporary: its checkpoints went to Redis).
 */
export function startRun(
  args: readonly string[],
  orphaned: 'stop' | 'exit' = 'stop',
): { child: ChildProcess; ended: Promise<RunExit> } {
  const child = spawn(process.execPath, [CHILD_SCRIPT, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, [ORPHANED_ENV]: orphaned },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<RunExit>((resolve) => {
    child.on('error', (err) => {
      stderr += `rnn-scratch: cannot start the run: ${firstLine(err)}\n`;
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, ended };
}

/** How one attempt at a run ended. */
export interface Outcome {
  readonly status: Extract<RunStatus, 'completed' | 'diverged' | 'failed' | 'interrupted'>;
  readonly result?: RunResult;
  /** train's one-line message (without `rnn-scratch: `), when it did not complete. */
  readonly error?: string;
  readonly exitCode?: number;
  /** Wall seconds of the attempt (0 when nothing had to run). */
  readonly seconds: number;
  /** For an interrupted run: the epoch of the checkpoint it stopped at. */
  readonly savedEpoch?: number;
  /** What else to say about how it ended (e.g. that it goes on on a worker). */
  readonly note?: string;
  /** Interrupted here but still training elsewhere (on a worker): the next --resume collects it. */
  readonly detached?: boolean;
  /** Through a queue: when it was enqueued, taken, trained and saved. */
  readonly timing?: QueueTiming;
}

/** The times of a run through a queue (ms since the epoch, and seconds). */
export interface QueueTiming {
  /** The worker that trained it (`host/pid`). */
  readonly worker: string;
  readonly enqueuedAt: number;
  /** When its last worker took it. */
  readonly startedAt: number;
  /** Wall seconds of the worker's train process, and when it ended. */
  readonly trainSeconds: number;
  readonly trainEndedAt: number;
  /** When its worker reported the result, and when the sweep had saved it. */
  readonly finishedAt: number;
  readonly savedAt: number;
}

/** Runs a sweep's runs: locally in child processes, or through a queue. */
export interface Executor {
  /** How many runs may be in progress at once. */
  readonly limit: number;
  /** How the runs are run, for the sweep's first line: `2 at a time`, `through the queue ...`. */
  plan(runs: number): string;
  /**
   * Bring one run to an end: a result, a failure, or interrupted. Never throws for the run's own failure.
   * `onStart` is called when it starts, with the epoch of the checkpoint it continues from (none for a new run)
   * and where it runs (a queue's worker); again when it moves to another worker.
   */
  run(entry: SweepRunEntry, onStart: (fromEpoch: number | undefined, where?: string) => void): Promise<Outcome>;
  /** Ctrl-C (the `count`th time): stop the runs in progress, keeping what they did. */
  interrupt(count: number): void;
}

/** A run's result from train's `--json` summary. */
export function resultOfSummary(summary: Record<string, unknown>): RunResult {
  const history = Array.isArray(summary.history) ? (summary.history as Record<string, number>[]) : [];
  return {
    perplexity: typeof summary.perplexity === 'number' ? summary.perplexity : null,
    ...(typeof summary.validPerplexity === 'number' ? { validPerplexity: summary.validPerplexity } : {}),
    epoch: typeof summary.epoch === 'number' ? summary.epoch : (history.at(-1)?.epoch ?? 0),
    backend: String(summary.backend),
    ...(typeof summary.tokensPerSec === 'number' ? { tokensPerSec: summary.tokensPerSec } : {}),
    history,
  };
}

/** A run's result from its checkpoint: the last epoch's perplexities (the last good one's after a divergence). */
export function resultOfCheckpoint(meta: CheckpointMeta): RunResult {
  const history = meta.history.map((point) => ({ ...point }));
  const last = meta.history.at(-1);
  return {
    perplexity: last?.perplexity ?? null,
    ...(typeof last?.validPerplexity === 'number' ? { validPerplexity: last.validPerplexity } : {}),
    epoch: meta.epoch,
    backend: meta.backend,
    history,
  };
}

/** The checkpoint in a run's folder, or undefined when it has none (or one that does not load). */
export function folderCheckpoint(folder: string): CheckpointMeta | undefined {
  if (!existsSync(join(folder, CHECKPOINT_META_FILE))) return undefined;
  try {
    return loadCheckpoint(folder).meta;
  } catch {
    return undefined;
  }
}

/** The last `rnn-scratch: ...` line a run printed to stderr, without the prefix. */
export function errorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('rnn-scratch: ') && !l.startsWith('rnn-scratch: note:'));
  return lines.at(-1)?.slice('rnn-scratch: '.length);
}

export class LocalExecutor implements Executor {
  private readonly children = new Set<ChildProcess>();
  private interrupted = false;

  constructor(
    /** The sweep folder. */
    private readonly dir: string,
    readonly limit: number,
  ) {}

  async run(entry: SweepRunEntry, onStart: (fromEpoch: number | undefined) => void): Promise<Outcome> {
    const folder = join(this.dir, entry.name);
    const saved = existsSync(join(folder, CHECKPOINT_META_FILE)) ? folderCheckpoint(folder) : undefined;
    if (saved?.status === 'completed') return { status: 'completed', result: resultOfCheckpoint(saved), seconds: 0 };
    if (saved?.status === 'diverged') {
      return { status: 'diverged', result: resultOfCheckpoint(saved), error: entry.error, seconds: 0 };
    }
    const resume = existsSync(join(folder, CHECKPOINT_META_FILE));
    const args = ['train', ...entry.args, '--threads', '1', '--json', ...(resume ? ['--resume'] : ['--out']), folder];
    onStart(resume ? (saved?.epoch ?? 0) : undefined);
    const started = performance.now();
    const run = startRun(args);
    this.children.add(run.child);
    const { code, signal, stdout, stderr } = await run.ended;
    this.children.delete(run.child);
    const seconds = (performance.now() - started) / 1000;
    const message = errorLine(stderr);
    if (code === 0) {
      try {
        return { status: 'completed', result: resultOfSummary(JSON.parse(stdout) as Record<string, unknown>), seconds };
      } catch (err) {
        return { status: 'failed', error: `train printed no JSON summary (${firstLine(err)})`, exitCode: 0, seconds };
      }
    }
    if (code === EXIT_DIVERGED) {
      const meta = folderCheckpoint(folder);
      return { status: 'diverged', result: meta && resultOfCheckpoint(meta), error: message, exitCode: code, seconds };
    }
    if (this.interrupted && (code === EXIT_INTERRUPTED || signal === 'SIGINT')) {
      const savedEpoch = folderCheckpoint(folder)?.epoch;
      return { status: 'interrupted', error: message, exitCode: code ?? EXIT_INTERRUPTED, seconds, savedEpoch };
    }
    const why = message ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
    return { status: 'failed', error: why, exitCode: code ?? 128, seconds };
  }

  plan(runs: number): string {
    return `${Math.min(this.limit, runs)} at a time`;
  }

  interrupt(): void {
    this.interrupted = true;
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGINT');
  }
}
