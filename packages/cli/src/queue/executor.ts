/**
 * Running a sweep's runs through a queue: each run becomes one BullMQ job (its id fixed by the sweep and the
 * run, so a run is never enqueued twice), with the files its flags name and its latest checkpoint stored
 * beside it in Redis. The sweep then follows each job (woken by the queue's events, and looking every few
 * seconds in case one was missed): it copies every checkpoint a worker stores into the run's folder, and at
 * the end the final one with train's summary, exactly as a local run leaves its folder. Ctrl-C takes the runs
 * that have not started off the queue; those in progress go on on their workers, and the next
 * `sweep --resume` collects them.
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
  type RecordedPaths,
  type RunJobData,
  type RunJobResult,
  type RunProgress,
  type ShippedFile,
} from './protocol.js';
import { bullConnection, queueError, queueLibs, type BullMQ, type RedisClient } from './redis.js';
import { redact, type QueueTarget } from './url.js';

/** How often the sweep looks at a job when no event about it came (ms). */
const POLL_MS = 2000;
/** A file a run names stays on the queue this long after its last enqueue (seconds). */
const FILE_TTL = 7 * 24 * 3600;
/** How long the sweep waits for a lost connection to Redis to come back before it gives up (ms). */
const GIVE_UP_MS = 60_000;

type Queue = import('bullmq').Queue;
type QueueEvents = import('bullmq').QueueEvents;
type Job = import('bullmq').Job;

/** What the sweep follows of one run's job. */
interface Followed {
  readonly entry: SweepRunEntry;
  readonly jobId: string;
  readonly key: string;
  readonly folder: string;
  /** The paths the run's checkpoint records, as a local run records them (not the worker's copies). */
  readonly paths: RecordedPaths;
  readonly enqueuedAt: number;
}

