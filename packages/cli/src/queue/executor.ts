/**
 * Running a sweep's runs through a queue: each run becomes one BullMQ job (its id fixed by the sweep and the
 * run, so a run is never enqueued twice), with the files its flags name and its latest checkpoint stored
 * beside it in Redis. The sweep then follows each job: it copies every checkpoint a worker stores into the
 * run's folder, and at the end the final one with train's summary, exactly as a local run leaves its folder.
 * Ctrl-C takes the runs that have not started off the queue; those in progress go on on their workers, and
 * the next `sweep --resume` collects them.
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { CHECKPOINT_META_FILE, firstLine } from '@rnn-scratch/core';

import { CliError, EXIT_QUEUE } from '../errors.js';
import { folderCheckpoint, resultOfCheckpoint, resultOfSummary, type Executor, type Outcome } from '../sweep/local.js';
import type { SweepManifest, SweepRunEntry } from '../sweep/manifest.js';
import {
  checkpointFromHash,
  checkpointKey,
  fileKey,
  jobIdOf,
  JOB_FORMAT,
  JOB_VERSION,
  readCheckpointFiles,
  storeCheckpoint,
  writeCheckpointFiles,
  type RunJobData,
  type RunJobResult,
  type RunProgress,
  type ShippedFile,
} from './protocol.js';
import { bullConnection, queueError, queueLibs, type BullMQ, type RedisClient } from './redis.js';
import { redact, type QueueTarget } from './url.js';

const POLL_MS = 250;
/** A file a run names stays on the queue this long after its last enqueue (seconds). */
const FILE_TTL = 7 * 24 * 3600;
/** How long the sweep waits for a lost connection to Redis to come back before it gives up (ms). */
const GIVE_UP_MS = 60_000;

type Queue = import('bullmq').Queue;

export class QueueExecutor implements Executor {
  readonly limit = Number.POSITIVE_INFINITY;
  private stopping = false;
  private readonly wakers = new Set<() => void>();
  private downSince: number | undefined;

  private constructor(
    private readonly dir: string,
    private readonly manifest: SweepManifest,
    private readonly target: QueueTarget,
    private readonly bullmq: BullMQ,
    private readonly queue: Queue,
    private readonly redis: RedisClient,
    /** Train's flags whose values are files (`corpus`): shipped through Redis. */
    private readonly fileFlags: readonly string[],
    private readonly note: (line: string) => void,
  ) {}

  static async open(
    dir: string,
    manifest: SweepManifest,
    target: QueueTarget,
    redis: RedisClient,
    fileFlags: readonly string[],
    note: (line: string) => void,
  ): Promise<QueueExecutor> {
    const { bullmq } = await queueLibs();
    const queue = new bullmq.Queue(target.name, { connection: bullConnection(target) });
    queue.on('error', () => undefined); // a lost connection shows in the next command's error
    await queue.waitUntilReady().catch((err: unknown) => {
      throw queueError(target, err);
    });
    return new QueueExecutor(dir, manifest, target, bullmq, queue, redis, fileFlags, note);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }

  plan(): string {
    return `through the queue ${this.target.shown}`;
  }

  interrupt(): void {
    this.stopping = true;
    for (const wake of this.wakers) wake();
  }

  async run(entry: SweepRunEntry, onStart: (fromEpoch: number | undefined) => void): Promise<Outcome> {
    const folder = join(this.dir, entry.name);
    const saved = folderCheckpoint(folder);
    if (saved?.status === 'completed') return { status: 'completed', result: resultOfCheckpoint(saved), seconds: 0 };
    if (saved?.status === 'diverged') {
      return { status: 'diverged', result: resultOfCheckpoint(saved), error: entry.error, seconds: 0 };
    }
    const jobId = jobIdOf(this.manifest.id, entry.name);
    const key = checkpointKey(this.target.name, jobId);
    const files = this.filesOf(entry);
    if ('error' in files) return { status: 'failed', error: files.error, seconds: 0 };
    const corpus = files.list.find((f) => f.flag === 'corpus');

    let job = await this.retrying(() => this.bullmq.Job.fromId(this.queue, jobId));
    if (job && entry.status === 'failed' && (await this.retrying(() => job!.getState())) === 'failed') {
      // The sweep reported this failure before: resuming retries the run.
      await this.retrying(() => job!.remove());
      job = undefined;
    }
    let enqueuedAt = job?.timestamp;
    if (!job) {
      if (this.stopping) return { status: 'interrupted', seconds: 0 };
      await this.retrying(() => this.upload(entry, key, folder, files.list));
      const data: RunJobData = {
        format: JOB_FORMAT,
        version: JOB_VERSION,
        sweep: this.manifest.id,
        name: entry.name,
        args: entry.args,
        files: files.list,
      };
      job = await this.retrying(() =>
        this.queue.add(entry.name, data, { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false }),
      );
      enqueuedAt = job.timestamp;
    }

    let started = false;
    let written = saved?.epoch ?? -1;
    for (;;) {
      const current = await this.retrying(() => this.bullmq.Job.fromId(this.queue, jobId));
      if (!current) return { status: 'failed', error: 'its job was removed from the queue', seconds: 0 };
      const state = await this.retrying(() => current.getState());
      const progress = (current.progress ?? {}) as Partial<RunProgress>;
      if (!started && (state === 'active' || state === 'completed' || state === 'failed')) {
        started = true;
        onStart(progress.resumedFrom);
      }
      if (state === 'active' && (progress.checkpointEpoch ?? -1) > written) {
        written = await this.copyCheckpoint(key, folder, corpus, written);
      }
      if (state === 'completed') return this.collect(current, entry, key, folder, corpus, enqueuedAt);
      if (state === 'failed') {
        await this.retrying(() => current.remove());
        return { status: 'failed', error: current.failedReason || 'failed on its worker', seconds: 0 };
      }
      if (this.stopping) {
        if (state !== 'active') {
          const removed = await current.remove().then(
            () => true,
            () => false,
          );
          if (removed) return { status: 'interrupted', seconds: 0, note: 'taken off the queue before it started' };
        }
        return {
          status: 'interrupted',
          seconds: 0,
          note: `still training on ${progress.worker ?? 'a worker'}; the next --resume collects it`,
        };
      }
      await this.sleep(POLL_MS);
    }
  }

