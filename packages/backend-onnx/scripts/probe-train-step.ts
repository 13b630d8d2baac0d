// Time the book's train step (d2l 8.5: vocab 28, H=512, B=32, T=35) on the onnx backend.
//   npx tsx packages/backend-onnx/scripts/probe-train-step.ts [--device cpu] [--threads 1] [--steps 20]
//     [--encoding gather|one-hot] [--dtype float32|float64] [--check] [--dump DIR]
// --check also runs one step on the reference backend and prints the largest relative difference.

import { parseArgs } from 'node:util';
import {
  type FloatDType,
  type HostTensor,
  type InputEncoding,
  Random,
  buildTrainStep,
  getParams,
  initRnnState,
  runReference,
  scalar,
} from '@rnn-scratch/core';
import { randomTokens } from '@rnn-scratch/core/testing';
import { type OnnxDevice, createOnnxBackend, lowerGraph } from '../src/base.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '20' },
    hidden: { type: 'string', default: '512' },
    encoding: { type: 'string', default: 'gather' },
    dtype: { type: 'string', default: 'float32' },
    check: { type: 'boolean', default: false },
    dump: { type: 'string' },
  },
});

const V = 28;
const H = Number(values.hidden);
const B = 32;
const T = 35;
const dtype = values.dtype as FloatDType;
const config = {
  vocabSize: V,
  numHiddens: H,
  batchSize: B,
  numSteps: T,
  dtype,
  inputEncoding: values.encoding as InputEncoding,
};

const t0 = performance.now();
const graph = buildTrainStep(config);
const t1 = performance.now();
const lowered = lowerGraph(graph);
const counts = new Map<string, number>();
for (const n of lowered.model.graph.nodes) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
console.log(
  `graph: ${graph.nodes.length} IR nodes -> ${lowered.model.graph.nodes.length} ONNX nodes (built in ${(t1 - t0).toFixed(0)} ms)`,
);
console.log(
  `  ${[...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);

const backend = await createOnnxBackend({
  device: values.device as OnnxDevice,
  threads: Number(values.threads),
  dumpDir: values.dump,
});
const t2 = performance.now();
const exe = await backend.compile(graph);
console.log(`compile (lower + encode + InferenceSession.create): ${(performance.now() - t2).toFixed(0)} ms`);

const rng = new Random(1);
const ids = () => randomTokens(rng, [B, T], V);
const params: Record<string, HostTensor> = { ...getParams(V, H, rng, dtype) };
let feeds: Record<string, HostTensor> = {
  X: ids(),
  Y: ids(),
  state: initRnnState(B, H, dtype),
  lr: scalar(dtype, 1),
  ...params,
};

const steps = Number(values.steps);
const times: number[] = [];
for (let s = 0; s < steps + 3; s++) {
  const start = performance.now();
  const out = await exe.run(feeds);
  const ms = performance.now() - start;
  if (s >= 3) times.push(ms);
  feeds = {
    ...feeds,
    X: ids(),
    Y: ids(),
    state: out.state,
    W_xh: out.W_xh,
    W_hh: out.W_hh,
    b_h: out.b_h,
    W_hq: out.W_hq,
    b_q: out.b_q,
  };
  if (s === 0) console.log(`first run: ${ms.toFixed(1)} ms, loss ${out.loss.data[0].toFixed(4)}`);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `${values.device} threads=${values.threads} ${dtype} ${values.encoding}: median ${median.toFixed(1)} ms/step, ` +
    `min ${times[0].toFixed(1)} ms -> ${((B * T) / (median / 1000)).toFixed(0)} tokens/s (median)`,
);

if (values.check) {
  const got = await exe.run(feeds);
  const want = await runReference(graph, feeds);
  for (const name of Object.keys(want)) {
    let worst = 0;
    for (let i = 0; i < want[name].data.length; i++) {
      const e = want[name].data[i];
      worst = Math.max(worst, Math.abs(got[name].data[i] - e) / (Math.abs(e) + 1e-3));
    }
    console.log(`  check ${name}: max rel diff ${worst.toExponential(2)}`);
  }
}
await backend.dispose();
