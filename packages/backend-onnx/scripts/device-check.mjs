// Device check for onnx:webgpu / onnx:cuda on a machine with a GPU. Plain Node (no tsx, no vitest):
// build first (`npx tsc -b`), then `node packages/backend-onnx/scripts/device-check.mjs [--big] [--cpu-too]`.
// Prints each device's availability; for every available non-cpu device, runs a set of small graphs
// covering every primitive (float32, or --dtype=float64) and the book's train step, compared with the reference backend,
// and times the train step against onnx:cpu.

import {
  buildGraph,
  buildTrainStep,
  Random,
  getParams,
  initRnnState,
  runReference,
  scalar,
  tensor,
} from '@rnn-scratch/core';
import { createOnnxBackend, onnxDeviceStatus } from '../dist/base.js';

const big = process.argv.includes('--big');
const cpuToo = process.argv.includes('--cpu-too'); // exercise this script's checks on onnx:cpu as well
const dtypeArg = process.argv.find((a) => a.startsWith('--dtype='));
const F = dtypeArg ? dtypeArg.slice('--dtype='.length) : 'float32'; // float32 (default) or float64
const rng = new Random(12345);
const rand = () => rng.random();
const rnd = (dtype, shape, lo = -2, hi = 2) => {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor(
    dtype,
    shape,
    Array.from({ length: n }, () => (dtype === 'int32' ? Math.floor(rand() * 11) - 5 : lo + (hi - lo) * rand())),
  );
};

function maxRelDiff(got, want) {
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) {
    const e = want.data[i];
    const a = got.data[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    worst = Math.max(worst, Math.abs(a - e) / (Math.abs(e) + 1e-3));
  }
  return worst;
}

/** Small graphs covering every primitive in dtype F (plus int32 indices). */
function cases() {
  const f = F;
  const list = [];
  const add = (name, build, feeds) => list.push({ name, graph: buildGraph(build), feeds });
  for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greaterEqual']) {
    add(`${op} broadcast`, (b) => b.output('y', b.op(op, [b.input('a', f, [3, 1]), b.input('c', f, [1, 4])], {})), {
      a: rnd(f, [3, 1], 0.5, 2),
      c: rnd(f, [1, 4], 0.5, 2),
    });
  }
  for (const op of ['neg', 'exp', 'log', 'tanh', 'sqrt', 'stopGradient']) {
    add(`${op}`, (b) => b.output('y', b.op(op, [b.input('x', f, [2, 5])], {}).mul(1)), { x: rnd(f, [2, 5], 0.1, 2) });
  }
  for (const [transA, transB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    const sa = transA ? [5, 3] : [3, 5];
    const sb = transB ? [4, 5] : [5, 4];
    add(
      `matmul ${transA}/${transB}`,
      (b) => b.output('y', b.input('a', f, sa).matmul(b.input('c', f, sb), { transA, transB })),
      {
        a: rnd(f, sa),
        c: rnd(f, sb),
      },
    );
  }
  for (const op of ['sum', 'max']) {
    for (const [axes, keepDims] of [
      [[], false],
      [[1], true],
      [[0, 2], false],
      [[0, 1, 2], false],
    ]) {
      add(
        `${op} [${axes}] keep=${keepDims}`,
        (b) => b.output('y', b.op(op, [b.input('x', f, [2, 3, 4])], { axes, keepDims })),
        {
          x: rnd(f, [2, 3, 4]),
        },
      );
    }
  }
  add('reshape+transpose', (b) => b.output('y', b.input('x', f, [2, 3, 4]).reshape([6, 4]).transpose([1, 0])), {
    x: rnd(f, [2, 3, 4]),
  });
  add('broadcast', (b) => b.output('y', b.input('x', f, [3, 1]).broadcastTo([2, 3, 4])), { x: rnd(f, [3, 1]) });
  add('slice', (b) => b.output('y', b.input('x', f, [5, 6]).slice([1, 2], [4, 5])), { x: rnd(f, [5, 6]) });
  add(
    'concat 35',
    (b) => {
      const xs = Array.from({ length: 35 }, (_, i) => b.input(`x${i}`, f, [2, 1 + (i % 3)]));
      b.output('y', b.op('concat', xs, { axis: 1 }));
    },
    Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`x${i}`, rnd(f, [2, 1 + (i % 3)])])),
  );
  add('gather', (b) => b.output('y', b.input('t', f, [5, 3]).gather(b.input('i', 'int32', [4]))), {
    t: rnd(f, [5, 3]),
    i: tensor('int32', [4], [4, 0, 2, 2]),
  });
  add('oneHot', (b) => b.output('y', b.input('i', 'int32', [2, 3]).oneHot(4, f)), {
    i: tensor('int32', [2, 3], [0, 3, -1, 4, 2, 1]),
  });
  add('cast', (b) => b.output('y', b.input('x', f, [6]).cast('int32')), {
    x: tensor(f, [6], [-2.7, -0.5, 0, 0.5, 1.99, 3.25]),
  });
  return list;
}

