/**
 * What `rnn-scratch worker` does with each job of the queue (one run of a sweep): it puts the run's last stored
 * checkpoint (if another worker began it) into a temporary folder, trains it there as `rnn-scratch train` in a
 * child process with one thread, stores every checkpoint the run saves in Redis (so that another worker
 * continues from it if this one dies: BullMQ hands a job whose lock expired to another worker), and returns
 * train's JSON summary. A run whose flags train rejects fails with train's one-line reason.
 */

import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { firstLine } from '@rnn-scratch/core';

import { EXIT_DIVERGED, EXIT_INTERRUPTED } from '../errors.js';
import { errorLine, startRun, type RunExit } from '../sweep/local.js';
import {
  checkpointFromHash,
  checkpointKey,
  fileKey,
  jobDataProblem,
  readCheckpointFiles,
  storeCheckpoint,
  writeCheckpointFiles,
  type CheckpointFiles,
  type RunJobData,
  type RunJobResult,
  type RunProgress,
} from './protocol.js';
import { bullConnection, queueError, type BullMQ, type RedisClient } from './redis.js';
import { redact, type QueueTarget } from './url.js';

type Job = import('bullmq').Job;

export interface WorkerOptions {
  /** The backend of every run on this worker (else each run's own). */
  readonly backend?: string;
  /** Runs at once. */
  readonly jobs: number;
  /** How long a lock on a run lasts without renewal before another worker may take the run over (ms). */
  readonly lockMs: number;
}

/** The worker's temporary folders are `rnn-scratch-worker-<pid>-*`: remove those of workers that are gone. */
function removeStaleFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^rnn-scratch-worker-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') {
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
      }
    }
  }
}

export class QueueWorker {
  /** How the sweep and the logs name this worker: `host/pid`. */
  readonly id = `${hostname()}/${process.pid}`;
  private readonly root: string;
  private readonly children = new Set<ChildProcess>();
  private worker: import('bullmq').Worker | undefined;
  private stopping = false;
  /** Runs that went back on the queue at Ctrl-C. */
  returned = 0;

  constructor(
    private readonly target: QueueTarget,
    private readonly redis: RedisClient,
    private readonly bullmq: BullMQ,
    private readonly options: WorkerOptions,
    /** A line of the worker's log (stderr). */
    private readonly log: (line: string) => void,
  ) {
    removeStaleFolders();
    this.root = mkdtempSync(join(tmpdir(), `rnn-scratch-worker-${process.pid}-`));
  }

  /** Connect to the queue and take runs until `stop`; resolves when the last run in progress has ended. */
  async run(): Promise<void> {
    const { lockMs } = this.options;
    const worker = new this.bullmq.Worker(this.target.name, (job, token) => this.process(job, token), {
      connection: bullConnection(this.target),
      concurrency: this.options.jobs,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      // A run moves on as often as its workers die; it never fails for that.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
      name: this.id,
      autorun: false,
    });
    this.worker = worker;
    let lastNote = 0;
    worker.on('error', (err) => {
      if (Date.now() - lastNote < 5000) return;
      lastNote = Date.now();
      this.log(`rnn-scratch: note: the queue at ${this.target.shown}: ${redact(firstLine(err), this.target)}`);
    });
    await worker.waitUntilReady().catch((err: unknown) => {
      throw queueError(this.target, err);
    });
    const backend = this.options.backend ?? "each run's backend";
    this.log(
      `rnn-scratch worker ${this.id}: taking runs from ${this.target.shown}, ${this.options.jobs} at a time, on ${backend}`,
    );
    try {
      await worker.run();
    } finally {
      rmSync(this.root, { recursive: true, force: true });
    }
  }

