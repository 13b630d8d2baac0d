// `npm run bench:queue`: what the queue costs per run. The same 6-run sweep (lr=0.5,1,2 x num-hiddens=128,256)
// runs locally with --jobs W and through a private redis-server (127.0.0.1, a free port, its own temporary
// folder, stopped at the end) with W worker processes (--jobs 1 each), repeated and interleaved. From the
// times each queued run records in sweep.json it takes, per run:
//
// - pickup: from the moment the run could start (enqueued, and its worker free) until a worker took it;
// - on the worker, besides training: fetching the files and checkpoint, starting train, storing the final
//   checkpoint and reporting (the time from taking the job to finishing it, minus train's process time);
// - result transfer: from the worker's report until the sweep has written the checkpoint into its folder;
//
// against the run's own time (train's process, on the worker and in the local sweep). Prints and appends to
// BENCHMARKS.md, with the date, the machine, its load and the command.
//
//   npm run bench:queue -- [--repeats 3] [--epochs 40] [--backend onnx:cpu] [--workers 2] [--no-write]

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/cli/bin/rnn-scratch.js');
const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    epochs: { type: 'string', default: '40' },
    backend: { type: 'string', default: 'onnx:cpu' },
    workers: { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
  },
});
const repeats = Number(values.repeats);
const workerCount = Number(values.workers);
const grid = ['--grid', 'lr=0.5,1,2', '--grid', 'num-hiddens=128,256'];
const flags = ['--epochs', values.epochs, '--backend', values.backend];
const temp = mkdtempSync(join(tmpdir(), 'rnn-scratch-bench-queue-'));

interface Timing {
  worker: string;
  enqueuedAt: number;
  startedAt: number;
  trainSeconds: number;
  trainEndedAt: number;
  finishedAt: number;
  savedAt: number;
}
interface Entry {
  name: string;
  seconds: number;
  queue?: Timing;
}
interface Sweep {
  how: 'local' | 'queue';
  seconds: number;
  load: number;
  entries: Entry[];
  perplexities: Record<string, number | null>;
  checkpointBytes: number[];
  /** When the sweep's process started and ended (ms since the epoch). */
  began: number;
  exited: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

async function startRedis(port: number): Promise<ChildProcess> {
  const dir = join(temp, 'redis');
  spawnSync('mkdir', ['-p', dir]);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`redis-server did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return server;
}

/** One sweep, through the CLI; its entries (with the queue's times) and checkpoint sizes. */
async function sweep(how: 'local' | 'queue', queue: string, k: number): Promise<Sweep> {
  const out = join(temp, `${how}-${k}`);
  const load = loadavg()[0];
  process.stderr.write(`bench:queue ${how}, repeat ${k + 1}/${repeats} (load ${load.toFixed(1)}) ... `);
  const where = how === 'local' ? ['--jobs', String(workerCount)] : ['--queue', queue];
  const start = performance.now();
  const began = Date.now();
  const child = spawn(process.execPath, [bin, 'sweep', ...grid, ...flags, ...where, '--out', out, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - start) / 1000;
  const exited = Date.now();
  if (code !== 0) throw new Error(`the ${how} sweep failed (exit ${code}): ${stderr.trim()}`);
  const results = JSON.parse(stdout) as { runs: Array<{ name: string; perplexity: number | null; status: string }> };
  if (results.runs.some((x) => x.status !== 'completed')) throw new Error(`not every run completed in ${out}`);
  const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { runs: Entry[] };
  const checkpointBytes = manifest.runs.map(
    (e) => statSync(join(out, e.name, 'params.safetensors')).size + statSync(join(out, e.name, 'checkpoint.json')).size,
  );
  process.stderr.write(`${seconds.toFixed(1)} s\n`);
  rmSync(out, { recursive: true, force: true });
  const perplexities = Object.fromEntries(results.runs.map((x) => [x.name, x.perplexity]));
  return { how, seconds, load, entries: manifest.runs, perplexities, checkpointBytes, began, exited };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Each queued run's overheads (ms): pickup, on the worker besides training, result transfer. */
function overheads(s: Sweep): Array<{ pickup: number; worker: number; transfer: number; train: number }> {
  const timed = s.entries.map((e) => e.queue!).sort((a, b) => a.startedAt - b.startedAt);
  return timed.map((t) => {
    // The worker (one run at a time) was free when its previous run finished.
    const previous = timed.filter((o) => o.worker === t.worker && o.finishedAt <= t.startedAt).at(-1);
    const ready = Math.max(t.enqueuedAt, previous?.finishedAt ?? -Infinity);
    return {
      pickup: t.startedAt - ready,
      worker: t.finishedAt - t.startedAt - t.trainSeconds * 1000,
      transfer: t.savedAt - t.finishedAt,
      train: t.trainSeconds,
    };
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  const redis = await startRedis(port);
  const queue = `redis://127.0.0.1:${port}/bench`;
  const log = openSync(join(temp, 'workers.log'), 'a');
  const workers = Array.from({ length: workerCount }, () =>
    spawn(process.execPath, [bin, 'worker', '--queue', queue, '--jobs', '1'], { stdio: ['ignore', 'ignore', log] }),
  );
  const sweeps: Sweep[] = [];
  try {
    await new Promise((r) => setTimeout(r, 2000)); // the workers connect
    for (let k = 0; k < repeats; k++) {
      const order = k % 2 === 0 ? (['local', 'queue'] as const) : (['queue', 'local'] as const);
      for (const how of order) sweeps.push(await sweep(how, queue, k));
    }
  } finally {
    for (const w of workers) w.kill('SIGINT');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode === null ? w.on('close', r) : r(null)))));
    redis.kill('SIGTERM');
    await new Promise((r) => (redis.exitCode === null ? redis.on('close', r) : r(null)));
    rmSync(temp, { recursive: true, force: true });
  }
  report(sweeps);
}

