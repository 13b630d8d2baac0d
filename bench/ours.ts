// One training run of ours, as the benchmark driver measures it: the book's train_ch8 on the bundled
// corpus (or --corpus FILE) with one backend, reporting the book's last-epoch tokens/s, the whole-run
// average, the final perplexity, wall time, the intra-op threads the backend used (null when it has no
// such setting) and this process's peak RSS as one JSON line.
//
//   npx tsx bench/ours.ts --backend onnx:cpu --num-hiddens 512 --epochs 20 [--threads 1] [--seed 0]
//     [--corpus FILE --preprocess unicode --max-tokens 0]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Preprocessing, resolveBackend, runConfig, startRun, trainRun, type Sampler } from '@rnn-scratch/core';
import { bundledCorpusPath, readCorpusFile, sha256Hex, workerStepCompiler } from '@rnn-scratch/core/node';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'onnx:cpu' },
    'num-hiddens': { type: 'string', default: '512' },
    'batch-size': { type: 'string', default: '32' },
    'num-steps': { type: 'string', default: '35' },
    epochs: { type: 'string', default: '20' },
    threads: { type: 'string', default: '1' },
    workers: { type: 'string', default: '1' },
    seed: { type: 'string', default: '0' },
    sampler: { type: 'string', default: 'sequential' },
    corpus: { type: 'string' },
    preprocess: { type: 'string', default: 'book' },
    'max-tokens': { type: 'string', default: '10000' },
  },
});

async function loadBackends(): Promise<void> {
  for (const name of ['@rnn-scratch/backend-onnx', '@rnn-scratch/backend-tfjs']) {
    try {
      await import(name);
    } catch {
      // unavailable: resolveBackend below reports the reason if this backend was asked for
    }
  }
}

const wallStart = performance.now();
await loadBackends();
const backend = await resolveBackend(values.backend, { threads: Number(values.threads) });
const file = values.corpus ?? bundledCorpusPath();
const text = readCorpusFile(file);
const corpus = { text, path: values.corpus ?? null, sha256: sha256Hex(readFileSync(file)), source: file };
const H = Number(values['num-hiddens']);
// The book's run (lr 1, theta 1, 10,000 tokens unless --max-tokens says otherwise) with the sizes asked for, exactly as `rnn-scratch train` runs it.
const config = runConfig({
  numHiddens: H,
  batchSize: Number(values['batch-size']),
  numSteps: Number(values['num-steps']),
  numEpochs: Number(values.epochs),
  sampler: values.sampler as Sampler,
  preprocess: values.preprocess as Preprocessing,
  maxTokens: Number(values['max-tokens']),
  seed: Number(values.seed),
});
const rssByEpoch: Record<number, number> = {};
const run = startRun(config, corpus);
// --workers N: the train step split across N worker threads (`rnn-scratch train --workers N`).
const workers = Number(values.workers);
const modules = backend.name === 'reference' ? [] : [import.meta.resolve(`@rnn-scratch/backend-${backend.name}`)];
const id = `${backend.name}:${backend.device}`;
const result = await trainRun(run, {
  backend,
  compileStep: workers > 1 ? workerStepCompiler(workers, backend, { backend: id, modules }) : undefined,
  every: Number.MAX_SAFE_INTEGER,
  // Resident memory after each epoch: it must stay flat over a long run (no leak per step).
  onEpoch: ({ epoch }) => {
    if (epoch === 1 || epoch % 50 === 0) rssByEpoch[epoch] = Math.round(process.memoryUsage.rss() / 2 ** 20);
  },
});
await backend.dispose();
process.stdout.write(
  JSON.stringify({
    engine: 'rnn-scratch',
    backend: `${backend.name}:${backend.device}`,
    numHiddens: H,
    vocabSize: run.vocab.length,
    threads: (backend as { threads?: number }).threads ?? null,
    workers,
    epochs: result.epoch,
    perplexity: result.perplexity,
    tokensPerSec: result.tokensPerSec,
    averageTokensPerSec: result.averageTokensPerSec,
    wallSeconds: (performance.now() - wallStart) / 1000,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    rssMiBByEpoch: rssByEpoch,
    predictions: result.predictions,
  }) + '\n',
);
