/**
 * `rnn-scratch sweep`: a grid of training runs (d2l 8.5, exercise 2: how do the hyperparameters change the
 * perplexity?). Each run is `rnn-scratch train` in a child process with one thread, `--jobs` at a time, its
 * checkpoint folder under the sweep folder; `sweep.json` records the grid and each run's status, so the sweep
 * continues where it stopped (`--resume DIR`, or the same command with the same `--out`). At the end: the runs
 * ranked by held-out perplexity (by training perplexity when none has one) on stdout, in `results.json` and in
 * `results.svg`.
 */

import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

import { firstLine } from '@rnn-scratch/core';

import { UsageError, type FlagSpec, type FlagValues } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { CliError, EXIT_DATA } from '../errors.js';
import {
  expandRuns,
  parseGrid,
  passThroughArgs,
  passThroughSpecs,
  refusedSpecs,
  type GridAxis,
} from '../sweep/grid.js';
import { QueueExecutor } from '../queue/executor.js';
import { connectRedis } from '../queue/redis.js';
import { parseQueueUrl, queueUrlProblem } from '../queue/url.js';
import { LocalExecutor } from '../sweep/local.js';
import { holdsSweep, isNewFolder, loadManifest, newManifest, type SweepManifest } from '../sweep/manifest.js';
import { runSweep } from '../sweep/run.js';
import { trainCommand } from './train.js';

const ownFlags = [
  {
    name: 'grid',
    type: 'strings',
    placeholder: 'KEY=V1,V2,...',
    help: 'a train flag and its values, e.g. lr=0.5,1,2 (repeat for more keys; the runs are every combination)',
  },
  {
    name: 'jobs',
    short: 'j',
    type: 'int',
    min: 1,
    help: 'runs at once, each a process with one thread',
    defaultLabel: 'the number of cores',
  },
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    help: 'the sweep folder: sweep.json, results.json, results.svg and a checkpoint folder per run; a folder that holds this sweep continues it',
    defaultLabel: 'sweeps/<date>T<time>',
  },
  {
    name: 'resume',
    type: 'string',
    placeholder: 'DIR',
    help: 'continue the sweep in DIR (its grid and flags are in DIR/sweep.json): finished runs are kept, stopped ones continue from their checkpoints',
  },
  {
    name: 'queue',
    type: 'string',
    placeholder: 'URL',
    help: 'instead of local processes, put the runs on this queue for `rnn-scratch worker`s: redis://[:PASSWORD@]HOST:PORT/NAME, or rediss:// for TLS (the password may also be in RNN_SCRATCH_QUEUE_PASSWORD)',
    validate: queueUrlProblem,
  },
  {
    name: 'json',
    type: 'boolean',
    help: 'print the results as one JSON object (as in results.json) instead of a table',
  },
] as const satisfies readonly FlagSpec[];

type SweepFlags = FlagValues<typeof ownFlags> & Record<string, unknown>;

const trainFlags = trainCommand.flags;
const passThrough = passThroughSpecs(trainFlags);

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'train a grid of runs (e.g. --grid lr=0.5,1,2 --grid num-hiddens=128,256) and rank them by perplexity',
  description: [
    'Trains every combination of the --grid values, each run as its own `rnn-scratch train` process on one',
    'thread, --jobs of them at once. Grid keys are train flags (without the dashes); train flags given to the',
    "sweep (all the options below --json) go to every run; each run gets --seed (the book's, unless given).",
    '',
    'Each run has a checkpoint folder named after its settings (lr=0.5,num-hiddens=128) under the sweep folder.',
    'sweep.json records the grid and every run; a sweep that stopped (Ctrl-C, a crash) continues with',
    '--resume DIR, or with the same command and --out DIR: finished runs are not run again, stopped runs',
    'continue from their checkpoints. A run that diverges is a result (marked diverged); a run that fails is',
    'marked failed with its reason, the others go on, and the sweep exits with 8 (a resumed sweep retries it).',
    '',
    'At the end the runs are ranked by held-out perplexity (training perplexity when no run has one; the table',
    'says which), printed as a table and written to results.json and results.svg in the sweep folder.',
    '',
    'With --queue redis://HOST:PORT/NAME the runs go to a Redis queue instead, one job per run (its flags, seed',
    'included), trained by `rnn-scratch worker`s on any machines; the sweep waits, copies each checkpoint a worker',
    'stores into the run folder and writes the results as a local sweep does. A run whose worker dies continues',
    "from its last checkpoint on another worker. --resume DIR uses the sweep's queue again (the password from",
    'RNN_SCRATCH_QUEUE_PASSWORD); a run is never enqueued twice. Redis that cannot be reached: exit code 9.',
    '',
    'Examples:',
    '  rnn-scratch sweep --grid lr=0.5,1,2 --grid num-hiddens=128,256,512 --epochs 200',
    '  rnn-scratch sweep --grid cell=rnn,gru,lstm --grid seed=0,1 --num-hiddens 256 --jobs 2 --out sweeps/cells',
    '  rnn-scratch sweep --resume sweeps/cells',
    '  rnn-scratch sweep --grid lr=0.5,1,2 --valid-tokens 10000 --queue redis://127.0.0.1:6379/sweeps',
  ].join('\n'),
  flags: [...ownFlags, ...passThrough, ...refusedSpecs(trainFlags, ownFlags)],
  async run(flags, io) {
    const options = flags as SweepFlags;
    if (options.queue !== undefined && options.jobs !== undefined) {
      throw new UsageError(
        '--jobs runs processes on this machine; with --queue, each worker says how many runs it trains at once (rnn-scratch worker --jobs N)',
      );
    }
    const { dir, manifest } = openSweep(options);
    const queue = options.queue ?? (options.jobs === undefined ? recordedQueue(manifest) : undefined);
    if (queue === undefined) {
      createFolder(dir);
      const executor = new LocalExecutor(dir, options.jobs ?? availableParallelism());
      return runSweep(dir, manifest, executor, { json: options.json, io });
    }
    return sweepThroughQueue(dir, manifest, queue, options.json, io);
  },
};

