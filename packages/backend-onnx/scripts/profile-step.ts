// What one train step costs in nodes and GPU dispatches, for work on the GPU path (counts, not timings).
//   npx tsx packages/backend-onnx/scripts/profile-step.ts [--device webgpu] [--swiftshader] [--hidden 512]
//     [--vocab 28] [--steps 3] [--json]
//
// Reports:
// - the lowered ONNX model: nodes per op type;
// - ONNX Runtime's profile of --steps runs (session option enableProfiling): the nodes it executed per
//   step after its own graph optimisations, per op type and per execution provider (a node that fell back
//   to the CPU, or a copy between devices, shows here);
// - on webgpu: the GPU programs dispatched per step (the WebGPU execution provider's "Api" events), per op
//   type, and how many distinct shader programs (cache keys) they use.
// --swiftshader points the Vulkan loader at SwiftShader (CPU), so the counts can be taken on any machine;
// its timings mean nothing for a real GPU.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Random, buildTrainStep, getParams, initRnnState, scalar, tensor } from '@rnn-scratch/core';
import { useSwiftShader } from '@rnn-scratch/core/testing';
import { type OnnxDevice, type OnnxExecutable, createOnnxBackend, lowerGraph } from '../src/base.js';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: 'webgpu' },
    swiftshader: { type: 'boolean', default: false },
    hidden: { type: 'string', default: '512' },
    vocab: { type: 'string', default: '28' },
    steps: { type: 'string', default: '3' },
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
const B = 32;
const T = 35;
const steps = Number(values.steps);
const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T });

const tally = (keys: Iterable<string>) => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return Object.fromEntries([...m].sort((a, b) => b[1] - a[1]));
};
const perStep = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v / steps]));
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

const lowered = lowerGraph(graph).model.graph.nodes;
const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-profile-'));
const backend = await createOnnxBackend({
  device: values.device as OnnxDevice,
  sessionOptions: { enableProfiling: true, profileFilePrefix: join(dir, 'step') },
});
const exe = (await backend.compile(graph)) as OnnxExecutable;
const rng = new Random(1);
const ids = () =>
  tensor(
    'int32',
    [B, T],
    Array.from({ length: B * T }, () => rng.randbelow(V)),
  );
const feeds = { X: ids(), Y: ids(), state: initRnnState(B, H), lr: scalar('float32', 1), ...getParams(V, H, rng) };
for (let s = 0; s < steps; s++) await exe.run(feeds);
exe.session.endProfiling();
await backend.dispose();

interface TraceEvent {
  readonly cat: string;
  readonly name: string;
  readonly args?: { readonly op_name?: string; readonly provider?: string; readonly cache_key?: string };
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
  executedNodesPerStep: nodes.length / steps,
  executedByOp: perStep(tally(nodes.map((e) => e.args?.op_name ?? '?'))),
  executedByProvider: perStep(tally(nodes.map((e) => e.args?.provider ?? '?'))),
  ...(dispatches.length > 0
    ? {
        gpuDispatchesPerStep: dispatches.length / steps,
        gpuDispatchesByOp: perStep(tally(dispatches.map((e) => e.name.split('&')[1] ?? '?'))),
        distinctShaderPrograms: new Set(dispatches.map((e) => e.args?.cache_key ?? e.name)).size,
      }
    : {}),
};

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
  if (report.gpuDispatchesPerStep !== undefined) {
    console.log(
      `GPU dispatches per step: ${report.gpuDispatchesPerStep} (${report.distinctShaderPrograms} distinct shader programs): ` +
        line(report.gpuDispatchesByOp!),
    );
  }
}
