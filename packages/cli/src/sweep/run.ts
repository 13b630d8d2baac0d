/**
 * Running a sweep, whoever trains its runs (local child processes or a queue's workers): every run that is not
 * finished, `executor.limit` at a time, the manifest kept up to date after every change, then the results
 * ranked and reported. Ctrl-C (or SIGTERM) stops the runs in progress, keeping their checkpoints.
 */

import { join } from 'node:path';

import type { CommandContext } from '../command.js';
import { CliError, EXIT_INTERRUPTED, EXIT_RUNS_FAILED } from '../errors.js';
import type { Executor, Outcome } from './local.js';
import {
  isFinished,
  lockSweep,
  saveManifest,
  writeAtomic,
  type SweepManifest,
  type SweepRunEntry,
} from './manifest.js';
import { SweepProgress } from './progress.js';
import { resultsSvg, resultsTable, sweepResults, type SweepResults } from './results.js';

export async function runSweep(
  dir: string,
  manifest: SweepManifest,
  executor: Executor,
  o: { json: boolean; io: CommandContext },
): Promise<number> {
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
    progress.say(firstLine(dir, manifest, executor, todo.length));
    let next = 0;
    const detached = new Set<string>();
    const lane = async () => {
      while (interrupts === 0 && next < todo.length) {
        const entry = todo[next++];
        const outcome = await executor.run(entry, (fromEpoch, where) => {
          started(entry);
          saveManifest(dir, manifest);
          progress.started(entry, fromEpoch, where);
        });
        ended(entry, outcome);
        if (outcome.detached) detached.add(entry.name);
        saveManifest(dir, manifest);
        progress.ended(entry, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(executor.limit, todo.length) }, lane));
    progress.finish();
    const results = writeResults(dir, manifest);
    if (interrupts > 0) throw interrupted(dir, manifest, detached.size);
    report(dir, results, o, progress);
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

/** `rnn-scratch sweep: 6 runs (lr x num-hiddens), 2 at a time, 1 finished before; folders in DIR`. */
function firstLine(dir: string, manifest: SweepManifest, executor: Executor, todo: number): string {
  const finished = manifest.runs.length - todo;
  const keys = manifest.grid.map((a) => a.key).join(' x ');
  const plan =
    todo === 0 ? 'all finished before' : `${executor.plan(todo)}${finished > 0 ? `, ${finished} finished before` : ''}`;
  return `rnn-scratch sweep: ${manifest.runs.length} runs (${keys}), ${plan}; folders in ${dir}`;
}

/** A run (re)starts: one more attempt. */
function started(entry: SweepRunEntry): void {
  entry.status = 'running';
  entry.attempts++;
  entry.startedAt = new Date().toISOString();
  delete entry.endedAt;
}

/** A run's attempt ended: its status, result, reason, exit code, time and (through a queue) timing. */
function ended(entry: SweepRunEntry, outcome: Outcome): void {
  entry.status = outcome.status;
  if (outcome.result) entry.result = outcome.result;
  if (outcome.error !== undefined) entry.error = outcome.error;
  else delete entry.error;
  if (outcome.exitCode !== undefined) entry.exitCode = outcome.exitCode;
  else delete entry.exitCode;
  entry.seconds += outcome.seconds;
  if (outcome.timing) entry.queue = outcome.timing;
  if (entry.startedAt !== undefined && outcome.seconds > 0) entry.endedAt = new Date().toISOString();
}

/** The error of an interrupted sweep: what finished, what stopped, what goes on on workers. */
function interrupted(dir: string, manifest: SweepManifest, detached: number): CliError {
  const done = manifest.runs.filter(isFinished).length;
  const stopped = manifest.runs.filter((r) => r.status === 'interrupted').length - detached;
  const away = detached > 0 ? `, ${detached} still training on workers (collected by --resume)` : '';
  return new CliError(
    EXIT_INTERRUPTED,
    `interrupted: ${done} of ${manifest.runs.length} runs finished (results in ${join(dir, 'results.json')}), ` +
      `${stopped} stopped at their last completed epoch${away}; continue with: rnn-scratch sweep --resume ${dir}`,
  );
}

/** The results on stdout: the table (and where the files are), or results.json with --json. */
function report(
  dir: string,
  results: SweepResults,
  o: { json: boolean; io: CommandContext },
  progress: SweepProgress,
): void {
  if (o.json) {
    o.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  progress.say(resultsTable(results));
  progress.say(`saved ${join(dir, 'results.json')}, ${join(dir, 'results.svg')}`);
}

/** results.json and results.svg in the sweep folder; returns the results. */
function writeResults(dir: string, manifest: SweepManifest): SweepResults {
  const results = sweepResults(dir, manifest, (name) => join(dir, name));
  writeAtomic(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeAtomic(join(dir, 'results.svg'), resultsSvg(results));
  return results;
}