function trainFeeds(V, H, B, T) {
  const ids = () =>
    tensor(
      'int32',
      [B, T],
      Array.from({ length: B * T }, () => Math.floor(rand() * V)),
    );
  return { X: ids(), Y: ids(), state: initRnnState(B, H, F), lr: scalar(F, 1), ...getParams(V, H, rng, F) };
}

async function timeSteps(backend, graph, feeds, n) {
  const exe = await backend.compile(graph);
  await exe.run(feeds);
  await exe.run(feeds);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await exe.run(feeds);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
}

const status = await onnxDeviceStatus();
console.log(JSON.stringify(status, null, 1));
const cpu = await createOnnxBackend({ device: 'cpu' });
let failures = 0;
for (const s of status) {
  if (!s.available || (s.device === 'cpu' && !cpuToo)) continue;
  console.log(`\n== onnx:${s.device} ==`);
  const backend = await createOnnxBackend({ device: s.device });
  for (const c of cases()) {
    try {
      const exe = await backend.compile(c.graph);
      const got = await exe.run(c.feeds);
      const want = await runReference(c.graph, c.feeds);
      const d = maxRelDiff(got.y, want.y);
      const ok = d <= 1e-4 && got.y.shape.join() === want.y.shape.join();
      if (!ok) failures++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${c.name}: max rel diff ${d.toExponential(2)}`);
    } catch (err) {
      failures++;
      console.log(`ERR  ${c.name}: ${String(err?.message ?? err).split('\n')[0]}`);
    }
  }
  const sizes = big
    ? [
        [28, 64, 8, 10],
        [28, 512, 32, 35],
      ]
    : [[28, 64, 8, 10]];
  for (const [V, H, B, T] of sizes) {
    const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T, dtype: F });
    const feeds = trainFeeds(V, H, B, T);
    try {
      const got = await (await backend.compile(graph)).run(feeds);
      const want = await (await cpu.compile(graph)).run(feeds);
      const diffs = Object.keys(want).map((k) => `${k} ${maxRelDiff(got[k], want[k]).toExponential(1)}`);
      console.log(`train step H=${H} B=${B} T=${T} vs onnx:cpu: ${diffs.join(', ')}`);
      const msDev = await timeSteps(backend, graph, feeds, 10);
      const msCpu = await timeSteps(cpu, graph, feeds, 10);
      console.log(
        `  median ms/step: ${s.device} ${msDev.toFixed(1)} (${(((B * T) / msDev) * 1000).toFixed(0)} tok/s), cpu ${msCpu.toFixed(1)}`,
      );
    } catch (err) {
      failures++;
      console.log(`ERR  train step H=${H}: ${String(err?.message ?? err).split('\n')[0]}`);
    }
  }
  await backend.dispose();
}
await cpu.dispose();
console.log(`\ndevice check: ${failures} failure(s)`);
process.exitCode = failures ? 1 : 0;