export class QueueExecutor implements Executor {
  readonly limit = Number.POSITIVE_INFINITY;
  private stopping = false;
  /** The lanes waiting for news of a job, by job id. */
  private readonly wakers = new Map<string, () => void>();
  /** The jobs this sweep follows, and those of them with news since the sweep last looked. */
  private readonly followed = new Set<string>();
  private readonly news = new Set<string>();
  private downSince: number | undefined;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly manifest: SweepManifest,
    private readonly target: QueueTarget,
    private readonly bullmq: BullMQ,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly redis: RedisClient,
    /** Train's flags whose values are files (`corpus`): shipped through Redis. */
    private readonly fileFlags: readonly string[],
    private readonly note: (line: string) => void,
  ) {
    const wake = ({ jobId }: { jobId: string }) => {
      const waker = this.wakers.get(jobId);
      if (waker) waker();
      else if (this.followed.has(jobId)) this.news.add(jobId);
    };
    for (const event of ['active', 'progress', 'completed', 'failed', 'removed', 'waiting'] as const) {
      events.on(event, wake);
    }
  }

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
    const events = new bullmq.QueueEvents(target.name, { connection: bullConnection(target) });
    // A lost connection shows in the next command's error (and is retried there).
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]).catch(async (err: unknown) => {
      await Promise.all([queue.close(), events.close()]).catch(() => undefined);
      throw queueError(target, err);
    });
    return new QueueExecutor(dir, manifest, target, bullmq, queue, events, redis, fileFlags, note);
  }

  /** Stop following jobs (the sweep ends, or failed): the runs go on on their workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.wakers.values()]) wake();
    await Promise.all([this.queue.close(), this.events.close()]).catch(() => undefined);
  }

  plan(): string {
    return `through the queue ${this.target.shown}`;
  }

  interrupt(): void {
    this.stopping = true;
    for (const wake of [...this.wakers.values()]) wake();
  }

  async run(entry: SweepRunEntry, onStart: (fromEpoch: number | undefined, where?: string) => void): Promise<Outcome> {
    const folder = join(this.dir, entry.name);
    const saved = folderCheckpoint(folder);
    if (saved?.status === 'completed') return { status: 'completed', result: resultOfCheckpoint(saved), seconds: 0 };
    if (saved?.status === 'diverged') {
      return { status: 'diverged', result: resultOfCheckpoint(saved), error: entry.error, seconds: 0 };
    }
    const files = this.filesOf(entry);
    if ('error' in files) return { status: 'failed', error: files.error, seconds: 0 };
    const jobId = jobIdOf(this.manifest.id, entry.name);
    const key = checkpointKey(this.target.name, jobId);
    const job = await this.enqueue(entry, jobId, key, folder, files.list);
    if (!job) return { status: 'interrupted', seconds: 0 };
    const paths: RecordedPaths = {
      corpus: files.list.find((f) => f.flag === 'corpus')?.path,
      validCorpus: files.list.find((f) => f.flag === 'valid-corpus')?.path,
    };
    return this.follow({ entry, jobId, key, folder, paths, enqueuedAt: job.timestamp }, saved?.epoch ?? -1, onStart);
  }

  /** The run's job: the one on the queue (from an earlier start of this sweep), or a new one. */
  private async enqueue(
    entry: SweepRunEntry,
    jobId: string,
    key: string,
    folder: string,
    files: readonly ShippedFile[],
  ): Promise<Job | undefined> {
    let job = await this.retrying(() => this.bullmq.Job.fromId(this.queue, jobId));
    if (job && entry.status === 'failed' && (await this.retrying(() => job!.getState())) === 'failed') {
      // The sweep reported this failure before: resuming retries the run.
      await this.retrying(() => job!.remove());
      job = undefined;
    }
    if (job) return job;
    if (this.stopping) return undefined;
    await this.retrying(() => this.upload(key, folder, files));
    const data: RunJobData = {
      format: JOB_FORMAT,
      version: JOB_VERSION,
      sweep: this.manifest.id,
      name: entry.name,
      args: entry.args,
      files,
    };
    return this.retrying(() =>
      this.queue.add(entry.name, data, { jobId, attempts: 1, removeOnComplete: false, removeOnFail: false }),
    );
  }

  /** Follow a job to its end, copying the checkpoints its workers store into the run's folder. */
  private async follow(
    run: Followed,
    written: number,
    onStart: (fromEpoch: number | undefined, where?: string) => void,
  ): Promise<Outcome> {
    this.followed.add(run.jobId);
    try {
      return await this.followLoop(run, written, onStart);
    } finally {
      this.followed.delete(run.jobId);
      this.news.delete(run.jobId);
    }
  }

  private async followLoop(
    run: Followed,
    written: number,
    onStart: (fromEpoch: number | undefined, where?: string) => void,
  ): Promise<Outcome> {
    let worker: string | undefined;
    for (;;) {
      this.news.delete(run.jobId);
      // The state first: a job read after it was seen completed holds its return value.
      const state = await this.retrying(() => this.queue.getJobState(run.jobId));
      const job = await this.retrying(() => this.bullmq.Job.fromId(this.queue, run.jobId));
      if (!job || state === 'unknown') {
        return { status: 'failed', error: 'its job was removed from the queue', seconds: 0 };
      }
      const progress = (job.progress ?? {}) as Partial<RunProgress>;
      if (progress.worker !== undefined && progress.worker !== worker) {
        // Taken by a worker: the first, or another one after its worker died or stopped.
        worker = progress.worker;
        onStart(progress.resumedFrom, worker);
      }
      if ((progress.checkpointEpoch ?? -1) > written) written = await this.copyCheckpoint(run, written);
      if ((state === 'completed' || state === 'failed') && worker === undefined) onStart(undefined);
      if (state === 'completed') return this.collect(job, run);
      if (state === 'failed') {
        await this.retrying(() => job.remove());
        return { status: 'failed', error: job.failedReason || 'failed on its worker', seconds: 0 };
      }
      if (this.stopping) return this.leave(job, state, worker);
      await this.sleep(POLL_MS, run.jobId);
    }
  }

  /** Ctrl-C: a job not yet taken leaves the queue; one in progress goes on on its worker. */
  private async leave(job: Job, state: string, worker: string | undefined): Promise<Outcome> {
    if (state !== 'active') {
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (removed) return { status: 'interrupted', seconds: 0, note: 'taken off the queue before it started' };
    }
    return {
      status: 'interrupted',
      seconds: 0,
      detached: true,
      note: `still training on ${worker ?? 'a worker'}; the next --resume collects it`,
    };
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
  private async upload(key: string, folder: string, files: readonly ShippedFile[]): Promise<void> {
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
  private async copyCheckpoint(run: Followed, written: number): Promise<number> {
    const stored = checkpointFromHash(await this.retrying(() => this.redis.hgetallBuffer(run.key)));
    if (!stored || stored.epoch <= written) return written;
    try {
      writeCheckpointFiles(run.folder, stored, run.paths);
    } catch (err) {
      this.note(`rnn-scratch: note: ${run.folder}: the checkpoint from the queue was not saved: ${firstLine(err)}`);
      return written;
    }
    return stored.epoch;
  }

  /** A finished job: its final checkpoint into the folder, its result, then the job and checkpoint off Redis. */
  private async collect(job: Job, run: Followed): Promise<Outcome> {
    const result = job.returnvalue as RunJobResult;
    const stored = checkpointFromHash(await this.retrying(() => this.redis.hgetallBuffer(run.key)));
    if (stored) writeCheckpointFiles(run.folder, stored, run.paths);
    const meta = folderCheckpoint(run.folder);
    const timing = {
      worker: result.worker,
      enqueuedAt: run.enqueuedAt,
      startedAt: job.processedOn ?? NaN,
      trainSeconds: result.trainSeconds,
      trainEndedAt: result.trainEndedAt,
      finishedAt: job.finishedOn ?? NaN,
      savedAt: Date.now(),
    };
    await this.retrying(async () => {
      await this.redis.del(run.key);
      await job.remove();
    });
    const seconds = result.trainSeconds;
    if (result.status === 'diverged') {
      const error = result.error ?? run.entry.error;
      return { status: 'diverged', result: meta && resultOfCheckpoint(meta), error, seconds, timing };
    }
    const summary = result.summary ? resultOfSummary(result.summary) : meta && resultOfCheckpoint(meta);
    if (!summary) return { status: 'failed', error: 'it completed without a checkpoint on the queue', seconds: 0 };
    return { status: 'completed', result: summary, seconds, timing };
  }

  /** Run a Redis command, riding out a lost connection for a while; then a one-line error (exit 9). */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.closed) throw new Error('the sweep stopped following the queue');
      try {
        const value = await fn();
        this.downSince = undefined;
        return value;
      } catch (err) {
        const now = Date.now();
        if (this.downSince === undefined) {
          this.downSince = now;
          const why = redact(firstLine(err), this.target);
          this.note(`rnn-scratch: note: the queue at ${this.target.shown}: ${why}; retrying`);
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

  /** Wait `ms`, or less when an event about job `jobId` comes (or on Ctrl-C). */
  private sleep(ms: number, jobId?: string): Promise<void> {
    if (jobId !== undefined && this.news.delete(jobId)) return Promise.resolve();
    return new Promise((resolve) => {
      const key = jobId ?? `sleep-${Math.random()}`;
      const wake = () => {
        clearTimeout(timer);
        if (this.wakers.get(key) === wake) this.wakers.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.set(key, wake);
    });
  }
}
