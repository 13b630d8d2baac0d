// `rnn-scratch sweep --queue` and `rnn-scratch worker` against a real redis-server on 127.0.0.1 (a free port,
// its own temporary folder, stopped at the end) with real worker processes: the same results as a local sweep,
// a worker killed with SIGKILL in the middle of a run, Ctrl-C on a worker, Redis unreachable (then up), a run
// whose flags train rejects, a job that is not a run, Ctrl-C on the sweep, a password that never shows, TLS, and
// the stored checkpoint's rule (forward only; the final read of a folder replaces one taken mid-save).
//
// Needs redis-server, redis-cli and openssl (Debian's redis-server and openssl; .ci/run installs them). Without
// them the tests FAIL when CI is set and are skipped (id cli/queue/no-redis-server) otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Redis } from 'ioredis';

import { type CheckpointFiles, checkpointFromHash, storeCheckpoint } from '../src/queue/protocol.js';
import { BIN, checkBuilt, cli, expectOneLineError, tempDir, TINY, type Result } from './helpers.js';
import { freePort, makeTls, startRedis, Worker, type RedisServer } from './redis.js';

const SKIP_ID = 'cli/queue/no-redis-server';
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const missing = ['redis-server', 'redis-cli', 'openssl'].filter(
  (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0,
);
if (missing.length === 0) {
  defineQueueTests();
} else if (process.env.CI) {
  describe('sweeps through a queue', () => {
    it('have redis-server, redis-cli and openssl (required when CI is set)', () => {
      throw new Error(
        `CI is set but ${missing.join(', ')} cannot be found (install Debian's redis-server and openssl)`,
      );
    });
  });
} else {
  describe('sweeps through a queue', () => {
    it.skip(`[skipped ${SKIP_ID}: ${missing.join(', ')} not found (install Debian's redis-server and openssl)]`, () => {});
  });
}

function defineQueueTests(): void {
  const dir = tempDir('rnn-scratch-queue-');
  let redis: RedisServer;
  const workers: Worker[] = [];

  beforeAll(async () => {
    checkBuilt();
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) => cli(dir, args, env);
  const json = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));
  /** TINY without some of its flags (those a test puts in its grid). */
  const tiny = (...without: string[]) =>
    TINY.filter((arg, i) => !without.some((name) => arg === `--${name}` || TINY[i - 1] === `--${name}`));

  function worker(args: string[], env: Record<string, string> = {}): Worker {
    const w = new Worker(dir, args, env);
    workers.push(w);
    return w;
  }

  /** Run the CLI without blocking this process (the workers' output keeps coming in meanwhile). */
  function runAsync(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const done = new Promise<Result & { signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done, output: () => stdout };
  }

  /** Run the CLI to its end without blocking this process (so the workers' output is read meanwhile). */
  const runDone = (args: string[], env: Record<string, string> = {}) => runAsync(args, env).done;

  /** The epoch of the checkpoint in a run folder (0 while it has none). */
  function savedEpoch(folder: string): number {
    try {
      return json(`${folder}/checkpoint.json`).epoch as number;
    } catch {
      return 0;
    }
  }

  async function until(ready: () => boolean, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  interface Row {
    name: string;
    status: string;
    perplexity: number | null;
    validPerplexity: number | null;
    epoch: number | null;
    backend: string | null;
    error: string | null;
  }

  /** checkpoint.json without what differs between two saves of the same state (the time, the checksum). */
  function metaOf(folder: string): Record<string, unknown> {
    const { createdAt: _t, checksum: _c, ...rest } = JSON.parse(readFileSync(join(folder, 'checkpoint.json'), 'utf8'));
    return rest;
  }

  describe('a sweep through a queue', () => {
    // The exercises' flags in the grid (no clipping: --theta inf), and files shipped through Redis: the corpus
    // and the held-out text (the runs are ranked by held-out perplexity).
    const GRID = [
      ...['--grid', 'lr=0.5,1,2', '--grid', 'theta=1,inf'],
      ...['--corpus', 'corpus.txt', '--valid-corpus', 'valid.txt'],
      ...tiny(),
    ];

    it('6 runs over 2 workers: the same results and checkpoint folders as the local sweep; a re-run enqueues nothing', async () => {
      const book = readFileSync(join(REPO, 'packages/core/data/timemachine.txt'), 'utf8');
      writeFileSync(join(dir, 'corpus.txt'), book.slice(0, 4000));
      writeFileSync(join(dir, 'valid.txt'), book.slice(4000, 5000));
      const a = worker(['--queue', redis.url('same')]);
      const b = worker(['--queue', redis.url('same')]);
      await Promise.all([a.waitFor(/^rnn-scratch worker .*: taking runs from/), b.waitFor(/taking runs from/)]);
      const queued = await runDone(['sweep', ...GRID, '--queue', redis.url('same'), '--out', 'queued', '--json']);
      expect(queued.code, queued.stderr).toBe(0);
      const local = await runDone(['sweep', ...GRID, '--jobs', '2', '--out', 'local', '--json']);
      expect(local.code, local.stderr).toBe(0);

      const [fromQueue, fromLocal] = [JSON.parse(queued.stdout), JSON.parse(local.stdout)];
      const q = fromQueue.runs as Row[];
      expect(q.map((r) => r.status)).toEqual(Array(6).fill('completed'));
      expect(fromQueue.sortedBy).toBe('validPerplexity');
      const numbers = (runs: Row[]) => runs.map((r) => [r.name, r.perplexity, r.validPerplexity, r.epoch, r.backend]);
      expect(numbers(q)).toEqual(numbers(fromLocal.runs));
      expect(q.map((r) => r.name)).toContain('lr=2,theta=inf');
      for (const r of q) {
        const [queuedRun, localRun] = [join(dir, 'queued', r.name), join(dir, 'local', r.name)];
        expect(readdirSync(queuedRun).sort()).toEqual(['checkpoint.json', 'params.safetensors', 'perplexity.svg']);
        expect(readFileSync(join(queuedRun, 'params.safetensors'))).toEqual(
          readFileSync(join(localRun, 'params.safetensors')),
        );
        // The same history, settings and paths (the sweep's corpus files, not the workers' copies).
        expect(metaOf(queuedRun)).toEqual(metaOf(localRun));
        expect(readFileSync(join(queuedRun, 'perplexity.svg'))).toEqual(readFileSync(join(localRun, 'perplexity.svg')));
      }
      expect(json('queued/lr=1,theta=inf/checkpoint.json').hyperparameters).toMatchObject({
        theta: 'inf',
        validCorpus: join(dir, 'valid.txt'),
      });
      // Both workers trained, each run exactly once; the manifest records where and when.
      expect(a.lines(/: started$/).length + b.lines(/: started$/).length).toBe(6);
      expect(a.lines(/: started$/).length).toBeGreaterThan(0);
      expect(b.lines(/: started$/).length).toBeGreaterThan(0);
      const entry = json('queued/sweep.json').runs[0];
      expect(entry.queue.worker).toMatch(/^.+\/\d+$/);
      expect(entry.queue.startedAt).toBeGreaterThanOrEqual(entry.queue.enqueuedAt);
      expect(entry.queue.savedAt).toBeGreaterThanOrEqual(entry.queue.trainEndedAt);
      expect(json('queued/sweep.json').queue).toBe(redis.url('same'));

      // Nothing of the sweep is left in Redis (the shipped files expire), and running it again enqueues nothing.
      expect(redis.cli('--scan', '--pattern', 'rnn-scratch:same:checkpoint:*')).toBe('');
      expect(redis.cli('--scan', '--pattern', `bull:same:${json('queued/sweep.json').id}-*`)).toBe('');
      const again = await runDone(['sweep', ...GRID, '--queue', redis.url('same'), '--out', 'queued']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^rnn-scratch sweep: 6 runs \(lr x theta\), all finished before; /);
      await new Promise((r) => setTimeout(r, 500));
      expect(a.lines(/: started$/).length + b.lines(/: started$/).length).toBe(6);
      await Promise.all([a.stop(), b.stop()]);
    }, 180_000);

    it('a worker killed with SIGKILL mid-run: another worker resumes the run from its last checkpoint, same numbers', async () => {
      const LONG = [...tiny('epochs'), '--epochs', '80', '--every', '1', '--seed', '3'];
      const env = { RNN_SCRATCH_QUEUE_LOCK_MS: '1000' };
      const first = worker(['--queue', redis.url('kill')], env);
      await first.waitFor(/taking runs from/);
      const sweep = runAsync(['sweep', '--grid', 'lr=1', ...LONG, '--queue', redis.url('kill'), '--out', 'killed']);
      await first.waitFor(/^lr=1: started$/);
      const second = worker(['--queue', redis.url('kill')], env);
      await second.waitFor(/taking runs from/);
      // Once the sweep folder holds a checkpoint of a few epochs (copied from Redis), kill the worker.
      await until(() => savedEpoch('killed/lr=1') >= 3);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');

      const done = await sweep.done;
      expect(done.code, done.stderr).toBe(0);
      const resumed = second.lines(/^lr=1: continues from its checkpoint at epoch (\d+)$/);
      expect(resumed).toHaveLength(1);
      const from = Number(/epoch (\d+)$/.exec(resumed[0])![1]);
      expect(from).toBeGreaterThanOrEqual(3);
      // The sweep says where the run went: one attempt per worker.
      const [firstId, secondId] = [first, second].map((w) => /^rnn-scratch worker (\S+):/m.exec(w.stderr)![1]);
      expect(done.stdout).toContain(`lr=1: started on ${firstId}\n`);
      expect(done.stdout).toContain(`lr=1: continues from its checkpoint at epoch ${from} on ${secondId}\n`);
      expect(json('killed/sweep.json').runs[0]).toMatchObject({ attempts: 2, status: 'completed' });

      // The uninterrupted run, for comparison: same history, same parameters, every epoch counted once.
      const alone = run(['train', ...LONG, '--lr', '1', '--out', 'alone-kill', '--json']);
      expect(alone.code, alone.stderr).toBe(0);
      const meta = json('killed/lr=1/checkpoint.json');
      expect(meta.history).toEqual(json('alone-kill/checkpoint.json').history);
      expect(meta.history.map((h: { epoch: number }) => h.epoch)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(readFileSync(join(dir, 'killed/lr=1/params.safetensors'))).toEqual(
        readFileSync(join(dir, 'alone-kill/params.safetensors')),
      );
      expect(json('killed/results.json').runs[0].perplexity).toBe(JSON.parse(alone.stdout).perplexity);
      // The dead worker's run stopped with it, and its temporary folder is gone.
      const pid = first.child.pid!;
      expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`rnn-scratch-worker-${pid}-`))).toEqual([]);
      await second.stop();
    }, 180_000);

    it('Ctrl-C on a worker puts its run back on the queue at its last epoch; another worker finishes it exactly', async () => {
      const LONG = [...tiny('epochs'), '--epochs', '60', '--every', '1', '--seed', '4'];
      const first = worker(['--queue', redis.url('wstop')]);
      await first.waitFor(/taking runs from/);
      const sweep = runAsync(['sweep', '--grid', 'lr=1', ...LONG, '--queue', redis.url('wstop'), '--out', 'wstop']);
      await first.waitFor(/^lr=1: started$/);
      await until(() => savedEpoch('wstop/lr=1') >= 3);
      const stopped = await first.stop();
      expect(stopped.code, first.stderr).toBe(130);
      expect(first.lines(/^lr=1: stopped; back on the queue at its last completed epoch$/)).toHaveLength(1);
      expect(first.stderr).toMatch(
        /\nrnn-scratch: interrupted: 1 run went back on the queue at the last completed epoch\n$/,
      );
      expect(redis.cli('LLEN', 'bull:wstop:wait')).toBe('1');

      const second = worker(['--queue', redis.url('wstop')]);
      const done = await sweep.done;
      expect(done.code, done.stderr).toBe(0);
      expect(second.lines(/^lr=1: continues from its checkpoint at epoch \d+$/)).toHaveLength(1);
      const alone = run(['train', ...LONG, '--lr', '1', '--out', 'alone-wstop', '--json']);
      expect(alone.code, alone.stderr).toBe(0);
      expect(json('wstop/lr=1/checkpoint.json').history).toEqual(json('alone-wstop/checkpoint.json').history);
      expect(readFileSync(join(dir, 'wstop/lr=1/params.safetensors'))).toEqual(
        readFileSync(join(dir, 'alone-wstop/params.safetensors')),
      );
      await second.stop();
    }, 180_000);

    it("a run whose flags train rejects fails with train's one-line reason; the sweep reports it, goes on, exits 8", async () => {
      const w = worker(['--queue', redis.url('invalid')]);
      const r = await runDone([
        'sweep',
        '--grid',
        'max-tokens=400,12',
        ...tiny('max-tokens'),
        '--queue',
        redis.url('invalid'),
        '--out',
        'invalid',
      ]);
      expect(r.code, r.stderr).toBe(8);
      expect(r.stderr).toMatch(
        /^rnn-scratch: 1 of 2 runs failed \(max-tokens=12: corpus has 12 tokens .* needs at least 26 .*\); the others' results are kept; /,
      );
      expect(r.stdout).toMatch(/^1\s+400\s+\d+\.\d+\s+3\s+\S+\s+completed$/m);
      const failed = json('invalid/results.json').runs[1] as Row;
      expect(failed).toMatchObject({ name: 'max-tokens=12', status: 'failed' });
      expect(failed.error).toMatch(/^corpus has 12 tokens .* needs at least 26/);
      expect(failed.error).not.toMatch(/\n/);
      expect(w.lines(/^max-tokens=12: failed: corpus has 12 tokens/)).toHaveLength(1);
      expect(w.child.exitCode).toBe(null); // the worker goes on
      await w.stop();
    }, 120_000);

    it('a job that is not a run this worker can train fails with a one-line reason; the worker goes on', async () => {
      const w = worker(['--queue', redis.url('foreign')]);
      await w.waitFor(/taking runs from/);
      const { Queue } = await import('bullmq');
      const queue = new Queue('foreign', { connection: { host: '127.0.0.1', port: redis.port } });
      try {
        const old = await queue.add('old', { format: 'rnn-scratch-run', version: 0, name: 'x', args: [] });
        const other = await queue.add('other', { hello: 'world' });
        await until(() => w.lines(/^job \S+ \((old|other)\): failed: this worker cannot train it: /).length === 2);
        await until(() => redis.cli('ZCARD', 'bull:foreign:failed') === '2');
        expect((await queue.getJob(old.id!))!.failedReason).toMatch(
          /^this worker cannot train it: a run of job format version 0; this worker reads version 1 \(use the same rnn-scratch version for the sweep and its workers\)$/,
        );
        expect((await queue.getJob(other.id!))!.failedReason).toBe(
          'this worker cannot train it: not a run of rnn-scratch sweep',
        );
      } finally {
        await queue.close();
      }
      expect(w.child.exitCode).toBe(null);
      await w.stop();
    }, 60_000);

    it('Ctrl-C on the sweep takes the runs not started off the queue; the one in progress is collected by --resume', async () => {
      const w = worker(['--queue', redis.url('ctrlc')]);
      const args = [
        'sweep',
        '--grid',
        'seed=1,2,3',
        ...tiny('epochs'),
        '--epochs',
        '40',
        '--queue',
        redis.url('ctrlc'),
        '--out',
        'ctrlc',
      ];
      const sweep = runAsync(args);
      await w.waitFor(/^seed=1: started$/);
      sweep.child.kill('SIGINT');
      const stopped = await sweep.done;
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toMatch(
        /^rnn-scratch: interrupted: 0 of 3 runs finished \(results in ctrlc\/results\.json\), 2 stopped at their last completed epoch, 1 still training on workers \(collected by --resume\); continue with: rnn-scratch sweep --resume ctrlc\n$/,
      );
      // Consistent: nothing waits on the queue; the run in progress finishes on its worker.
      expect(redis.cli('LLEN', 'bull:ctrlc:wait')).toBe('0');
      await w.waitFor(/^seed=1: completed/);
      // --resume alone goes through the queue the sweep recorded.
      const resumed = await runDone(['sweep', '--resume', 'ctrlc', '--json']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout).runs.map((r: Row) => r.status)).toEqual(Array(3).fill('completed'));
      expect(w.lines(/: started$/)).toEqual(['seed=1: started', 'seed=2: started', 'seed=3: started']);
      await w.stop();
    }, 180_000);
  });

  describe('a checkpoint stored on the queue', () => {
    const files = (epoch: number, status: CheckpointFiles['status'], svg?: string): CheckpointFiles => ({
      epoch,
      status,
      meta: Buffer.from(JSON.stringify({ epoch, status })),
      params: Buffer.from(`params of epoch ${epoch}`),
      files: svg === undefined ? {} : { 'perplexity.svg': Buffer.from(svg) },
    });

    it('only moves forward, and the final read of a folder replaces one taken while its last save was moving files', async () => {
      const redisClient = new Redis(redis.port, '127.0.0.1');
      const key = 'rnn-scratch:test:checkpoint:forward';
      const stored = async () => checkpointFromHash(await redisClient.hgetallBuffer(key));
      try {
        expect(await storeCheckpoint(redisClient, key, files(3, 'running', 'a'))).toBe(true);
        expect(await storeCheckpoint(redisClient, key, files(2, 'running', 'b'), true)).toBe(false);
        // The last save, read between its commit and the renaming of its figure: no perplexity.svg.
        expect(await storeCheckpoint(redisClient, key, files(5, 'completed'))).toBe(true);
        expect(await storeCheckpoint(redisClient, key, files(5, 'completed', 'c'))).toBe(false);
        expect(await storeCheckpoint(redisClient, key, files(5, 'running', 'd'), true)).toBe(false);
        expect(await storeCheckpoint(redisClient, key, files(5, 'completed', 'c'), true)).toBe(true);
        const last = await stored();
        expect([last?.epoch, last?.status, last?.files['perplexity.svg']?.toString()]).toEqual([5, 'completed', 'c']);
      } finally {
        await redisClient.quit();
      }
    });
  });

  describe('Redis unreachable', () => {
    it('one line and exit code 9, before anything is created; the worker likewise; the retry enqueues each run once', async () => {
      const closed = await freePort();
      const args = [
        'sweep',
        '--grid',
        'seed=1,2',
        ...TINY,
        '--queue',
        `redis://127.0.0.1:${closed}/q`,
        '--out',
        'later',
      ];
      const r = await runDone(args);
      expectOneLineError(
        r,
        9,
        new RegExp(
          `^rnn-scratch: cannot use the queue at redis://127\\.0\\.0\\.1:${closed}/q: connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}; is redis-server running there\\?$`,
        ),
      );
      expect(existsSync(join(dir, 'later'))).toBe(false);
      expectOneLineError(
        run(['worker', '--queue', `redis://127.0.0.1:${closed}/q`]),
        9,
        /^rnn-scratch: cannot use the queue at /,
      );
      // Redis comes up on that port: the same command again enqueues each run once.
      const late = await startRedis({ port: closed });
      try {
        const w = worker(['--queue', late.url('q')]);
        const again = await runDone(args);
        expect(again.code, again.stderr).toBe(0);
        expect(w.lines(/: started$/).sort()).toEqual(['seed=1: started', 'seed=2: started']);
        await w.stop();
      } finally {
        await late.stop();
      }
    }, 120_000);

    it('a sweep that dies after enqueueing and runs again does not enqueue its runs twice', async () => {
      const args = ['sweep', '--grid', 'seed=1,2', ...TINY, '--queue', redis.url('twice'), '--out', 'twice'];
      const first = runAsync(args);
      await until(() => redis.cli('LLEN', 'bull:twice:wait') === '2');
      first.child.kill('SIGKILL');
      await first.done;
      const second = runAsync(args);
      await until(() => second.output().includes('rnn-scratch sweep: 2 runs'));
      await new Promise((r) => setTimeout(r, 500));
      expect(redis.cli('LLEN', 'bull:twice:wait')).toBe('2');
      const w = worker(['--queue', redis.url('twice')]);
      const done = await second.done;
      expect(done.code, done.stderr).toBe(0);
      expect(w.lines(/: started$/).sort()).toEqual(['seed=1: started', 'seed=2: started']);
      await w.stop();
    }, 120_000);
  });

  describe('the queue address', () => {
    it.each([
      [
        ['sweep', '--grid', 'lr=1', '--queue', 'http://127.0.0.1/q'],
        /^rnn-scratch: --queue expects a redis:\/\/ or rediss:\/\/ address/,
      ],
      [
        ['sweep', '--grid', 'lr=1', '--queue', 'redis://:hunter2@127.0.0.1:1'],
        /^rnn-scratch: --queue needs a queue name after the address: redis:\/\/:\*\*\*@127\.0\.0\.1:1\/NAME$/,
      ],
      [['worker', '--queue', 'redis://127.0.0.1/a:b'], /queue name 'a:b' may only have letters, digits/],
      [['worker'], /^rnn-scratch: give the queue with --queue redis:\/\/HOST:PORT\/NAME/],
      [
        ['sweep', '--grid', 'lr=1', '--queue', 'redis://127.0.0.1/q', '--jobs', '2'],
        /--jobs runs processes on this machine; with --queue, each worker says/,
      ],
      [['worker', '--queue', 'redis://127.0.0.1/q', '--backend', 'onx'], /--backend/],
    ])('%j: exit 2, one line, no password', (args, message) => {
      const r = run(args as string[]);
      expectOneLineError(r, 2, message);
      expect(r.stderr).not.toMatch(/hunter2/);
    });
  });

  describe('worker flags', () => {
    it("--backend trains every run on the worker's backend; --jobs trains several at once", async () => {
      const w = worker(['--queue', redis.url('flags'), '--backend', 'tfjs:cpu', '--jobs', '2']);
      const r = await runDone([
        'sweep',
        '--grid',
        'seed=1,2',
        ...tiny('epochs'),
        '--epochs',
        '8',
        '--queue',
        redis.url('flags'),
        '--out',
        'flags',
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const rows = JSON.parse(r.stdout).runs as Row[];
      expect(rows.map((x) => x.backend)).toEqual(['tfjs:cpu', 'tfjs:cpu']);
      expect(w.stderr).toMatch(/2 at a time, on tfjs:cpu$/m);
      expect(w.stdout).toBe('');
      const [s1, s2] = json('flags/sweep.json').runs.map(
        (e: { queue: { startedAt: number; trainEndedAt: number } }) => e.queue,
      );
      expect(s2.startedAt < s1.trainEndedAt && s1.startedAt < s2.trainEndedAt).toBe(true);
      await w.stop();
    }, 120_000);
  });

  describe('a password', () => {
    const SECRET = 'pw-6f1d2c-never-shown';

    it('works from the address and from RNN_SCRATCH_QUEUE_PASSWORD, and never appears in output, files or errors', async () => {
      const guarded = await startRedis({ password: SECRET });
      try {
        const w = new Worker(dir, ['--queue', guarded.url('secret')], { RNN_SCRATCH_QUEUE_PASSWORD: SECRET });
        workers.push(w);
        await w.waitFor(/taking runs from redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/secret/);
        const r = await runDone([
          'sweep',
          '--grid',
          'seed=1,2',
          ...TINY,
          '--queue',
          guarded.url('secret', SECRET),
          '--out',
          'secret',
        ]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/through the queue redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/secret/);
        const wrong = run([
          'sweep',
          '--grid',
          'seed=1',
          ...TINY,
          '--queue',
          guarded.url('secret', 'not-it'),
          '--out',
          'wrong',
        ]);
        expectOneLineError(
          wrong,
          9,
          /^rnn-scratch: cannot use the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/secret: it refused the user name or password$/,
        );
        const none = run(['worker', '--queue', guarded.url('secret')]);
        expectOneLineError(
          none,
          9,
          /: it needs a password: give it in the address .* or in RNN_SCRATCH_QUEUE_PASSWORD$/,
        );
        // --resume finds the queue in sweep.json, without the password; that comes from the environment.
        const resumed = run(['sweep', '--resume', 'secret'], { RNN_SCRATCH_QUEUE_PASSWORD: SECRET });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stdout).toMatch(/^rnn-scratch sweep: 2 runs \(seed\), all finished before; /);
        expectOneLineError(run(['sweep', '--resume', 'secret']), 9, /: it needs a password: /);
        await w.stop();

        const texts = [r.stdout, r.stderr, wrong.stderr, none.stderr, w.stdout, w.stderr, resumed.stdout];
        const files = (folder: string): string[] =>
          readdirSync(folder).flatMap((n) => {
            const path = join(folder, n);
            return statSync(path).isDirectory() ? files(path) : [path];
          });
        for (const path of files(join(dir, 'secret'))) texts.push(readFileSync(path).toString('latin1'));
        expect(texts.filter((t) => t.includes(SECRET))).toEqual([]);
      } finally {
        await guarded.stop();
      }
    }, 120_000);
  });

  describe('TLS', () => {
    it('rediss:// connects with TLS, checking the certificate (a private CA through NODE_EXTRA_CA_CERTS)', async () => {
      const certs = tempDir('rnn-scratch-tls-');
      const tls = makeTls(certs);
      const secure = await startRedis({ tls });
      try {
        const ca = { NODE_EXTRA_CA_CERTS: tls.ca };
        const untrusted = run(['worker', '--queue', secure.url('tls')]);
        expectOneLineError(
          untrusted,
          9,
          /^rnn-scratch: cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+\/tls: TLS: .*certificate/,
        );
        const w = new Worker(dir, ['--queue', secure.url('tls')], ca);
        workers.push(w);
        const r = await runDone(
          ['sweep', '--grid', 'seed=1', ...TINY, '--queue', secure.url('tls'), '--out', 'tls', '--json'],
          ca,
        );
        expect(r.code, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout).runs[0].status).toBe('completed');
        await w.stop();
      } finally {
        await secure.stop();
        rmSync(certs, { recursive: true, force: true });
      }
    }, 120_000);
  });
}
