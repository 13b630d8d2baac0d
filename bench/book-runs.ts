// `npm run bench:book`: the book's full 500-epoch runs (H=512, B=32, T=35, lr=1, 10,000 tokens) on one
// backend, for each sampler on two seeds; prints and appends to BENCHMARKS.md the final
// perplexity, speed, wall time, memory over the run and the greedy continuation of "time traveller".
//
//   npm run bench:book -- [--backend onnx:cpu] [--seeds 0,1] [--samplers sequential,book-random,random] [--epochs 500]
//     [--workers N]   # the train step on N worker threads (what `npm start` does on N cores: --workers auto)
//   npm run bench:book -- --cells gru,lstm,lstm-2,lstm-2-uniform     # chapter 9 beside PyTorch (book-cells.ts)

import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'onnx:cpu' },
    seeds: { type: 'string', default: '0,1' },
    samplers: { type: 'string', default: 'sequential,book-random,random' },
    epochs: { type: 'string', default: '500' },
    cells: { type: 'string' },
    workers: { type: 'string', default: '1' },
    python: { type: 'string', default: process.env.RNN_SCRATCH_PYTHON ?? '/usr/bin/python3' },
    'no-write': { type: 'boolean', default: false },
  },
});

if (values.cells !== undefined) {
  const { bookCells } = await import('./book-cells.ts');
  const [cells, seeds] = [values.cells.split(','), values.seeds.split(',')];
  bookCells({
    root,
    backend: values.backend,
    python: values.python,
    cells,
    seeds,
    epochs: values.epochs,
    write: !values['no-write'],
  });
  process.exit(0);
}

const workers = Number(values.workers);
const rows: string[] = [];
for (const sampler of values.samplers.split(',')) {
  for (const seed of values.seeds.split(',')) {
    process.stderr.write(`bench:book ${values.backend} ${sampler} seed ${seed} ... `);
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/tsx/dist/cli.mjs'),
        join(root, 'bench/ours.ts'),
        '--backend',
        values.backend,
        '--epochs',
        values.epochs,
        '--sampler',
        sampler,
        '--seed',
        seed,
        '--workers',
        values.workers,
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      process.stderr.write(`failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}\n`);
      rows.push(`| ${sampler} | ${seed} | failed | | | | | |`);
      continue;
    }
    const x = JSON.parse(line);
    const rss = Object.values(x.rssMiBByEpoch as Record<string, number>);
    process.stderr.write(`perplexity ${x.perplexity.toFixed(3)}\n`);
    rows.push(
      `| ${sampler} | ${seed} | ${x.perplexity.toFixed(3)} | ${Math.round(x.tokensPerSec).toLocaleString('en-US')} | ${Math.round(x.averageTokensPerSec).toLocaleString('en-US')} | ${x.wallSeconds.toFixed(1)} | ${Math.min(...rss)}-${Math.max(...rss)} (peak ${Math.round(x.peakRssMiB)}) | \`${x.predictions['time traveller']}\` |`,
    );
  }
}
const table = [
  '| sampling | seed | final ppl | tokens/s (last epoch) | avg tokens/s | wall s | RSS MiB over the run | greedy "time traveller" |',
  '|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
process.stdout.write(`${table}\n`);
if (!values['no-write']) {
  const argv = process.argv.slice(2).join(' ');
  appendFileSync(
    join(root, 'BENCHMARKS.md'),
    // On workers, another heading: the docs read the newest one-thread "Book runs," section.
    `\n## Book runs${workers > 1 ? ` on ${workers} workers` : ''}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; backend ${values.backend}, ${workers > 1 ? `${workers} worker threads of 1 thread each (rnn-scratch train --workers ${workers})` : '1 thread'}\n` +
      `- command: \`npm run bench:book${argv ? ` -- ${argv}` : ''}\` (${values.epochs} epochs, H=512, B=32, T=35, lr=1, theta=1, 10,000 tokens)\n\n${table}\n`,
  );
}
