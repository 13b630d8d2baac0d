// `npm run bench`: train-step throughput of our backends side by side with PyTorch eager (the book's own
// framework, implementing the same spec in bench/torch_rnn.py) in ONE invocation, on the same work.
//
// Both sides at their best: PyTorch with the same input encoding as ours (rows of W_xh) and its best
// OpenBLAS kernel (bench/openblas.py: forced from the CPU's flags when OpenBLAS detects an older CPU,
// after a correctness check; the kernel OpenBLAS reports is in the table), and every engine at each
// thread count of --threads, the best one compared (engines without a thread setting run once). Each
// engine runs in its own process; every configuration is repeated (--repeats, default 3) in interleaved
// order and the MEDIAN is reported.
//
// Workloads: the book's run (The Time Machine, 10,000 tokens, vocabulary 28) at each of --sizes, and a
// large vocabulary (bench/corpus.ts: 300 Tang poems, vocabulary 2,578, unicode preprocessing, the whole
// text) at H = --large-vocab. The table is printed and appended to BENCHMARKS.md with the date, machine
// and command.
//
// An engine `ID*N` is backend ID trained data-parallel on N worker threads (`rnn-scratch train --workers N`),
// one intra-op thread each.
//
//   npm run bench -- [--sizes 128,512,2048] [--large-vocab 512|none] [--backends onnx:cpu,onnx:cpu*2,tfjs:wasm]
//     [--threads 1,2] [--repeats 3] [--no-write]

import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BenchCorpus, largeVocabCorpus } from './corpus.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '128,512,2048' },
    'large-vocab': { type: 'string', default: '512' },
    backends: { type: 'string', default: cpus().length >= 2 ? 'onnx:cpu,onnx:cpu*2,tfjs:wasm' : 'onnx:cpu,tfjs:wasm' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: cpus().length >= 2 ? '1,2' : '1' },
    epochs: { type: 'string' },
    'large-vocab-epochs': { type: 'string', default: '3' },
    python: { type: 'string', default: process.env.RNN_SCRATCH_PYTHON ?? '/usr/bin/python3' },
    'no-write': { type: 'boolean', default: false },
  },
});

/** Epochs per size: enough for a stable last-epoch timing, short enough for a 2-core machine. */
function epochsFor(H: number): number {
  if (values.epochs) return Number(values.epochs);
  return H <= 128 ? 30 : H <= 512 ? 12 : 3;
}

interface Workload {
  readonly key: string;
  /** How the table names the corpus. */
  readonly corpus: string;
  readonly H: number;
  readonly epochs: number;
  /** Corpus arguments, the same for bench/ours.ts and bench/torch_rnn.py. */
  readonly args: readonly string[];
}

interface Result {
  tokensPerSec: number;
  averageTokensPerSec: number;
  perplexity: number;
  wallSeconds: number;
  peakRssMiB: number;
  vocabSize: number;
  /** The intra-op threads the engine ran with; null when it has no such setting. */
  threads: number | null;
  /** PyTorch only: the kernel OpenBLAS reported. */
  core?: string;
}

interface Cell {
  readonly runs: Result[];
  error?: string;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function torchAvailable(): string | undefined {
  const r = spawnSync(values.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `PyTorch not importable with ${values.python} (run: npm run bench:setup)`;
}

interface BlasChoice {
  readonly env: Record<string, string>;
  readonly core: string | null;
  readonly detectedCore: string | null;
  readonly reason: string;
  readonly checks: ReadonlyArray<{
    coretype: string | null;
    threads: number;
    core: string | null;
    gflops?: Record<string, number>;
    error?: string;
  }>;
}

/** PyTorch's OpenBLAS kernel for this CPU (bench/openblas.py), checked at every thread count used. */
function chooseBlas(threads: readonly number[]): BlasChoice | { error: string } {
  const r = spawnSync(values.python, [join(root, 'bench/openblas.py'), '--threads', threads.join(',')], {
    encoding: 'utf8',
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return { error: (r.stderr || r.stdout).trim().split('\n').pop() ?? '' };
  return JSON.parse(line) as BlasChoice;
}

function runOne(
  engine: string,
  w: Workload,
  threads: number,
  blasEnv: Record<string, string>,
): Result | { error: string } {
  const t = String(threads);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: t,
    OMP_WAIT_POLICY: 'PASSIVE',
    OPENBLAS_NUM_THREADS: t,
  };
  const common = ['--epochs', String(w.epochs), '--num-hiddens', String(w.H), '--threads', t, ...w.args];
  let cmd: string;
  let args: string[];
  if (engine === 'pytorch') {
    delete env.OPENBLAS_CORETYPE;
    Object.assign(env, blasEnv, { OPENBLAS_VERBOSE: '2' });
    // The input as rows of W_xh, as our backends compute it (the book's one_hot(X) @ W_xh is the same
    // product, with a V-wide multiply that at V = 2,578 doubles PyTorch's time).
    [cmd, args] = [values.python, [join(root, 'bench/torch_rnn.py'), '--json', '--encoding', 'gather', ...common]];
  } else {
    const [backend, workers = '1'] = engine.split('*');
    [cmd, args] = [
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'bench/ours.ts'), '--backend', backend, ...common],
    ];
    args.push('--workers', workers);
  }
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    const why = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
    return { error: why.slice(0, 200) };
  }
  const out = JSON.parse(line) as Result;
  if (engine === 'pytorch') {
    out.core = /Core: (\S+)/.exec(r.stderr)?.[1] ?? 'not reported';
  }
  return out;
}

