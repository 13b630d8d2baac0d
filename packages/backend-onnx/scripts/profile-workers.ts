// Where the time of a data-parallel train step goes (`rnn-scratch train --workers N` on onnx:cpu): the whole
// step as the training loop sees it, each shard's round trip to its worker thread, and the update (mean of
// the gradients, clipping, SGD) on the main thread. The step is core's `compileDataParallelStep` over
// `compileInWorker`, exactly as the CLI builds it; only the timing wrappers are added.
//   npx tsx packages/backend-onnx/scripts/profile-workers.ts [--workers 2] [--hidden 512] [--vocab 28]
//     [--batch 32] [--steps 200]
// A shard's round trip includes copying its inputs and outputs through shared memory and the messages;
// compare it with `profile-step.ts --device cpu --batch B/N --timings`, one shard's session alone.

import { parseArgs } from 'node:util';
import {
  type Executable,
  type Feeds,
  Random,
  compileDataParallelStep,
  getParams,
  initRnnState,
  scalar,
} from '@rnn-scratch/core';
import { randomTokens } from '@rnn-scratch/core/testing';
import { compileInWorker } from '@rnn-scratch/core/node';
import { createOnnxBackend } from '../src/base.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '2' },
    hidden: { type: 'string', default: '512' },
    vocab: { type: 'string', default: '28' },
    batch: { type: 'string', default: '32' },
    steps: { type: 'string', default: '200' },
  },
});
const [N, H, V, B, steps] = ['workers', 'hidden', 'vocab', 'batch', 'steps'].map((k) =>
  Number(values[k as keyof typeof values]),
);
const T = 35;
const WARM_UP = 5;

const ms: Record<string, number> = {};
const timed = (name: string, exe: Executable): Executable => ({
  inputNames: exe.inputNames,
  outputNames: exe.outputNames,
  async run(feeds: Feeds) {
    const start = performance.now();
    const out = await exe.run(feeds);
    ms[name] = (ms[name] ?? 0) + performance.now() - start;
    return out;
  },
  dispose: () => exe.dispose(),
});

const backend = await createOnnxBackend({ device: 'cpu', threads: 1 });
const workerOptions = { backend: 'onnx:cpu', threads: 1, modules: ['@rnn-scratch/backend-onnx'] };
const step = await compileDataParallelStep(
  { vocabSize: V, numHiddens: H, batchSize: B, numSteps: T },
  N,
  async (graph, k) => timed(`shard ${k} (round trip)`, await compileInWorker(graph, workerOptions)),
  async (graph) => timed('update (main thread)', await backend.compile(graph)),
);
const rng = new Random(1);
const ids = () => randomTokens(rng, [B, T], V);
let params: Feeds = { ...getParams(V, H, rng) };
for (let s = 0; s < WARM_UP + steps; s++) {
  if (s === WARM_UP) for (const k of Object.keys(ms)) delete ms[k];
  const start = performance.now();
  const out = await step.run({ X: ids(), Y: ids(), state: initRnnState(B, H), lr: scalar('float32', 1), ...params });
  ms['whole step'] = (ms['whole step'] ?? 0) + performance.now() - start;
  params = Object.fromEntries(Object.keys(params).map((p) => [p, out[p]]));
}
await step.dispose();
await backend.dispose();

console.log(`data-parallel train step V=${V} H=${H} B=${B} T=${T} on ${N} onnx:cpu workers, ${steps} steps`);
for (const [name, total] of Object.entries(ms)) console.log(`  ${name.padEnd(24)} ${(total / steps).toFixed(2)} ms`);
