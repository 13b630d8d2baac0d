// `npm run bench`: train-step throughput of our backends side by side with PyTorch eager (the book's own
// framework, implementing the same spec in bench/torch_rnn.py) in ONE invocation, on the same work.
// Each engine runs in its own process, one thread each unless --threads says otherwise; every
// configuration is repeated (--repeats, default 3) in interleaved order and the MEDIAN is reported.
// The table is printed and appended to BENCHMARKS.md with the date, machine and command.
//
//   npm run bench -- [--sizes 128,512,2048] [--backends onnx:cpu,tfjs:wasm] [--repeats 3] [--threads 1] [--no-write]

import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '128,512,2048' },
    backends: { type: 'string', default: 'onnx:cpu,tfjs:wasm' },
    repeats: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    epochs: { type: 'string' },
    python: { type: 'string', default: process.env.RNN_SCRATCH_PYTHON ?? '/usr/bin/python3' },
    'no-write': { type: 'boolean', default: false },
  },
});

/** Epochs per size: enough for a stable last-epoch timing, short enough for a 2-core machine. */
function epochsFor(H: number): number {
  if (values.epochs) return Number(values.epochs);
  return H <= 128 ? 30 : H <= 512 ? 12 : 3;
}

interface Row {
  engine: string;
  H: number;
  tokensPerSec: number[];
  averageTokensPerSec: number[];
  perplexity: number[];
  wallSeconds: number[];
  peakRssMiB: number[];
  error?: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function torchAvailable(): string | undefined {
  const r = spawnSync(values.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `PyTorch not importable with ${values.python} (run: npm run bench:setup)`;
}

function runOne(engine: string, H: number): Record<string, number> | { error: string } {
  const threads = values.threads;
  const epochs = String(epochsFor(H));
  const env = { ...process.env, OMP_NUM_THREADS: threads, OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: threads };
  const [cmd, args] =
    engine === 'pytorch'
      ? [
          values.python,
          [
            join(root, 'bench/torch_rnn.py'),
            '--json',
            '--epochs',
            epochs,
            '--num-hiddens',
            String(H),
            '--threads',
            threads,
          ],
        ]
      : [
          process.execPath,
          [
            join(root, 'node_modules/tsx/dist/cli.mjs'),
            join(root, 'bench/ours.ts'),
            '--backend',
            engine,
            '--epochs',
            epochs,
            '--num-hiddens',
            String(H),
            '--threads',
            threads,
          ],
        ];
  const r = spawnSync(cmd, args as string[], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    const why = (r.stderr || r.stdout).trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;
    return { error: why.slice(0, 200) };
  }
  return JSON.parse(line);
}

const sizes = values.sizes.split(',').map(Number);
const engines = ['pytorch', ...values.backends.split(',').filter(Boolean)];
const torchMissing = torchAvailable();
const rows = new Map<string, Row>();
for (const H of sizes)
  for (const e of engines)
    rows.set(`${e}@${H}`, {
      engine: e,
      H,
      tokensPerSec: [],
      averageTokensPerSec: [],
      perplexity: [],
      wallSeconds: [],
      peakRssMiB: [],
    });
if (torchMissing) for (const H of sizes) rows.get(`pytorch@${H}`)!.error = torchMissing;

const repeats = Number(values.repeats);
for (let rep = 0; rep < repeats; rep++) {
  for (const H of sizes) {
    for (const e of engines) {
      const row = rows.get(`${e}@${H}`)!;
      if (row.error) continue;
      process.stderr.write(`bench: run ${rep + 1}/${repeats}, ${e}, H=${H}, ${epochsFor(H)} epochs ... `);
      const r = runOne(e, H);
      if ('error' in r) {
        row.error = String(r.error);
        process.stderr.write(`unavailable: ${row.error}\n`);
        continue;
      }
      row.tokensPerSec.push(r.tokensPerSec);
      row.averageTokensPerSec.push(r.averageTokensPerSec);
      row.perplexity.push(r.perplexity);
      row.wallSeconds.push(r.wallSeconds);
      row.peakRssMiB.push(r.peakRssMiB);
      process.stderr.write(`${r.tokensPerSec.toFixed(0)} tokens/s\n`);
    }
  }
}

const fmt = (x: number, d = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-';
const header =
  '| engine | H | epochs | tokens/s (last epoch, median) | min-max | ratio to PyTorch | avg tokens/s | final ppl | wall s | peak RSS MiB |';
const lines = [header, '|---|---|---|---|---|---|---|---|---|---|'];
for (const H of sizes) {
  const base = rows.get(`pytorch@${H}`)!;
  const baseTps = base.tokensPerSec.length ? median(base.tokensPerSec) : NaN;
  for (const e of engines) {
    const r = rows.get(`${e}@${H}`)!;
    if (r.error || r.tokensPerSec.length === 0) {
      lines.push(`| ${e} | ${H} | - | unavailable: ${r.error ?? 'no result'} | | | | | | |`);
      continue;
    }
    const tps = median(r.tokensPerSec);
    lines.push(
      `| ${e} | ${H} | ${epochsFor(H)} | ${fmt(tps)} | ${fmt(Math.min(...r.tokensPerSec))}-${fmt(Math.max(...r.tokensPerSec))} | ${e === 'pytorch' ? '1.00' : fmt(tps / baseTps, 2)} | ${fmt(median(r.averageTokensPerSec))} | ${fmt(median(r.perplexity), 2)} | ${fmt(median(r.wallSeconds), 1)} | ${fmt(median(r.peakRssMiB))} |`,
    );
  }
}
const table = lines.join('\n');
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
      `- command: \`npm run bench${argv ? ` -- ${argv}` : ''}\` (threads per engine: ${values.threads}; ${repeats} runs each, interleaved; median)\n` +
      `- tokens/s is train_ch8's figure: label tokens of the LAST epoch over its wall time; avg is over all epochs (first-epoch warm-up included)\n\n` +
      `${table}\n`,
  );
  process.stderr.write(`bench: appended to ${file}\n`);
}
