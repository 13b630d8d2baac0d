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
import { CliError, EXIT_DATA, EXIT_INTERRUPTED, EXIT_RUNS_FAILED } from '../errors.js';
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
import { LocalExecutor, type Executor } from '../sweep/local.js';
import {
  holdsSweep,
  isFinished,
  isNewFolder,
  loadManifest,
  lockSweep,
  newManifest,
  saveManifest,
  writeAtomic,
  type SweepManifest,
} from '../sweep/manifest.js';
import { SweepProgress } from '../sweep/progress.js';
import { resultsSvg, resultsTable, sweepResults, type SweepResults } from '../sweep/results.js';
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
    'Examples:',
    '  rnn-scratch sweep --grid lr=0.5,1,2 --grid num-hiddens=128,256,512 --epochs 200',
    '  rnn-scratch sweep --grid cell=rnn,gru,lstm --grid seed=0,1 --num-hiddens 256 --jobs 2 --out sweeps/cells',
    '  rnn-scratch sweep --resume sweeps/cells',
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
    if (options.queue === undefined) {
      return runSweep(dir, manifest, new LocalExecutor(dir, options.jobs ?? availableParallelism()), {
        json: options.json,
        io,
      });
    }
    const target = parseQueueUrl(options.queue);
    const redis = await connectRedis(target, true);
    try {
      createFolder(dir);
      manifest.queue = target.shown;
      const note = (line: string) => io.stderr.write(`${line}\n`);
      const executor = await QueueExecutor.open(dir, manifest, target, redis, fileFlags, note);
      try {
        return await runSweep(dir, manifest, executor, { json: options.json, io });
      } finally {
        await executor.close();
      }
    } finally {
      redis.disconnect();
    }
  },
};

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

/**
 * Run every run that is not finished, `executor.limit` at a time, keeping the manifest up to date; then rank
 * the results and report them. Ctrl-C (or SIGTERM) stops the runs in progress, keeping their checkpoints.
 */
export async function runSweep(
  dir: string,
  manifest: SweepManifest,
  executor: Executor,
  o: { json: boolean; io: CommandContext },
): Promise<number> {
  createFolder(dir);
  const release = lockSweep(dir);
  const progress = new SweepProgress(o.io, o.json, manifest, executor.limit);
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      progress.note(
        'rnn-scratch: stopping the runs in progress, each at its last completed epoch (Ctrl-C again stops them without saving)',
      );
    }
    executor.interrupt(interrupts);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    saveManifest(dir, manifest);
    const todo = manifest.runs.filter((run) => !isFinished(run));
    const finished = manifest.runs.length - todo.length;
    const keys = manifest.grid.map((a) => a.key).join(' x ');
    const plan =
      todo.length === 0
        ? 'all finished before'
        : `${executor.plan(todo.length)}${finished > 0 ? `, ${finished} finished before` : ''}`;
    progress.say(`rnn-scratch sweep: ${manifest.runs.length} runs (${keys}), ${plan}; folders in ${dir}`);
    let next = 0;
    const detached = new Set<string>();
    const lane = async () => {
      while (interrupts === 0 && next < todo.length) {
        const entry = todo[next++];
        const outcome = await executor.run(entry, (fromEpoch) => {
          entry.status = 'running';
          entry.attempts++;
          entry.startedAt = new Date().toISOString();
          delete entry.endedAt;
          saveManifest(dir, manifest);
          progress.started(entry, fromEpoch);
        });
        entry.status = outcome.status;
        if (outcome.result) entry.result = outcome.result;
        if (outcome.error !== undefined) entry.error = outcome.error;
        else delete entry.error;
        if (outcome.exitCode !== undefined) entry.exitCode = outcome.exitCode;
        else delete entry.exitCode;
        entry.seconds += outcome.seconds;
        if (outcome.timing) entry.queue = outcome.timing;
        if (outcome.note?.startsWith('still training')) detached.add(entry.name);
        if (entry.startedAt !== undefined && outcome.seconds > 0) entry.endedAt = new Date().toISOString();
        saveManifest(dir, manifest);
        progress.ended(entry, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(executor.limit, todo.length) }, lane));
    progress.finish();
    const results = writeResults(dir, manifest);
    if (interrupts > 0) {
      const done = manifest.runs.filter(isFinished).length;
      const stopped = manifest.runs.filter((r) => r.status === 'interrupted').length;
      const away = detached.size > 0 ? `, ${detached.size} still training on workers (collected by --resume)` : '';
      throw new CliError(
        EXIT_INTERRUPTED,
        `interrupted: ${done} of ${manifest.runs.length} runs finished (results in ${join(dir, 'results.json')}), ` +
          `${stopped - detached.size} stopped at their last completed epoch${away}; continue with: rnn-scratch sweep --resume ${dir}`,
      );
    }
    if (o.json) o.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else {
      progress.say(resultsTable(results));
      progress.say(`saved ${join(dir, 'results.json')}, ${join(dir, 'results.svg')}`);
    }
    const failed = manifest.runs.filter((r) => r.status === 'failed');
    if (failed.length > 0) {
      throw new CliError(
        EXIT_RUNS_FAILED,
        `${failed.length} of ${manifest.runs.length} runs failed (${failed[0].name}: ${failed[0].error}); ` +
          `the others' results are kept; retry the failed ones with: rnn-scratch sweep --resume ${dir}`,
      );
    }
    return 0;
  } finally {
    progress.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    release();
  }
}

/** results.json and results.svg in the sweep folder; returns the results. */
function writeResults(dir: string, manifest: SweepManifest): SweepResults {
  const results = sweepResults(dir, manifest, (name) => join(dir, name));
  writeAtomic(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(join(dir, 'results.svg'), resultsSvg(results));
  return results;
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