  /** Ctrl-C: the runs in progress save their last completed epoch and go back on the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const child of this.children) if (child.exitCode === null) child.kill('SIGINT');
    await this.worker?.close();
  }

  /** One job: a run, from its stored checkpoint when it has one. */
  private async process(job: Job, token: string | undefined): Promise<RunJobResult> {
    const problem = jobDataProblem(job.data);
    if (problem) {
      const why = `this worker cannot train it: ${problem}`;
      this.log(`job ${job.id} (${job.name}): failed: ${why}`);
      throw new this.bullmq.UnrecoverableError(why);
    }
    const data = job.data as RunJobData;
    removeStaleFolders();
    const key = checkpointKey(this.target.name, job.id!);
    const dir = mkdtempSync(join(this.root, 'run-'));
    const folder = join(dir, 'run');
    try {
      const stored = await this.restore(key, folder);
      if (stored?.status === 'completed' || stored?.status === 'diverged') {
        // Its previous worker finished and stored the result, then died before it could report it.
        this.log(`${data.name}: ${stored.status} before (from its stored checkpoint)`);
        return { status: stored.status, worker: this.id, trainSeconds: 0, trainEndedAt: Date.now() };
      }
      const progress: RunProgress = { worker: this.id, ...(stored ? { resumedFrom: stored.epoch } : {}) };
      await job.updateProgress(progress as unknown as object);
      this.log(`${data.name}: ${stored ? `continues from its checkpoint at epoch ${stored.epoch}` : 'started'}`);
      const args = [...(await this.localArgs(data)), '--threads', '1', '--json'];
      const started = performance.now();
      const exit = await this.train(job, key, folder, progress, [
        'train',
        ...args,
        ...(stored ? ['--resume'] : ['--out']),
        folder,
      ]);
      const trainSeconds = (performance.now() - started) / 1000;
      return await this.result(job, token, data, exit, trainSeconds);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Put the run's stored checkpoint (if any) into `folder`. */
  private async restore(key: string, folder: string): Promise<CheckpointFiles | undefined> {
    const stored = checkpointFromHash(await this.redis.hgetallBuffer(key));
    if (!stored) return undefined;
    try {
      writeCheckpointFiles(folder, stored);
    } catch (err) {
      throw new this.bullmq.UnrecoverableError(`its stored checkpoint does not load: ${firstLine(err)}`);
    }
    return stored;
  }

  /**
   * Train the run in a child process; after each save of its checkpoint (looked for 4 times a second), store
   * the checkpoint in Redis and say so in the job's progress, and once more at the end.
   */
  private async train(job: Job, key: string, folder: string, progress: RunProgress, args: string[]): Promise<RunExit> {
    const run = startRun(args, 'exit');
    this.children.add(run.child);
    let sent = progress.resumedFrom ?? -1;
    let sending = Promise.resolve();
    const send = (final: boolean) => {
      sending = sending
        .then(async () => {
          const c = readCheckpointFiles(folder);
          if (!c || (!final && c.epoch <= sent)) return;
          if (await storeCheckpoint(this.redis, key, c, final)) {
            sent = c.epoch;
            await job.updateProgress({ ...progress, checkpointEpoch: c.epoch } as unknown as object);
          }
        })
        .catch((err) => this.log(`rnn-scratch: note: ${redact(firstLine(err), this.target)}`));
      return sending;
    };
    const timer = setInterval(() => void send(false), 250);
    try {
      return await run.ended;
    } finally {
      clearInterval(timer);
      this.children.delete(run.child);
      await send(true);
    }
  }

  /** The job's result from how train ended: completed, diverged, back on the queue (Ctrl-C), or failed. */
  private async result(
    job: Job,
    token: string | undefined,
    data: RunJobData,
    exit: RunExit,
    trainSeconds: number,
  ): Promise<RunJobResult> {
    const { code, signal } = exit;
    const message = errorLine(exit.stderr);
    const ended = { worker: this.id, trainSeconds, trainEndedAt: Date.now() };
    if (code === 0) {
      const summary = JSON.parse(exit.stdout) as Record<string, unknown>;
      const ppl = Number(summary.perplexity).toFixed(3);
      this.log(`${data.name}: completed: perplexity ${ppl} after ${summary.epoch} epochs, ${trainSeconds.toFixed(1)}s`);
      return { status: 'completed', summary, ...ended };
    }
    if (code === EXIT_DIVERGED) {
      this.log(`${data.name}: diverged`);
      return { status: 'diverged', error: message, ...ended };
    }
    if (this.stopping && (code === EXIT_INTERRUPTED || signal === 'SIGINT')) {
      this.log(`${data.name}: stopped; back on the queue at its last completed epoch`);
      this.returned++;
      await job.moveToWait(token);
      throw new this.bullmq.WaitingError();
    }
    const why = message ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
    this.log(`${data.name}: failed: ${why}`);
    throw new this.bullmq.UnrecoverableError(why);
  }

  /** The run's flags with the shipped files' local paths and this worker's --backend. */
  private async localArgs(data: RunJobData): Promise<string[]> {
    const args = [...data.args];
    for (const file of data.files) {
      const at = args.indexOf(`--${file.flag}`);
      if (at !== -1) args[at + 1] = await this.localFile(file.sha256);
    }
    if (this.options.backend !== undefined) args.push('--backend', this.options.backend);
    return args;
  }

  /** The local copy of a shipped file (fetched once per worker, checked by its sha256). */
  private async localFile(sha256: string): Promise<string> {
    const path = join(this.root, 'files', sha256);
    if (existsSync(path)) return path;
    const data = await this.redis.getBuffer(fileKey(this.target.name, sha256));
    const short = `${sha256.slice(0, 12)}...`;
    if (!data) throw new this.bullmq.UnrecoverableError(`the file with sha256 ${short} is not on the queue any more`);
    if (createHash('sha256').update(data).digest('hex') !== sha256) {
      throw new this.bullmq.UnrecoverableError(`the file with sha256 ${short} arrived damaged`);
    }
    // Runs at once may fetch the same file: each writes its own copy and renames it into place.
    mkdirSync(join(this.root, 'files'), { recursive: true });
    const temporary = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    writeFileSync(temporary, data);
    renameSync(temporary, path);
    return path;
  }
}
