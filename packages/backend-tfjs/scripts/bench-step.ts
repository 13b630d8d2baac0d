// Times the book-size train step (d2l 8.5: V=28, H=512, B=32, T=35; one graph = forward, backward,
// clipping and SGD) on tfjs runtimes and prints tokens/s = B*T / (median seconds per step).
//
//   npx tsx packages/backend-tfjs/scripts/bench-step.ts                  # wasm at H=512, cpu at H=128
//   npx tsx packages/backend-tfjs/scripts/bench-step.ts --device wasm --hiddens 512 --steps 10
//   npx tsx packages/backend-tfjs/scripts/bench-step.ts --device wasm --profile   # time per primitive
//   npx tsx packages/backend-tfjs/scripts/bench-step.ts --device cpu --lowering explicitTranspose=true
//
// The timed loop feeds each step's outputs (parameters and state) back in, like training does.

import {
  type Feeds,
  type HostTensor,
  type KernelTable,
  PARAM_NAMES,
  Random,
  buildTrainStep,
  getParams,
  initRnnState,
  interpret,
  lastUses,
  tensor,
} from '@rnn-scratch/core';
import { randomTokens } from '@rnn-scratch/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import {
  type LoweringOptions,
  TfjsBackend,
  type TfjsDevice,
  defaultLowering,
  lowerGraph,
  kernelsFor,
  withEngine,
} from '../src/base.js';

interface Args {
  devices: TfjsDevice[];
  hiddens?: number;
  steps: number;
  warmup: number;
  profile: boolean;
  lowering: Partial<LoweringOptions>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { devices: ['wasm', 'cpu'], steps: 10, warmup: 2, profile: false, lowering: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--device') args.devices = next().split(',') as TfjsDevice[];
    else if (a === '--hiddens') args.hiddens = Number(next());
    else if (a === '--steps') args.steps = Number(next());
    else if (a === '--warmup') args.warmup = Number(next());
    else if (a === '--profile') args.profile = true;
    else if (a === '--lowering') {
      for (const kv of next().split(',')) {
        const [k, v] = kv.split('=');
        (args.lowering as Record<string, boolean>)[k] = v !== 'false';
      }
    } else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const B = 32;
const T = 35;
const V = 28;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function makeFeeds(H: number): Feeds {
  const rng = new Random(42);
  const ids = () => randomTokens(rng, [B, T], V);
  return { X: ids(), Y: ids(), state: initRnnState(B, H), ...getParams(V, H, rng), lr: tensor('float32', [], [1]) };
}

async function benchDevice(device: TfjsDevice, H: number, args: Args): Promise<void> {
  const backend = await TfjsBackend.create({ device, lowering: args.lowering });
  const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T });
  const t0 = performance.now();
  const exe = await backend.compile(graph);
  const compileMs = performance.now() - t0;
  let feeds = makeFeeds(H);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let loss = NaN;
  for (let i = 0; i < args.warmup + args.steps; i++) {
    const c = process.cpuUsage();
    const s = performance.now();
    const out = await exe.run(feeds);
    const ms = performance.now() - s;
    const cu = process.cpuUsage(c);
    if (i >= args.warmup) {
      times.push(ms);
      cpuTimes.push((cu.user + cu.system) / 1000);
    }
    loss = out.loss.data[0];
    const next: Record<string, HostTensor> = { ...feeds, state: out.state };
    for (const n of PARAM_NAMES) next[n] = out[n];
    feeds = next;
  }
  const med = median(times);
  const cpuMed = median(cpuTimes);
  const fmt = (ms: number) => Math.round((B * T) / (ms / 1000)).toLocaleString('en-US');
  console.log(
    `tfjs:${device}  H=${H} B=${B} T=${T} V=${V}: median ${med.toFixed(1)} ms/step ` +
      `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, n=${times.length}) ` +
      `-> ${fmt(med)} tokens/s wall; process CPU time median ${cpuMed.toFixed(1)} ms/step -> ${fmt(cpuMed)} tokens/s  [compile ${compileMs.toFixed(0)} ms, ` +
      `${backend.runtime.backendName}, tf.memory().numTensors=${tf.memory().numTensors}, last loss ${loss.toFixed(4)}]`,
  );
  if (args.profile) await profile(backend, graph, feeds, args);
  await backend.dispose();
}

/** Time every primitive (synchronous runtimes only: wasm, cpu) over a few runs of the lowered graph. */
async function profile(backend: TfjsBackend, graph: ReturnType<typeof buildTrainStep>, feeds: Feeds, args: Args) {
  const lowered = lowerGraph(graph, { ...defaultLowering(backend.runtime.backendName), ...args.lowering });
  const last = lastUses(lowered);
  const stats = new Map<string, { ms: number; count: number }>();
  const timed = {} as Record<string, unknown>;
  for (const [op, kernel] of Object.entries(kernelsFor(backend.runtime.backendName))) {
    timed[op] = (inputs: readonly tf.Tensor[], attrs: never, out: { shape: readonly number[] }) => {
      const s = performance.now();
      const r = (kernel as (...a: unknown[]) => tf.Tensor)(inputs, attrs, out);
      const key = `${op}${op === 'matmul' ? ` ${inputs.map((x) => x.shape.join('x')).join(' @ ')}` : ''}`;
      const e = stats.get(key) ?? { ms: 0, count: 0 };
      e.ms += performance.now() - s;
      e.count++;
      stats.set(key, e);
      return r;
    };
  }
  const runs = 3;
  await withEngine(backend.runtime, () => {
    const constants = new Map<number, tf.Tensor>();
    for (const n of lowered.nodes)
      if (n.op === 'constant')
        constants.set(n.id, tf.tensor(n.value.data as Float32Array, [...n.shape], n.dtype as 'float32'));
    for (let r = 0; r < runs; r++) {
      const inputs: Record<string, tf.Tensor> = {};
      for (const { name } of lowered.inputs)
        inputs[name] = tf.tensor(
          feeds[name].data as Float32Array,
          [...feeds[name].shape],
          feeds[name].dtype as 'float32',
        );
      tf.tidy(() => {
        interpret(
          lowered,
          timed as unknown as KernelTable<tf.Tensor>,
          inputs,
          {
            constant: (n) => constants.get(n.id)!,
            release: (t) => {
              if (![...constants.values()].includes(t)) t.dispose();
            },
          },
          last,
        );
      });
      for (const t of Object.values(inputs)) t.dispose();
    }
    for (const t of constants.values()) t.dispose();
  });
  const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, e]) => s + e.ms, 0) / runs;
  console.log(`  profile (per step, ${lowered.nodes.length} nodes, kernels total ${total.toFixed(1)} ms):`);
  for (const [k, e] of rows.slice(0, 25)) {
    console.log(`    ${(e.ms / runs).toFixed(2).padStart(8)} ms  ${String(e.count / runs).padStart(4)}x  ${k}`);
  }
}

const args = parseArgs(process.argv.slice(2));
for (const device of args.devices) {
  const H = args.hiddens ?? (device === 'cpu' ? 128 : 512);
  await benchDevice(device, H, args);
}