/**
 * The queue a resumed sweep ran through (its address as sweep.json records it, without the password, which
 * then comes from RNN_SCRATCH_QUEUE_PASSWORD), so that `--resume DIR` collects the runs its workers trained.
 */
function recordedQueue(manifest: SweepManifest): string | undefined {
  return manifest.queue?.replace(':***@', '@').replace('//@', '//');
}

/** The sweep's runs as jobs on a queue: nothing is created or enqueued before Redis has answered. */
async function sweepThroughQueue(
  dir: string,
  manifest: SweepManifest,
  queue: string,
  json: boolean,
  io: CommandContext,
): Promise<number> {
  const target = parseQueueUrl(queue);
  const redis = await connectRedis(target, true);
  try {
    createFolder(dir);
    manifest.queue = target.shown;
    const note = (line: string) => io.stderr.write(`${line}\n`);
    const executor = await QueueExecutor.open(dir, manifest, target, redis, fileFlags, note);
    try {
      return await runSweep(dir, manifest, executor, { json, io });
    } finally {
      await executor.close();
    }
  } finally {
    redis.disconnect();
  }
}

/** Train's flags whose values are files (`--corpus FILE`): a queued run ships them to its worker. */
const fileFlags = trainFlags.filter((spec) => spec.placeholder === 'FILE').map((spec) => spec.name);

/** Create the sweep folder (a folder that cannot be made is exit code 3). */
function createFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CliError(EXIT_DATA, `--out ${dir} cannot be created: ${firstLine(err)}; give another --out`, {
      cause: err,
    });
  }
}

/** The sweep folder and its manifest: resumed, continued (same grid and flags in --out), or new. */
function openSweep(options: SweepFlags): { dir: string; manifest: SweepManifest } {
  const given = passThroughArgs(options, passThrough, []);
  if (options.resume !== undefined) {
    if (options.grid.length > 0 || given.length > 0) {
      const what = options.grid.length > 0 ? `--grid ${options.grid[0]}` : given[0];
      throw new UsageError(
        `${what} cannot be given with --resume: the sweep's grid and flags are in ${join(options.resume, 'sweep.json')}`,
      );
    }
    if (options.out !== undefined && resolve(options.out) !== resolve(options.resume)) {
      throw new UsageError(`--out ${options.out} and --resume ${options.resume} name two folders; give only --resume`);
    }
    return { dir: options.resume, manifest: loadManifest(options.resume) };
  }
  if (options.grid.length === 0) {
    throw new UsageError(
      "give the grid with --grid KEY=V1,V2,... (for example --grid lr=0.5,1,2), or --resume DIR (see 'rnn-scratch sweep --help')",
    );
  }
  const axes = parseGrid(options.grid, passThrough);
  const args = passThroughArgs(options, passThrough, axes);
  const dir = options.out ?? defaultOutDir();
  if (holdsSweep(dir)) {
    const manifest = loadManifest(dir);
    if (!sameSweep(manifest, axes, args)) {
      throw new UsageError(
        `--out ${dir} holds a sweep with another grid or other flags (${describe(manifest.grid, manifest.args)}); continue it with --resume ${dir}, or give another --out`,
      );
    }
    return { dir, manifest };
  }
  if (!isNewFolder(dir)) {
    throw new UsageError(`--out ${dir} is a file or a folder that holds other files; give a new or empty folder`);
  }
  return { dir, manifest: newManifest(axes, args, expandRuns(axes, args)) };
}

function sameSweep(manifest: SweepManifest, axes: readonly GridAxis[], args: readonly string[]): boolean {
  return JSON.stringify([manifest.grid, manifest.args]) === JSON.stringify([axes, args]);
}

function describe(axes: readonly GridAxis[], args: readonly string[]): string {
  return [...axes.map((a) => `--grid ${a.key}=${a.values.join(',')}`), ...args].join(' ');
}

/** A new folder under sweeps/ named after the current time. */
function defaultOutDir(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, '');
  let dir = `sweeps/${stamp}`;
  for (let k = 2; !isNewFolder(dir); k++) dir = `sweeps/${stamp}-${k}`;
  return dir;
}
