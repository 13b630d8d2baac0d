// `npm run bench:sweep`: the same 6-run sweep (lr=0.5,1,2 x num-hiddens=128,256) with --jobs 1 and with
// --jobs 2, repeated and interleaved (the order alternates), through the real CLI. Prints and appends to
// BENCHMARKS.md the wall time of each, the medians and the ratio, with the date, the machine, its load and the
// command. Each run is a process with one thread, so on N free cores --jobs N should take about 1/N of the time.
//
//   npm run bench:sweep -- [--repeats 3] [--epochs 40] [--backend onnx:cpu] [--jobs 2] [--no-write]

import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    jobs: { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
  },
});
const repeats = Number(values.repeats);
const parallel = Number(values.jobs);
const grid = ['--grid', 'lr=0.5,1,2', '--grid', 'num-hiddens=128,256'];
const flags = ['--epochs', values.epochs, '--backend', values.backend];
const temp = mkdtempSync(join(tmpdir(), 'rnn-scratch-bench-sweep-'));

interface Sweep {
  jobs: number;
  seconds: number;
  load: number;
  perplexities: Record<string, number | null>;
  runSeconds: number;
}

function sweep(jobs: number, k: number): Sweep {
  const out = join(temp, `jobs${jobs}-${k}`);
  const load = loadavg()[0];
  process.stderr.write(`bench:sweep --jobs ${jobs}, repeat ${k + 1}/${repeats} (load ${load.toFixed(1)}) ... `);
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'sweep', ...grid, ...flags, '--jobs', String(jobs), '--out', out, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`the sweep failed (exit ${r.status}): ${r.stderr.trim()}`);
  const results = JSON.parse(r.stdout) as { runs: Array<{ name: string; perplexity: number | null; status: string }> };
  const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { runs: Array<{ seconds: number }> };
  if (results.runs.some((x) => x.status !== 'completed')) throw new Error(`not every run completed in ${out}`);
  process.stderr.write(`${seconds.toFixed(1)} s\n`);
  rmSync(out, { recursive: true, force: true });
  return {
    jobs,
    seconds,
    load,
    perplexities: Object.fromEntries(results.runs.map((x) => [x.name, x.perplexity])),
    runSeconds: manifest.runs.reduce((a, x) => a + x.seconds, 0),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sweeps: Sweep[] = [];
try {
  for (let k = 0; k < repeats; k++) {
    const order = k % 2 === 0 ? [1, parallel] : [parallel, 1];
    for (const jobs of order) sweeps.push(sweep(jobs, k));
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

// The same seeds give the same numbers however many run at once.
const reference = JSON.stringify(sweeps[0].perplexities);
const same = sweeps.every((s) => JSON.stringify(s.perplexities) === reference);

const serial = sweeps.filter((s) => s.jobs === 1);
const par = sweeps.filter((s) => s.jobs === parallel);
const ratios = serial.map((s, k) => par[k].seconds / s.seconds);
const f1 = (x: number) => x.toFixed(1);
const lines = [
  `| --jobs | wall s per sweep (in order) | median wall s | sum of run times s (median) | load avg at start |`,
  `|---|---|---|---|---|`,
  ...[serial, par].map(
    (group) =>
      `| ${group[0].jobs} | ${group.map((s) => f1(s.seconds)).join(', ')} | ${f1(median(group.map((s) => s.seconds)))} | ${f1(median(group.map((s) => s.runSeconds)))} | ${group.map((s) => f1(s.load)).join(', ')} |`,
  ),
];
const summary =
  `--jobs ${parallel} / --jobs 1: ratio of medians ${(median(par.map((s) => s.seconds)) / median(serial.map((s) => s.seconds))).toFixed(2)}, ` +
  `median of the per-repeat ratios ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')}); ` +
  `final perplexities ${same ? 'identical in every sweep' : 'DIFFER between sweeps'}`;
const table = lines.join('\n');
process.stdout.write(`\n${table}\n\n${summary}\n`);

if (!values['no-write']) {
  const argv = process.argv.slice(2).join(' ');
  const file = join(root, 'BENCHMARKS.md');
  appendFileSync(
    file,
    `\n## Sweep, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
      `- machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ` +
      `shared with other work (the load average at the start of each sweep is in the table)\n` +
      `- command: \`npm run bench:sweep${argv ? ` -- ${argv}` : ''}\`, which runs \`rnn-scratch sweep ${grid.join(' ')} ${flags.join(' ')} --jobs J\` ` +
      `for J = 1 and ${parallel}, ${repeats} times each, interleaved (6 runs, each a process with one thread)\n` +
      `- ${summary}\n\n` +
      `${table}\n`,
  );
  process.stderr.write(`bench:sweep: appended to ${file}\n`);
}