// ---- what to run -------------------------------------------------------------------------------
const threadCounts = values.threads.split(',').map(Number);
const workloads: Workload[] = values.sizes
  .split(',')
  .filter(Boolean)
  .map((s) => Number(s))
  .map((H) => ({ key: `tm@${H}`, corpus: 'timemachine', H, epochs: epochsFor(H), args: [] }));
let large: BenchCorpus | undefined;
if (values['large-vocab'] !== 'none' && values['large-vocab'] !== '') {
  large = largeVocabCorpus();
  const H = Number(values['large-vocab']);
  workloads.push({
    key: `large@${H}`,
    corpus: large.name,
    H,
    epochs: Number(values['large-vocab-epochs']),
    args: ['--corpus', large.path, '--preprocess', 'unicode', '--max-tokens', '0'],
  });
}
const engines = ['pytorch', ...values.backends.split(',').filter(Boolean)];

const torchMissing = torchAvailable();
let blas: BlasChoice | undefined;
let blasError: string | undefined;
if (!torchMissing) {
  process.stderr.write('bench: choosing the OpenBLAS kernel for PyTorch ... ');
  const b = chooseBlas(threadCounts);
  if ('error' in b) blasError = b.error;
  else blas = b;
  process.stderr.write(`${blas ? blas.reason : `failed: ${blasError}`}\n`);
}

const cells = new Map<string, Cell>();
const cell = (w: Workload, e: string, t: number) => {
  const key = `${w.key}|${e}|${t}`;
  let c = cells.get(key);
  if (c === undefined) cells.set(key, (c = { runs: [] }));
  return c;
};
/** Engines that reported no thread setting, and data-parallel ones (a thread per worker): the first thread count only. */
const noThreadSetting = new Set<string>(engines.filter((e) => e.includes('*')));
const threadsOf = (e: string) => (noThreadSetting.has(e) ? threadCounts.slice(0, 1) : threadCounts);

const repeats = Number(values.repeats);
for (let rep = 0; rep < repeats; rep++) {
  for (const w of workloads) {
    for (const e of engines) {
      for (const t of threadCounts) {
        if (!threadsOf(e).includes(t)) continue; // decided by this engine's first run
        const c = cell(w, e, t);
        if (e === 'pytorch' && torchMissing) c.error = torchMissing;
        if (c.error) continue;
        process.stderr.write(
          `bench: run ${rep + 1}/${repeats}, ${w.corpus} H=${w.H}, ${e}, ${t} thread(s), ${w.epochs} epochs ... `,
        );
        const r = runOne(e, w, t, blas?.env ?? {});
        if ('error' in r) {
          c.error = String(r.error);
          process.stderr.write(`unavailable: ${c.error}\n`);
          continue;
        }
        c.runs.push(r);
        if (r.threads === null && e !== 'pytorch') noThreadSetting.add(e);
        process.stderr.write(`${r.tokensPerSec.toFixed(0)} tokens/s\n`);
      }
    }
  }
}

