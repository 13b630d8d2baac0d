// What one train step costs in nodes and GPU dispatches, for work on the GPU path, and on the CPU where its
// time goes.
//   npx tsx packages/backend-onnx/scripts/profile-step.ts [--device webgpu] [--swiftshader] [--hidden 512]
//     [--vocab 28] [--batch 32] [--threads 1] [--steps 3] [--timings] [--json]
//
// Reports:
// - the lowered ONNX model (with the device's tuning, as the backend lowers it): nodes per op type;
// - ONNX Runtime's profile of --steps runs (session option enableProfiling): the nodes it executed per
//   step after its own graph optimisations, per op type and per execution provider (a node that fell back
//   to the CPU, or a copy between devices, shows here);
// - on webgpu: the GPU programs dispatched per step (the WebGPU execution provider's "Api" events), per op
//   type, and how many distinct shader programs (cache keys) they use.
// - with --timings: the wall time per step of a session without profiling (after 2 warm-up steps), and ORT's
//   kernel time per step by op type and, for Gemm, by operand shapes with the GFLOP/s it reached. Run it with
//   --batch 16 to see one shard of `--workers 2` at the book's B=32.
// --swiftshader points the Vulkan loader at SwiftShader (CPU), so the counts can be taken on any machine;
// its timings mean nothing for a real GPU.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Random, buildTrainStep, getParams, initRnnState, scalar } from '@rnn-scratch/core';
import { randomTokens, useSwiftShader } from '@rnn-scratch/core/testing';
import { type OnnxDevice, type OnnxExecutable, createOnnxBackend, lowerGraph, tuningFor } from '../src/base.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'webgpu' },
    swiftshader: { type: 'boolean', default: false },
    hidden: { type: 'string', default: '512' },
    vocab: { type: 'string', default: '28' },
    batch: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    steps: { type: 'string', default: '3' },
    timings: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

// ONNX Runtime reads the Vulkan loader's variables when it creates its WebGPU adapter (the first session).
if (values.swiftshader) {
  const found = useSwiftShader();
  if (!found.available) throw new Error(`--swiftshader: ${found.reason}`);
}

const V = Number(values.vocab);
const H = Number(values.hidden);
const B = Number(values.batch);
const threads = Number(values.threads);
const T = 35;
const steps = Number(values.steps);
// With --timings the profiled session also runs 2 warm-up steps first, left out of the times.
const runs = steps + (values.timings ? 2 : 0);
const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T });

const tally = (keys: Iterable<string>) => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
};
const perStep = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / runs]));
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

const lowered = lowerGraph(graph, tuningFor(values.device)).model.graph.nodes;
const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-profile-'));
const backend = await createOnnxBackend({
  device: values.device as OnnxDevice,
  threads,
  sessionOptions: { enableProfiling: true, profileFilePrefix: join(dir, 'step') },
});
const exe = (await backend.compile(graph)) as OnnxExecutable;
const rng = new Random(1);
const ids = () => randomTokens(rng, [B, T], V);
const feeds = { X: ids(), Y: ids(), state: initRnnState(B, H), lr: scalar('float32', 1), ...getParams(V, H, rng) };
const wallMsPerStep = values.timings ? await timeSteps() : undefined;
for (let s = 0; s < runs; s++) await exe.run(feeds);
exe.session.endProfiling();
await backend.dispose();

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly dur?: number;
  readonly args?: {
    readonly op_name?: string;
    readonly provider?: string;
    readonly cache_key?: string;
    readonly input_type_shape?: ReadonlyArray<Record<string, number[]>>;
    readonly output_type_shape?: ReadonlyArray<Record<string, number[]>>;
  };
}
const file = readdirSync(dir).find((f) => f.endsWith('.json'));
if (file === undefined) throw new Error(`ONNX Runtime wrote no profile in ${dir}`);
const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[];
const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
// WebGPU EP: one "Api" event per program dispatched; its name is "<node>&<op type>&<program>".
const dispatches = events.filter((e) => e.cat === 'Api');

