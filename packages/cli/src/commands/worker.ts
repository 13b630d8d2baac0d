/**
 * `rnn-scratch worker --queue redis://HOST:PORT/NAME`: trains the runs a `sweep --queue` puts on a queue, on any
 * machine that reaches the Redis server (queue/worker.ts does the work). Its log goes to stderr; Ctrl-C puts
 * the runs in progress back on the queue at their last completed epoch and exits with 130.
 */

import { UsageError } from '../args.js';
import { checkBackendSpec, openBackend } from '../backends.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT_INTERRUPTED } from '../errors.js';
import { connectRedis, queueLibs } from '../queue/redis.js';
import { parseQueueUrl, queueUrlProblem } from '../queue/url.js';
import { QueueWorker } from '../queue/worker.js';

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
    'which writes them into its folder as a local run would. The worker logs each run it takes on stderr.',
    '',
    "A run whose flags train rejects (e.g. a corpus too short for one minibatch) fails with train's one-line",
    'reason, and the sweep reports it. Ctrl-C stops the runs in progress at their last completed epoch and puts',
    'them back on the queue for another worker, then exits with 130. Redis that cannot be reached: exit code 9.',
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
    const { bullmq } = await queueLibs();
    const log = (line: string) => io.stderr.write(`${line}\n`);
    const worker = new QueueWorker(target, redis, bullmq, { ...options, lockMs: lockMs() }, log);
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        log('rnn-scratch: interrupted twice; exiting now (its runs move to another worker once their locks expire)');
        process.exit(EXIT_INTERRUPTED);
      }
      void worker.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await worker.run();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      redis.disconnect();
    }
    const { returned } = worker;
    throw new CliError(
      EXIT_INTERRUPTED,
      `interrupted: ${returned === 0 ? 'no run was in progress' : `${returned} run${returned === 1 ? '' : 's'} went back on the queue at the last completed epoch`}`,
    );
  },
});
