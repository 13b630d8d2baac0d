// The exercises at the book's size: tables and a figure drawn from apps/docs/data/exercises.json, which
// `npm run bench:exercises` writes from real runs (too slow for the generator: minutes each). The file
// records its own date, machine and command; the page prints them with the numbers.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { lineChartSvg } from '@rnn-scratch/cli';

import { docsRoot } from './paths.ts';
import { epochCurve } from './small-runs.ts';

interface Recorded {
  readonly config: Record<string, number | string>;
  readonly history: number[];
  readonly valid: number[];
  readonly norms: Array<{ max: number; above1: number; minibatches: number }>;
  readonly seconds: number[];
  readonly diverged?: { epoch: number; step?: number; quantity: string };
  readonly samples?: Record<string, string>;
}
interface Recording {
  readonly date: string;
  readonly machine: string;
  readonly command: string;
  readonly backend: string;
  readonly runs: Record<string, Recorded>;
}

const FILE = 'data/exercises.json';
const fmt = (x: number, digits = 2) => x.toFixed(digits);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const largestNorm = (r: Recorded) => Math.max(...r.norms.map((n) => n.max));
const clippedSteps = (r: Recorded) => r.norms.reduce((a, n) => a + n.above1, 0);
const allSteps = (r: Recorded) => r.norms.reduce((a, n) => a + n.minibatches, 0);
const bestValid = (r: Recorded) => r.valid.reduce((b, v, i) => (v < r.valid[b] ? i : b), 0);
const outcome = (r: Recorded) =>
  r.diverged
    ? `diverged in epoch ${r.diverged.epoch} (${r.diverged.quantity} not finite)`
    : `perplexity ${fmt(r.history.at(-1)!, 3)}`;

export function readRecording(): Recording {
  try {
    return JSON.parse(readFileSync(join(docsRoot, FILE), 'utf8')) as Recording;
  } catch (err) {
    throw new Error(`cannot read apps/docs/${FILE} (${(err as Error).message}); run \`npm run bench:exercises\``);
  }
}

function grid(runs: Record<string, Recorded>): string[] {
  const rows = Object.entries(runs)
    .filter(([label]) => label.startsWith('grid '))
    .map(([, r]) => ({ lr: r.config.lr, H: r.config.numHiddens, train: r.history.at(-1)!, held: r.valid.at(-1)! }))
    .sort((a, b) => a.held - b.held);
  return [
    'Exercise 2: learning rate x hidden units, 100 epochs; held-out = the 2000 characters after the training ones',
    '   lr    H   train   held-out',
    ...rows.map(
      (r) =>
        `${String(r.lr).padStart(5)} ${String(r.H).padStart(4)}  ${fmt(r.train).padStart(6)}   ${fmt(r.held).padStart(8)}`,
    ),
    `best held-out perplexity: ${fmt(rows[0].held)} at lr=${rows[0].lr}, H=${rows[0].H}`,
  ];
}

function inputs(runs: Record<string, Recorded>): string[] {
  const row = (label: string, r: Recorded) => {
    const b = bestValid(r);
    return `${label.padEnd(24)} ${fmt(r.history.at(-1)!, 3).padStart(6)}   ${fmt(r.valid.at(-1)!).padStart(8)}   ${fmt(r.valid[b]).padStart(8)} (epoch ${b + 1})`;
  };
  return [
    `Exercise 2: one-hot inputs against a learned embedding (E=${runs.embedding.config.embedSize}), ${runs['one-hot'].history.length} epochs`,
    '                          train   held-out   lowest held-out',
    row('one-hot', runs['one-hot']),
    row('embedding', runs.embedding),
  ];
}

function clipping(runs: Record<string, Recorded>): string[] {
  const cases: Array<[string, string]> = [
    ['tanh, clipped (the book)', 'one-hot'],
    ['tanh, no clipping', 'tanh, no clipping'],
    ['relu, clipped', 'relu, clipped'],
    ['relu, no clipping', 'relu, no clipping'],
  ];
  return [
    `Exercises 4 and 6: tanh or ReLU, clipped at theta = 1 or not, ${runs['one-hot'].history.length} epochs`,
    '                          outcome              largest norm   minibatches with norm > 1',
    ...cases.map(([label, key]) => {
      const r = runs[key];
      return `${label.padEnd(24)}  ${outcome(r).padEnd(20)} ${fmt(largestNorm(r)).padStart(12)}   ${clippedSteps(r)} of ${allSteps(r)}`;
    }),
  ];
}

function detach(runs: Record<string, Recorded>): string[] {
  const [cut, through] = [runs['detach every minibatch'], runs['detach at the epoch start']];
  const [a, b] = [median(cut.seconds), median(through.seconds)];
  return [
    `Exercise 5: the state detached at every minibatch (the book) or only at the epoch start, ${cut.history.length} epochs`,
    '                          perplexity   seconds per epoch (median)',
    `detach every minibatch    ${fmt(cut.history.at(-1)!, 3).padStart(10)}   ${fmt(a, 1).padStart(10)}`,
    `detach at the epoch start ${fmt(through.history.at(-1)!, 3).padStart(10)}   ${fmt(b, 1).padStart(10)} (${fmt(b / a, 1)}x)`,
  ];
}

function samples(runs: Record<string, Recorded>): string[] {
  const s = runs['one-hot'].samples ?? {};
  return [
    `Exercise 3: 50 characters after 'time traveller' from the one-hot model after ${runs['one-hot'].history.length} epochs (sampling seeded)`,
    ...Object.entries(s).map(([label, text]) => `${label.padEnd(10)} ${text}`),
  ];
}

/** The book-size tables (`ex-book-*.txt`) and the held-out figure, from the recording. */
export function bookSize(): Record<string, string> {
  const rec = readRecording();
  const { runs } = rec;
  const lines = (xs: string[]) => `${xs.join('\n')}\n`;
  const text = {
    'ex-book-source.txt': lines([
      `Recorded by \`${rec.command}\` on ${rec.date} (${rec.machine}; backend ${rec.backend}).`,
      "The book's settings (H=512, B=32, T=35, lr=1, theta=1, sequential, first 10000 characters, seed 0) unless said otherwise.",
    ]),
    'ex-book-grid.txt': lines(grid(runs)),
    'ex-book-inputs.txt': lines(inputs(runs)),
    'ex-book-clipping.txt': lines(clipping(runs)),
    'ex-book-detach.txt': lines(detach(runs)),
    'ex-book-samples.txt': lines(samples(runs)),
  };
  const series = (tr: (s: string) => string) => [
    epochCurve(tr('one-hot, train'), runs['one-hot'].history),
    epochCurve(tr('one-hot, held-out'), runs['one-hot'].valid),
    epochCurve(tr('embedding, train'), runs.embedding.history),
    epochCurve(tr('embedding, held-out'), runs.embedding.valid),
  ];
  const zh: Record<string, string> = {
    'one-hot, train': '独热，训练',
    'one-hot, held-out': '独热，留出',
    'embedding, train': '嵌入，训练',
    'embedding, held-out': '嵌入，留出',
  };
  return {
    ...text,
    'ex-book-heldout.en.svg': lineChartSvg(
      series((s) => s),
      {
        title: "training and held-out perplexity at the book's size",
        xLabel: 'epoch',
        yLabel: 'perplexity',
      },
    ),
    'ex-book-heldout.zh.svg': lineChartSvg(
      series((s) => zh[s]),
      { title: '书中规模下的训练与留出困惑度', xLabel: '轮次', yLabel: '困惑度' },
    ),
  };
}