const report = {
  config: { device: values.device, swiftshader: values.swiftshader, V, H, B, T, steps },
  loweredNodes: lowered.length,
  loweredByOp: tally(lowered.map((n) => n.opType)),
  executedNodesPerStep: nodes.length / runs,
  executedByOp: perStep(tally(nodes.map((e) => e.args?.op_name ?? '?'))),
  executedByProvider: perStep(tally(nodes.map((e) => e.args?.provider ?? '?'))),
  ...(wallMsPerStep !== undefined
    ? { wallMsPerStep, ...kernelTimes(nodes.slice((nodes.length / runs) * (runs - steps))) }
    : {}),
  ...(dispatches.length > 0
    ? {
        gpuDispatchesPerStep: dispatches.length / runs,
        gpuDispatchesByOp: perStep(tally(dispatches.map((e) => e.name.split('&')[1] ?? '?'))),
        distinctShaderPrograms: new Set(dispatches.map((e) => e.args?.cache_key ?? e.name)).size,
      }
    : {}),
};

/** Wall milliseconds per step of a session without profiling, after 2 warm-up steps. */
async function timeSteps(): Promise<number> {
  const plain = await createOnnxBackend({ device: values.device as OnnxDevice, threads });
  try {
    const run = await plain.compile(graph);
    for (let s = 0; s < 2; s++) await run.run(feeds);
    const start = performance.now();
    for (let s = 0; s < steps; s++) await run.run(feeds);
    return (performance.now() - start) / steps;
  } finally {
    await plain.dispose();
  }
}

/** ORT's kernel time per step (ms) of `steps` steps' events, by op type and for Gemm by operand shapes. */
function kernelTimes(events: readonly TraceEvent[]) {
  const ms = new Map<string, number>();
  const gemm = new Map<string, { ms: number; count: number; flop: number }>();
  const dims = (t: Record<string, number[]> | undefined) => Object.values(t ?? {})[0] ?? [];
  for (const e of events) {
    const op = e.args?.op_name ?? '?';
    ms.set(op, (ms.get(op) ?? 0) + (e.dur ?? 0) / 1000 / steps);
    if (op !== 'Gemm') continue;
    const [a, b] = (e.args?.input_type_shape ?? []).map(dims);
    const [m, n] = dims(e.args?.output_type_shape?.[0]);
    const k = a.reduce((p, d) => p * d, 1) / m;
    const key = `${a.join('x')} with ${b.join('x')}`;
    const g = gemm.get(key) ?? { ms: 0, count: 0, flop: 0 };
    gemm.set(key, {
      ms: g.ms + (e.dur ?? 0) / 1000 / steps,
      count: g.count + 1,
      flop: g.flop + (2 * m * n * k) / steps,
    });
  }
  const byOp = Object.fromEntries([...ms].sort((p, q) => q[1] - p[1]));
  const gemmByShape = [...gemm]
    .sort((p, q) => q[1].ms - p[1].ms)
    .map(([shapes, g]) => ({ shapes, perStep: g.count / steps, ms: g.ms, gflops: g.flop / g.ms / 1e6 }));
  return { kernelMsPerStep: [...ms.values()].reduce((p, q) => p + q, 0), kernelMsByOp: byOp, gemmByShape };
}

if (values.json) {
  process.stdout.write(JSON.stringify(report) + '\n');
} else {
  const line = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(1)}`)
      .join(', ');
  console.log(
    `train step V=${V} H=${H} B=${B} T=${T} on onnx:${values.device}${values.swiftshader ? ' (SwiftShader)' : ''}`,
  );
  console.log(`lowered ONNX model: ${report.loweredNodes} nodes: ${line(report.loweredByOp)}`);
  console.log(
    `executed per step (after ORT's optimisations): ${report.executedNodesPerStep} nodes: ${line(report.executedByOp)}`,
  );
  console.log(`  by execution provider: ${line(report.executedByProvider)}`);
  if (report.wallMsPerStep !== undefined) {
    const ms = (v: number) => v.toFixed(2);
    console.log(`wall time per step (no profiling, ${threads} thread(s)): ${ms(report.wallMsPerStep)} ms`);
    console.log(`ORT kernel time per step: ${ms(report.kernelMsPerStep!)} ms`);
    for (const [op, t] of Object.entries(report.kernelMsByOp!))
      if (t >= 0.01) console.log(`  ${op.padEnd(12)} ${ms(t)} ms`);
    console.log('Gemm by operand shapes (per step):');
    for (const g of report.gemmByShape!)
      console.log(`  ${g.perStep} x ${g.shapes}: ${ms(g.ms)} ms, ${g.gflops.toFixed(1)} GFLOP/s`);
  }
  if (report.gpuDispatchesPerStep !== undefined) {
    console.log(
      `GPU dispatches per step: ${report.gpuDispatchesPerStep} (${report.distinctShaderPrograms} distinct shader programs): ` +
        line(report.gpuDispatchesByOp!),
    );
  }
}
