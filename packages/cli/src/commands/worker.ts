/**
 * `rnn-scratch worker --queue redis://HOST:PORT/NAME`: trains the runs a `sweep --queue` puts on a queue, on any
 * machine that reaches the Redis server. Each run is `rnn-scratch train` in a child process with one thread (on
 * this worker's --backend when given); after every save the worker stores the run's checkpoint in Redis, so
 * that when the worker dies another one continues the run from there (BullMQ's stalled-job handling), exactly.
 * At the end it returns train's JSON summary and stores the final checkpoint, which the sweep writes into its
 * folder. A run whose flags train rejects fails with train's one-line reason; Ctrl-C puts the runs in progress
 * back on the queue at their last completed epoch.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

import { firstLine } from '@rnn-scratch/core';

import { UsageError, type FlagValues } from '../args.js';
import { checkBackendSpec, openBackend } from '../backends.js';
import { defineCommand, type CommandContext } from '../command.js';
import { CliError, EXIT_DIVERGED, EXIT_INTERRUPTED } from '../errors.js';
import {
  checkpointFromHash,
  checkpointKey,
  fileKey,
  jobDataProblem,
  readCheckpointFiles,
  storeCheckpoint,
  writeCheckpointFiles,
  type RunJobData,
  type RunJobResult,
  type RunProgress,
} from '../queue/protocol.js';
import { bullConnection, connectRedis, queueError, queueLibs, type RedisClient } from '../queue/redis.js';
import { parseQueueUrl, queueUrlProblem, redact, type QueueTarget } from '../queue/url.js';
import { CHILD_SCRIPT, errorLine } from '../sweep/local.js';

const flags = [
  {
    name: 'queue',
    type: 'string',
    placeholder: 'URL',
    help: 'the queue: redis://[:PASSWORD@]HOST:PORT/NAME, or rediss:// for TLS (the password may also be in RNN_SCRATCH_QUEUE_PASSWORD)',
    validate: queueUrlProblem,
  },
  {
    name: 'backend',
    type: 'string',
    placeholder: 'ID',
    help: 'the backend of every run on this worker, e.g. onnx:cpu, onnx:webgpu, tfjs:wasm (rnn-scratch backends lists them)',
    defaultLabel: "each run's --backend, else auto",
  },
  { name: 'jobs', short: 'j', type: 'int', min: 1, default: 1, help: 'runs at once, each a process with one thread' },
] as const;

type WorkerFlags = FlagValues<typeof flags>;

/** How long a worker holds a run without renewing its lock before another worker may take it over (ms). */
function lockMs(): number {
  const value = Number(process.env.RNN_SCRATCH_QUEUE_LOCK_MS);
  return Number.isFinite(value) && value >= 200 ? value : 30_000;
}

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'train the runs of sweeps on a Redis queue (sweep --queue), on this machine',
  description: [
    'Takes runs from the queue that `rnn-scratch sweep --queue` fills and trains them: each as `rnn-scratch train`',
    'in a child process with one thread, --jobs at once, on --backend when given. Start as many workers as you',
    'like, on any machine that reaches the Redis server. After every checkpoint a run saves, the worker stores it',
    'in Redis: if the worker dies, another worker continues the run from there (exactly: the same numbers), after',
    "the dead worker's lock on it expires (30 s). The final checkpoint and train's summary go back to the sweep,",
    'which writes them into its folder as a local run would.',
    '',
    "A run whose flags train rejects (e.g. a corpus too short for one minibatch) fails with train's one-line",
    'reason, and the sweep reports it. Ctrl-C stops the runs in progress at their last completed epoch and puts',
    'them back on the queue for another worker, then exits with 130.',
    '',
    'Examples:',
    '  rnn-scratch worker --queue redis://127.0.0.1:6379/sweeps',
    '  RNN_SCRATCH_QUEUE_PASSWORD=... rnn-scratch worker --queue rediss://redis.example.org:6380/sweeps --backend onnx:cpu --jobs 4',
  ].join('\n'),
  flags,
  async run(options, io) {
    if (options.queue === undefined) {
      throw new UsageError("give the queue with --queue redis://HOST:PORT/NAME (see 'rnn-scratch worker --help')");
    }
    const target = parseQueueUrl(options.queue);
    if (options.backend !== undefined) {
      checkBackendSpec(options.backend);
      await (await openBackend(options.backend, { threads: 1 })).dispose();
    }
    const redis = await connectRedis(target, true);
    try {
      return await work(target, redis, options, io);
    } finally {
      redis.disconnect();
    }
  },
});

