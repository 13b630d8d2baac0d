// `npm run bench:book -- --cells gru,lstm,lstm-2,lstm-2-uniform`: the book's chapter-9 runs (GRU 9.1, LSTM 9.2,
// the deep LSTM of 9.3) from the CLI (`rnn-scratch train`) on one backend, side by side with the book's scratch
// code in PyTorch (bench/torch_rnn.py) with the same settings, two seeds each. Prints and appends to BENCHMARKS.md
// each run's final training perplexity, speed and wall time, and per model the median of ours against the
// median of PyTorch's (they should agree within 10%: the data order and the initial draws differ per engine).

import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The book's settings per model; 9.3 uses nn.LSTM, whose initialisation is `--init uniform`. */
export const BOOK_CELLS: Record<string, { title: string; flags: string[] }> = {
  gru: { title: 'GRU (9.1), H=256, lr=1', flags: ['--cell', 'gru', '--num-hiddens', '256', '--lr', '1'] },
  lstm: { title: 'LSTM (9.2), H=256, lr=1', flags: ['--cell', 'lstm', '--num-hiddens', '256', '--lr', '1'] },
  'lstm-2': {
    title: 'deep LSTM (9.3), L=2, H=256, lr=2, the scratch init N(0, 0.01^2)',
    flags: ['--cell', 'lstm', '--num-layers', '2', '--num-hiddens', '256', '--lr', '2', '--init', 'normal'],
  },
  'lstm-2-uniform': {
    title: "deep LSTM (9.3), L=2, H=256, lr=2, nn.LSTM's init U(-1/sqrt(H), 1/sqrt(H))",
    flags: ['--cell', 'lstm', '--num-layers', '2', '--num-hiddens', '256', '--lr', '2', '--init', 'uniform'],
  },
};

interface Run {
  perplexity: number;
  tokensPerSec: number;
  averageTokensPerSec: number;
  wallSeconds: number;
  greedy: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The JSON object a script printed on its last line, if it did. */
function lastJson(stdout: string): Record<string, any> | undefined {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}

function ours(root: string, backend: string, flags: string[], epochs: string, seed: string): Run | string {
  const out = mkdtempSync(join(tmpdir(), 'bench-book-'));
  try {
    const bin = join(root, 'packages/cli/bin/rnn-scratch.js');
    const args = ['train', ...flags, '--backend', backend, '--threads', '1', '--epochs', epochs, '--seed', seed];
    const r = spawnSync(process.execPath, [bin, ...args, '--every', '100000', '--out', join(out, 'run'), '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) return (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`;
    const x = JSON.parse(r.stdout) as Record<string, any>;
    return { ...x, greedy: x.predictions['time traveller'] } as Run;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function pytorch(root: string, python: string, flags: string[], epochs: string, seed: string): Run | string {
  const args = [
    join(root, 'bench/torch_rnn.py'),
    ...flags,
    '--epochs',
    epochs,
    '--seed',
    seed,
    '--threads',
    '1',
    '--json',
  ];
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' };
  const r = spawnSync(python, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const x = r.status === 0 ? lastJson(r.stdout) : undefined;
  if (!x) return (r.stderr || r.stdout).trim().split('\n').pop() ?? `exit ${r.status}`;
  return { ...x, greedy: x.predictions['time traveller'] } as Run;
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

export function bookCells(o: {
  root: string;
  backend: string;
  python: string;
  cells: string[];
  seeds: string[];
  epochs: string;
  write: boolean;
}): void {
  const rows: string[] = [];
  const summary: string[] = [];
  for (const name of o.cells) {
    const model = BOOK_CELLS[name];
    if (!model) throw new Error(`unknown --cells entry '${name}'; known: ${Object.keys(BOOK_CELLS).join(', ')}`);
    const finals: Record<string, number[]> = { ours: [], pytorch: [] };
    for (const seed of o.seeds) {
      for (const engine of ['ours', 'pytorch'] as const) {
        process.stderr.write(`bench:book ${name} ${engine} seed ${seed} ... `);
        const r =
          engine === 'ours'
            ? ours(o.root, o.backend, model.flags, o.epochs, seed)
            : pytorch(o.root, o.python, model.flags, o.epochs, seed);
        const label = engine === 'ours' ? o.backend : 'PyTorch (book scratch code)';
        if (typeof r === 'string') {
          process.stderr.write(`failed: ${r}\n`);
          rows.push(`| ${name} | ${label} | ${seed} | failed: ${r} | | | | |`);
          continue;
        }
        process.stderr.write(`perplexity ${r.perplexity.toFixed(3)}, ${r.wallSeconds.toFixed(0)} s\n`);
        finals[engine].push(r.perplexity);
        rows.push(
          `| ${name} | ${label} | ${seed} | ${r.perplexity.toFixed(3)} | ${fmt(r.tokensPerSec)} | ${fmt(r.averageTokensPerSec)} | ${r.wallSeconds.toFixed(1)} | \`${r.greedy}\` |`,
        );
      }
    }
    if (finals.ours.length && finals.pytorch.length) {
      const [a, b] = [median(finals.ours), median(finals.pytorch)];
      const within = Math.abs(a - b) / b <= 0.1;
      summary.push(
        `- ${model.title}: median final perplexity ours ${a.toFixed(3)}, PyTorch ${b.toFixed(3)} (${((100 * (a - b)) / b).toFixed(1)}%, ${within ? 'within' : 'NOT within'} 10%)`,
      );
    }
  }
  const table = [
    '| model | engine | seed | final ppl | tokens/s (last epoch) | avg tokens/s | wall s | greedy "time traveller" |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  process.stdout.write(`${table}\n\n${summary.join('\n')}\n`);
  if (!o.write) return;
  const models = o.cells.map((n) => `${n}: \`${BOOK_CELLS[n]?.flags.join(' ')}\``).join('; ');
  appendFileSync(
    join(o.root, 'BENCHMARKS.md'),
    `\n## Book runs of chapter 9, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; 1 thread per engine\n` +
      `- command: \`npm run bench:book -- --cells ${o.cells.join(',')} --seeds ${o.seeds.join(',')} --epochs ${o.epochs}\`: ` +
      `ours is \`rnn-scratch train --backend ${o.backend} --threads 1 FLAGS\`, PyTorch is \`bench/torch_rnn.py FLAGS\`, B=32, T=35, ` +
      `theta=1, 10,000 tokens, sequential partitioning; ${models}\n\n${table}\n\n${summary.join('\n')}\n`,
  );
}