  /** The files the run's flags name, with their sha256 and the path as the sweep resolves it. */
  private filesOf(entry: SweepRunEntry): { list: ShippedFile[] } | { error: string } {
    const list: ShippedFile[] = [];
    for (const flag of this.fileFlags) {
      const at = entry.args.indexOf(`--${flag}`);
      if (at === -1) continue;
      const path = entry.args[at + 1];
      try {
        const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
        list.push({ flag, sha256, path: resolve(path) });
      } catch (err) {
        return { error: `cannot read --${flag} ${path}: ${firstLine(err)}` };
      }
    }
    return { list };
  }

  /** Put the run's files on the queue, and its checkpoint when the sweep folder has one and the queue has none. */
  private async upload(
    entry: SweepRunEntry,
    key: string,
    folder: string,
    files: readonly ShippedFile[],
  ): Promise<void> {
    for (const file of files) {
      const k = fileKey(this.target.name, file.sha256);
      await this.redis.set(k, readFileSync(file.path), 'EX', FILE_TTL, 'NX');
      await this.redis.expire(k, FILE_TTL);
    }
    if (existsSync(join(folder, CHECKPOINT_META_FILE)) && !(await this.redis.exists(key))) {
      const local = readCheckpointFiles(folder);
      if (local) await storeCheckpoint(this.redis, key, local);
    }
  }

  /** Copy the checkpoint stored for a run into its folder; returns the epoch now in the folder. */
  private async copyCheckpoint(
    key: string,
    folder: string,
    corpus: ShippedFile | undefined,
    written: number,
  ): Promise<number> {
    const stored = checkpointFromHash(await this.retrying(() => this.redis.hgetallBuffer(key)));
    if (!stored || stored.epoch <= written) return written;
    try {
      writeCheckpointFiles(folder, stored, corpus?.path);
    } catch (err) {
      this.note(`rnn-scratch: note: ${folder}: the checkpoint from the queue was not saved: ${firstLine(err)}`);
      return written;
    }
    return stored.epoch;
  }

  /** A finished job: its final checkpoint into the folder, its result, then the job and checkpoint off Redis. */
  private async collect(
    job: import('bullmq').Job,
    entry: SweepRunEntry,
    key: string,
    folder: string,
    corpus: ShippedFile | undefined,
    enqueuedAt: number | undefined,
  ): Promise<Outcome> {
    const result = job.returnvalue as RunJobResult;
    const stored = checkpointFromHash(await this.retrying(() => this.redis.hgetallBuffer(key)));
    if (stored) writeCheckpointFiles(folder, stored, corpus?.path);
    const meta = folderCheckpoint(folder);
    const timing = {
      worker: result.worker,
      enqueuedAt: enqueuedAt ?? job.timestamp,
      startedAt: job.processedOn ?? NaN,
      trainSeconds: result.trainSeconds,
      trainEndedAt: result.trainEndedAt,
      finishedAt: job.finishedOn ?? NaN,
      savedAt: Date.now(),
    };
    await this.retrying(async () => {
      await this.redis.del(key);
      await job.remove();
    });
    if (result.status === 'diverged') {
      return {
        status: 'diverged',
        result: meta && resultOfCheckpoint(meta),
        error: result.error ?? entry.error,
        seconds: result.trainSeconds,
        timing,
      };
    }
    const summaryResult = result.summary ? resultOfSummary(result.summary) : meta && resultOfCheckpoint(meta);
    if (!summaryResult)
      return { status: 'failed', error: 'it completed without a checkpoint on the queue', seconds: 0 };
    return { status: 'completed', result: summaryResult, seconds: result.trainSeconds, timing };
  }

  /** Run a Redis command, riding out a lost connection for a while; then a one-line error (exit 9). */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const value = await fn();
        this.downSince = undefined;
        return value;
      } catch (err) {
        const now = Date.now();
        if (this.downSince === undefined) {
          this.downSince = now;
          this.note(
            `rnn-scratch: note: the queue at ${this.target.shown}: ${redact(firstLine(err), this.target)}; retrying`,
          );
        }
        if (now - this.downSince > GIVE_UP_MS) {
          const lost = queueError(this.target, err);
          throw new CliError(
            EXIT_QUEUE,
            `${lost.message}; the runs in progress go on on their workers: continue with rnn-scratch sweep --resume ${this.dir}`,
          );
        }
        await this.sleep(1000);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