/** The worker's temporary folders are `rnn-scratch-worker-<pid>-*`: remove those of workers that are gone. */
function removeStaleFolders(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^rnn-scratch-worker-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
}

async function work(
  target: QueueTarget,
  redis: RedisClient,
  options: WorkerFlags,
  io: CommandContext,
): Promise<number> {
  const { bullmq } = await queueLibs();
  const id = `${hostname()}/${process.pid}`;
  const say = (line: string) => io.stdout.write(`${line}\n`);
  removeStaleFolders();
  const root = mkdtempSync(join(tmpdir(), `rnn-scratch-worker-${process.pid}-`));
  const children = new Set<ReturnType<typeof spawn>>();
  let stopping = false;
  let returned = 0;

  /** The local copy of a shipped file (fetched once per worker, checked by its sha256). */
  const localFile = async (sha256: string): Promise<string> => {
    const path = join(root, 'files', sha256);
    if (existsSync(path)) return path;
    const data = await redis.getBuffer(fileKey(target.name, sha256));
    if (!data)
      throw new bullmq.UnrecoverableError(
        `the file with sha256 ${sha256.slice(0, 12)}... is not on the queue any more`,
      );
    if (createHash('sha256').update(data).digest('hex') !== sha256) {
      throw new bullmq.UnrecoverableError(`the file with sha256 ${sha256.slice(0, 12)}... arrived damaged`);
    }
    mkdirSync(join(root, 'files'), { recursive: true });
    writeFileSync(path, data);
    return path;
  };

  /** The run's flags with the shipped files' local paths and this worker's --backend. */
  const localArgs = async (data: RunJobData): Promise<string[]> => {
    const args = [...data.args];
    for (const file of data.files) {
      const at = args.indexOf(`--${file.flag}`);
      if (at !== -1) args[at + 1] = await localFile(file.sha256);
    }
    if (options.backend !== undefined) args.push('--backend', options.backend);
    return args;
  };

  const processor = async (job: import('bullmq').Job, token?: string): Promise<RunJobResult> => {
    const problem = jobDataProblem(job.data);
    if (problem) throw new bullmq.UnrecoverableError(`this worker cannot train it: ${problem}`);
    const data = job.data as RunJobData;
    removeStaleFolders();
    const key = checkpointKey(target.name, job.id!);
    const dir = mkdtempSync(join(root, 'run-'));
    const folder = join(dir, 'run');
    try {
      const stored = checkpointFromHash(await redis.hgetallBuffer(key));
      if (stored) {
        try {
          writeCheckpointFiles(folder, stored);
        } catch (err) {
          throw new bullmq.UnrecoverableError(`its stored checkpoint does not load: ${firstLine(err)}`);
        }
        if (stored.status === 'completed' || stored.status === 'diverged') {
          // Its previous worker finished and stored the result, then died before it could report it.
          say(`${data.name}: ${stored.status} before (from its stored checkpoint)`);
          return { status: stored.status, worker: id, trainSeconds: 0, trainEndedAt: Date.now() };
        }
      }
      const args = await localArgs(data);
      const progress: RunProgress = { worker: id, ...(stored ? { resumedFrom: stored.epoch } : {}) };
      await job.updateProgress(progress as unknown as object);
      say(`${data.name}: ${stored ? `continues from its checkpoint at epoch ${stored.epoch}` : 'started'}`);

      const childArgs = ['train', ...args, '--threads', '1', '--json', ...(stored ? ['--resume'] : ['--out']), folder];
      const started = performance.now();
      const child = spawn(process.execPath, [CHILD_SCRIPT, ...childArgs], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on('error', (err) => (stderr += `rnn-scratch: cannot start the run: ${firstLine(err)}\n`));
        child.on('close', (code, signal) => resolve({ code, signal }));
      });

      // After each save of the run: store its checkpoint and say so in the job's progress.
      let sent = stored?.epoch ?? -1;
      let sending = Promise.resolve();
      const send = (final: boolean) => {
        sending = sending.then(async () => {
          const c = readCheckpointFiles(folder);
          if (!c || (!final && c.epoch <= sent)) return;
          if (await storeCheckpoint(redis, key, c)) {
            sent = c.epoch;
            await job.updateProgress({ ...progress, checkpointEpoch: c.epoch } as unknown as object);
          }
        });
        return sending.catch((err) => io.stderr.write(`rnn-scratch: note: ${redact(firstLine(err), target)}\n`));
      };
      const timer = setInterval(() => void send(false), 250);
      const { code, signal } = await exited;
      children.delete(child);
      clearInterval(timer);
      const trainSeconds = (performance.now() - started) / 1000;
      await send(true);
      const message = errorLine(stderr);
      if (code === 0) {
        const summary = JSON.parse(stdout) as Record<string, unknown>;
        say(
          `${data.name}: completed: perplexity ${Number(summary.perplexity).toFixed(3)} after ${summary.epoch} epochs, ${trainSeconds.toFixed(1)}s`,
        );
        return { status: 'completed', summary, worker: id, trainSeconds, trainEndedAt: Date.now() };
      }
      if (code === EXIT_DIVERGED) {
        say(`${data.name}: diverged`);
        return { status: 'diverged', error: message, worker: id, trainSeconds, trainEndedAt: Date.now() };
      }
      if (stopping && (code === EXIT_INTERRUPTED || signal === 'SIGINT')) {
        say(`${data.name}: stopped at epoch ${sent}; back on the queue`);
        returned++;
        await job.moveToWait(token);
        throw new bullmq.WaitingError();
      }
      const why = message ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
      say(`${data.name}: failed: ${why}`);
      throw new bullmq.UnrecoverableError(why);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  const lock = lockMs();
  const worker = new bullmq.Worker(target.name, processor, {
    connection: bullConnection(target),
    concurrency: options.jobs,
    lockDuration: lock,
    stalledInterval: lock,
    maxStalledCount: 1000,
    name: id,
    autorun: false,
  });
  let lastNote = 0;
  worker.on('error', (err) => {
    if (Date.now() - lastNote < 5000) return;
    lastNote = Date.now();
    io.stderr.write(`rnn-scratch: note: the queue at ${target.shown}: ${redact(firstLine(err), target)}\n`);
  });
  await worker.waitUntilReady().catch((err: unknown) => {
    throw queueError(target, err);
  });
  const backend = options.backend ?? "each run's backend";
  say(`rnn-scratch worker ${id}: taking runs from ${target.shown}, ${options.jobs} at a time, on ${backend}`);

  let signals = 0;
  const closed = new Promise<void>((resolve) => {
    const onSignal = () => {
      signals++;
      if (signals > 1) {
        io.stderr.write(
          'rnn-scratch: interrupted twice; exiting now (the runs in progress move to another worker once their lock expires)\n',
        );
        process.exit(EXIT_INTERRUPTED);
      }
      stopping = true;
      for (const child of children) if (child.exitCode === null) child.kill('SIGINT');
      void worker.close().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const running = worker.run();
  await closed;
  await running.catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
  throw new CliError(
    EXIT_INTERRUPTED,
    `interrupted: ${returned === 0 ? 'no run was in progress' : `${returned} run${returned === 1 ? '' : 's'} went back on the queue at the last completed epoch`}`,
  );
}
