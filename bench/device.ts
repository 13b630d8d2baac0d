// GPU check, meant to be bundled into one file (esbuild, with onnxruntime-node, webgpu and @tensorflow/*
// kept external and shipped beside it, plus Node and the Vulkan loader) for a GPU machine that has no
// Node toolchain. First, unless --no-conformance, core's conformance suite on each backend but onnx:cpu (the
// same cases as the packages' tests: every op, gradient and a few train steps of every cell, against the
// reference). Then, for each hidden size:
//   1. parity: 20 train steps from the same parameters and minibatches on onnx:cpu and on each GPU
//      backend, fed the SAME inputs at every step (the cpu outputs); max relative loss difference;
//   2. throughput: train_ch8 for a few epochs on every backend; tokens/s of the last epoch.
// Prints one JSON line per result and a table at the end.
//
//   node bench/device.js --corpus packages/core/data/timemachine.txt --sizes 512,2048 --backends onnx:webgpu,onnx:cpu

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  type Backend,
  type HostTensor,
  Random,
  type RnnParams,
  SeqDataLoader,
  buildTrainStep,
  getParams,
  initRnnState,
  resolveBackend,
  pickParams,
  scalar,
  train,
  trainStepFeeds,
} from '@rnn-scratch/core';
import { runConformance, skipsByReason } from '@rnn-scratch/core/conformance';
import '@rnn-scratch/backend-onnx';
import '@rnn-scratch/backend-tfjs';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'packages/core/data/timemachine.txt' },
    sizes: { type: 'string', default: '512,2048' },
    backends: { type: 'string', default: 'onnx:webgpu,tfjs:webgpu,onnx:cpu' },
    threads: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '' },
    'parity-steps': { type: 'string', default: '20' },
    conformance: { type: 'boolean', default: true },
  },
  allowNegative: true,
});

const text = readFileSync(values.corpus, 'utf8');
const results: Array<Record<string, unknown>> = [];
const emit = (r: Record<string, unknown>) => {
  results.push(r);
  process.stdout.write(JSON.stringify(r) + '\n');
};

async function parity(cpu: Backend, other: Backend, H: number): Promise<number> {
  const loader = new SeqDataLoader({ text, batchSize: 32, numSteps: 35, maxTokens: 10000, seed: 3 });
  const graph = buildTrainStep({ vocabSize: loader.vocab.length, numHiddens: H, batchSize: 32, numSteps: 35 });
  const a = await cpu.compile(graph);
  const b = await other.compile(graph);
  let params: RnnParams = getParams(loader.vocab.length, H, new Random(4));
  let state: HostTensor = initRnnState(32, H);
  let worst = 0;
  let k = 0;
  outer: for (;;) {
    let first = true;
    for (const batch of loader) {
      if (k++ >= Number(values['parity-steps'])) break outer;
      if (first) state = initRnnState(32, H);
      first = false;
      const feeds = trainStepFeeds(batch, state, params, scalar('float32', 1));
      const ra = await a.run(feeds);
      const rb = await b.run(feeds);
      worst = Math.max(worst, Math.abs(ra.loss.data[0] - rb.loss.data[0]) / Math.abs(ra.loss.data[0]));
      params = pickParams(ra, params);
      state = ra.state;
    }
  }
  await a.dispose();
  await b.dispose();
  return worst;
}

async function throughput(backend: Backend, H: number) {
  const epochs = values.epochs ? Number(values.epochs) : H <= 512 ? 10 : 4;
  const loader = new SeqDataLoader({ text, batchSize: 32, numSteps: 35, maxTokens: 10000, seed: 0 });
  const t0 = performance.now();
  const r = await train({
    backend,
    data: loader,
    vocab: loader.vocab,
    params: getParams(loader.vocab.length, H, new Random(1)),
    theta: 1,
    numEpochs: epochs,
    lr: 1,
    every: 1e9,
  });
  return {
    epochs,
    tokensPerSec: r.tokensPerSec,
    averageTokensPerSec: r.averageTokensPerSec,
    perplexity: r.perplexity,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

const sizes = values.sizes.split(',').map(Number);
const specs = values.backends.split(',');
const backends = new Map<string, Backend>();
for (const spec of specs) {
  try {
    backends.set(spec, await resolveBackend(spec, { threads: Number(values.threads) }));
  } catch (err) {
    emit({ kind: 'unavailable', backend: spec, reason: err instanceof Error ? err.message : String(err) });
  }
}
if (values.conformance)
  for (const [spec, backend] of backends) {
    if (spec === 'onnx:cpu') continue;
    const report = await runConformance(backend, { corpusText: text });
    emit({
      kind: 'conformance',
      backend: spec,
      passed: report.passed.length,
      failed: report.failed,
      skipped: Object.fromEntries(skipsByReason(report)),
      seconds: report.seconds,
    });
  }
const cpu = backends.get('onnx:cpu') ?? (await resolveBackend('onnx:cpu', { threads: Number(values.threads) }));
for (const H of sizes) {
  for (const [spec, backend] of backends) {
    if (spec !== 'onnx:cpu')
      emit({
        kind: 'parity',
        backend: spec,
        H,
        steps: Number(values['parity-steps']),
        maxRelLossDiffVsCpu: await parity(cpu, backend, H),
      });
    emit({ kind: 'throughput', backend: spec, H, threads: Number(values.threads), ...(await throughput(backend, H)) });
  }
}
for (const r of results.filter((x) => x.kind === 'conformance')) {
  const failed = r.failed as Array<{ id: string }>;
  process.stdout.write(
    `conformance on ${r.backend}: ${r.passed} passed, ${failed.length} failed${failed.length ? ` (${failed.map((f) => f.id).join(', ')})` : ''}\n`,
  );
}
process.stdout.write(
  '\n| backend | H | tokens/s (last epoch) | avg tokens/s | max rel loss diff vs onnx:cpu |\n|---|---|---|---|---|\n',
);
for (const r of results.filter((x) => x.kind === 'throughput')) {
  const p = results.find((x) => x.kind === 'parity' && x.backend === r.backend && x.H === r.H);
  process.stdout.write(
    `| ${r.backend} | ${r.H} | ${Math.round(r.tokensPerSec as number)} | ${Math.round(r.averageTokensPerSec as number)} | ${p ? (p.maxRelLossDiffVsCpu as number).toExponential(2) : '-'} |\n`,
  );
}