const firstEnqueue = (s: Sweep) => Math.min(...s.entries.map((e) => e.queue!.enqueuedAt)) - s.began;
const lastSaved = (s: Sweep) => s.exited - Math.max(...s.entries.map((e) => e.queue!.savedAt));

function report(sweeps: Sweep[]): void {
  const local = sweeps.filter((s) => s.how === 'local');
  const queued = sweeps.filter((s) => s.how === 'queue');
  const reference = JSON.stringify(sweeps[0].perplexities);
  const same = sweeps.every((s) => JSON.stringify(s.perplexities) === reference);
  const o = queued.flatMap(overheads);
  const localRun = local.flatMap((s) => s.entries.map((e) => e.seconds));
  const total = o.map((x) => x.pickup + x.worker + x.transfer);
  const f1 = (x: number) => x.toFixed(1);
  const f0 = (x: number) => x.toFixed(0);
  const row = (what: string, xs: number[], f: (x: number) => string, unit: string) =>
    `| ${what} | ${f(median(xs))} ${unit} | ${f(Math.min(...xs))}-${f(Math.max(...xs))} ${unit} |`;
  const table = [
    `| per run (${o.length} queued runs, ${localRun.length} local) | median | min-max |`,
    '|---|---|---|',
    row(
      'pickup: ready to taken by a worker',
      o.map((x) => x.pickup),
      f0,
      'ms',
    ),
    row(
      'on the worker besides training (files, checkpoint, start, store, report)',
      o.map((x) => x.worker),
      f0,
      'ms',
    ),
    row(
      'result transfer: reported to written into the sweep folder',
      o.map((x) => x.transfer),
      f0,
      'ms',
    ),
    row('queue overhead in all', total, f0, 'ms'),
    row('per sweep: its start to its first enqueue (connecting)', queued.map(firstEnqueue), f0, 'ms'),
    row('per sweep: its last result written to its exit', queued.map(lastSaved), f0, 'ms'),
    row(
      "the run's own time on a worker (train's process)",
      o.map((x) => x.train),
      f1,
      's',
    ),
    row("the run's own time in the local sweep", localRun, f1, 's'),
    row(
      'checkpoint transferred (params.safetensors + checkpoint.json)',
      queued.flatMap((s) => s.checkpointBytes).map((b) => b / 1024),
      f0,
      'KiB',
    ),
    row(
      `sweep wall time, local --jobs ${workerCount}`,
      local.map((s) => s.seconds),
      f1,
      's',
    ),
    row(
      `sweep wall time, queue with ${workerCount} workers`,
      queued.map((s) => s.seconds),
      f1,
      's',
    ),
  ].join('\n');
  const share = (median(total) / 1000 / median(o.map((x) => x.train))) * 100;
  const summary =
    `queue overhead per run: median ${f0(median(total))} ms, ${share.toFixed(1)}% of the median run time ` +
    `(${f1(median(o.map((x) => x.train)))} s); final perplexities ${same ? 'identical in every sweep, local and queued' : 'DIFFER between sweeps'}`;
  process.stdout.write(`\n${table}\n\n${summary}\n`);
  if (values['no-write']) return;
  const argv = process.argv.slice(2).join(' ');
  const file = join(root, 'BENCHMARKS.md');
  appendFileSync(
    file,
    `\n## Queue, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ` +
      `load average at the start of each sweep: ${sweeps.map((s) => f1(s.load)).join(', ')}\n` +
      `- command: \`npm run bench:queue${argv ? ` -- ${argv}` : ''}\`, which runs \`rnn-scratch sweep ${grid.join(' ')} ${flags.join(' ')}\` ` +
      `with --jobs ${workerCount}, and through a local redis-server with ${workerCount} \`rnn-scratch worker --jobs 1\`, ${repeats} times each, interleaved\n` +
      `- ${summary}\n\n` +
      `${table}\n`,
  );
  process.stderr.write(`bench:queue: appended to ${file}\n`);
}

await main();