// ---- the table -------------------------------------------------------------------------------
const fmt = (x: number, d = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-';

interface Best {
  readonly threads: number;
  readonly cell: Cell;
  readonly tps: number;
  /** Median tokens/s at the other thread counts. */
  readonly others: ReadonlyArray<readonly [number, number]>;
}

function best(w: Workload, e: string): Best | { error: string } {
  const tried = threadsOf(e)
    .map((t) => ({ t, c: cell(w, e, t) }))
    .filter(({ c }) => !c.error && c.runs.length > 0);
  if (tried.length === 0) return { error: cell(w, e, threadCounts[0]).error ?? 'no result' };
  const medians = tried.map(({ t, c }) => ({ t, c, tps: median(c.runs.map((r) => r.tokensPerSec)) }));
  const top = medians.reduce((a, b) => (b.tps > a.tps ? b : a));
  return {
    threads: top.t,
    cell: top.c,
    tps: top.tps,
    others: medians.filter((m) => m !== top).map((m) => [m.t, m.tps] as const),
  };
}

const header =
  '| corpus | V | H | epochs | engine | threads | tokens/s (last epoch, median) | min-max | at other thread counts | ratio to PyTorch | avg tokens/s | final ppl | wall s | peak RSS MiB |';
const lines = [header, `|${'---|'.repeat(14)}`];
for (const w of workloads) {
  const base = best(w, 'pytorch');
  const baseTps = 'error' in base ? NaN : base.tps;
  for (const e of engines) {
    const b = best(w, e);
    if ('error' in b) {
      lines.push(`| ${w.corpus} | | ${w.H} | - | ${e} | | unavailable: ${b.error} | | | | | | | |`);
      continue;
    }
    const runs = b.cell.runs;
    const tps = runs.map((r) => r.tokensPerSec);
    const cores = [...new Set(runs.map((r) => r.core))];
    const label =
      e === 'pytorch'
        ? `pytorch (OpenBLAS ${cores.join(', ')})`
        : e.replace(/\*(\d+)$/, ' on $1 workers (--workers $1)');
    const threads = e !== 'pytorch' && runs[0].threads === null ? '- (no setting)' : String(b.threads);
    const others = b.others.length ? b.others.map(([t, v]) => `${t}: ${fmt(v)}`).join('; ') : '-';
    lines.push(
      `| ${w.corpus} | ${fmt(runs[0].vocabSize)} | ${w.H} | ${w.epochs} | ${label} | ${threads} | ${fmt(b.tps)} | ` +
        `${fmt(Math.min(...tps))}-${fmt(Math.max(...tps))} | ${others} | ${e === 'pytorch' ? '1.00' : fmt(b.tps / baseTps, 2)} | ` +
        `${fmt(median(runs.map((r) => r.averageTokensPerSec)))} | ${fmt(median(runs.map((r) => r.perplexity)), 2)} | ` +
        `${fmt(median(runs.map((r) => r.wallSeconds)), 1)} | ${fmt(median(runs.map((r) => r.peakRssMiB)))} |`,
    );
  }
}
const table = lines.join('\n');

let blasLine: string;
if (torchMissing) blasLine = 'PyTorch absent';
else if (!blas) blasLine = `the OpenBLAS check failed (${blasError}); PyTorch ran with the kernel OpenBLAS detects`;
else {
  const rates = blas.checks
    .filter((c) => c.gflops && c.coretype === (blas!.env.OPENBLAS_CORETYPE ?? null))
    .map(
      (c) =>
        `${c.threads} thread(s) ${Object.entries(c.gflops!)
          .map(([s, g]) => `${s} ${g}`)
          .join(', ')}`,
    )
    .join('; ');
  blasLine = `${blas.reason} (sgemm GFLOP/s in that check: ${rates})`;
}
process.stdout.write(`\n${table}\n`);

if (!values['no-write']) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  let torch = 'absent';
  if (!torchMissing)
    torch = execFileSync(values.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
  const file = join(root, 'BENCHMARKS.md');
  if (!existsSync(file))
    appendFileSync(file, '# Benchmarks\n\nRecorded by `npm run bench`. Newest last; old rows are kept.\n');
  const argv = process.argv.slice(2).join(' ');
  appendFileSync(
    file,
    `\n## ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- machine: ${cpus().length} cores, ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; PyTorch ${torch}\n` +
      `- command: \`npm run bench${argv ? ` -- ${argv}` : ''}\` (thread counts tried per engine: ${threadCounts.join(', ')}; ` +
      `${repeats} runs each, interleaved; median; each engine at its best thread count, the ratio is best against best)\n` +
      `- PyTorch: bench/torch_rnn.py --encoding gather (the input as rows of W_xh, as our backends compute it); BLAS: ${blasLine}\n` +
      (large ? `- large vocabulary: ${large.name}, ${large.source}; unicode preprocessing, the whole text\n` : '') +
      `- tokens/s is train_ch8's figure: label tokens of the LAST epoch over its wall time; avg is over all epochs (first-epoch warm-up included)\n\n` +
      `${table}\n`,
  );
  process.stderr.write(`bench: appended to ${file}\n`);
}
