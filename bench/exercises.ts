// `npm run bench:exercises`: the real runs behind the docs' exercises page (the chapter's six exercises), at the
// book's sizes on one backend, recorded in apps/docs/data/exercises.json with the date, machine and command.
// The docs generator draws its tables and figures from that file; rerun this to refresh them.
//
//   npm run bench:exercises -- [--backend onnx:cpu] [--epochs 300]

import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import {
  DivergenceError,
  Predictor,
  Random,
  type RunConfig,
  heldOut,
  resolveBackend,
  runConfig,
  runModel,
  startRun,
  trainRun,
} from '@rnn-scratch/core';
import { bundledCorpusPath, checkTimeMachineSha256, readCorpusFile } from '@rnn-scratch/core/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'onnx:cpu' },
    epochs: { type: 'string', default: '300' },
    out: { type: 'string', default: join(root, 'apps/docs/data/exercises.json') },
  },
});
for (const name of ['@rnn-scratch/backend-onnx', '@rnn-scratch/backend-tfjs'])
  await import(name).catch(() => undefined);
const backend = await resolveBackend(values.backend, { threads: 1 });
const file = bundledCorpusPath();
const corpus = {
  text: readCorpusFile(file),
  path: null,
  sha256: checkTimeMachineSha256(file).sha256,
  source: 'timemachine.txt',
};
const EPOCHS = Number(values.epochs);

interface Recorded {
  readonly config: Partial<RunConfig>;
  readonly history: number[];
  readonly valid: number[];
  /** Per epoch: the largest gradient norm and how many minibatches exceeded theta = 1. */
  readonly norms: Array<{ max: number; above1: number; minibatches: number }>;
  readonly seconds: number[];
  readonly diverged?: { epoch: number; step?: number; quantity: string };
  readonly samples?: Record<string, string>;
}

/** One run of the book's training with `changes`, recording everything the page shows. */
async function record(label: string, changes: Partial<RunConfig>, samples = false): Promise<Recorded> {
  process.stderr.write(`bench:exercises ${label} ... `);
  const run = startRun(runConfig({ numEpochs: EPOCHS, ...changes }), corpus);
  if (run.config.validTokens > 0) run.valid = heldOut(run, { tokens: run.config.validTokens });
  const out: Recorded = { config: changes, history: [], valid: [], norms: [], seconds: [] };
  let diverged: Recorded['diverged'];
  try {
    await trainRun(run, {
      backend,
      every: 1,
      prefixes: [],
      onStep: ({ step, gradNorm }) => {
        if (step === 1) out.norms.push({ max: 0, above1: 0, minibatches: 0 });
        const n = out.norms.at(-1)!;
        n.max = Math.max(n.max, gradNorm);
        n.above1 += gradNorm > 1 ? 1 : 0;
        n.minibatches++;
      },
      onEpoch: (e) => {
        out.history.push(e.perplexity);
        out.seconds.push(e.seconds);
        if (e.validPerplexity !== undefined) out.valid.push(e.validPerplexity);
      },
    });
  } catch (err) {
    if (!(err instanceof DivergenceError)) throw err;
    diverged = { epoch: err.epoch, step: err.step, quantity: err.quantity };
  }
  process.stderr.write(
    diverged ? `diverged at epoch ${diverged.epoch}\n` : `perplexity ${out.history.at(-1)?.toFixed(3)}\n`,
  );
  if (!samples || diverged) return { ...out, ...(diverged ? { diverged } : {}) };
  // Exercise 3: greedy and sampled continuations of 'time traveller', seeded.
  const predictor = await Predictor.create(backend, runModel(run));
  const texts: Record<string, string> = {};
  const p = run.state.params;
  texts.greedy = await predictor.predict('time traveller', p, run.vocab, { numPreds: 50 });
  for (const a of [0.5, 1, 2, 4]) {
    texts[`alpha ${a}`] = await predictor.predict('time traveller', p, run.vocab, {
      numPreds: 50,
      alpha: a,
      rng: new Random(1),
    });
  }
  await predictor.dispose();
  return { ...out, samples: texts };
}

const valid = { validTokens: 2000 };
const runs: Record<string, Recorded> = {};
// Exercise 2: a grid over the learning rate and the hidden units, judged on held-out text.
for (const lr of [0.5, 1, 2]) {
  for (const numHiddens of [128, 256, 512]) {
    runs[`grid lr=${lr} H=${numHiddens}`] = await record(`lr=${lr} H=${numHiddens}`, {
      lr,
      numHiddens,
      numEpochs: 100,
      ...valid,
    });
  }
}
// Exercise 2: learned embeddings instead of one-hot inputs; exercise 3 samples from the one-hot model.
runs['one-hot'] = await record('one-hot', valid, true);
runs.embedding = await record('embedding', { ...valid, embedSize: 32 });
// Exercises 4 and 6: without clipping, and with ReLU.
runs['tanh, no clipping'] = await record('tanh, no clipping', { theta: Infinity });
runs['relu, clipped'] = await record('relu, clipped', { activation: 'relu' });
runs['relu, no clipping'] = await record('relu, no clipping', { activation: 'relu', theta: Infinity });
// Exercise 5: the gradient through the whole epoch (fewer epochs: each one is several times the work).
runs['detach every minibatch'] = await record('detach every minibatch', { numEpochs: 30 });
runs['detach at the epoch start'] = await record('detach at the epoch start', { numEpochs: 30, bptt: 'epoch' });
await backend.dispose();

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const result = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} cores, ${cpu}; Node ${process.version}`,
  command: `npm run bench:exercises -- --backend ${values.backend} --epochs ${EPOCHS}`,
  backend: `${backend.name}:${backend.device}`,
  book: runConfig(),
  runs,
};
writeFileSync(values.out, `${JSON.stringify(result, (_, v) => (v === Infinity ? 'inf' : v), 1)}\n`);
process.stderr.write(`bench:exercises: wrote ${values.out}\n`);
