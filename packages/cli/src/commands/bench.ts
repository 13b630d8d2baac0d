/**
 * `rnn-scratch bench`: tokens per second of ONE training step (forward, backward, clipping, update: the
 * graph `train` runs for every minibatch) for several backends and hidden sizes, side by side.
 *
 * For each backend and size: compile the step, run `--warmup` untimed steps, then time `--steps` steps one
 * by one and report the median; tokens per step = batch size x time steps (the book counts label tokens
 * the same way). The parameters are fed back after each step, as in training.
 */

import {
  buildTrainStep,
  firstLine,
  getParams,
  pickParams,
  Random,
  scalar,
  tensor,
  trainStepFeeds,
  type Backend,
  type Batch,
  type RnnParams,
} from '@rnn-scratch/core';

import { UsageError } from '../args.js';
import { BACKEND_PACKAGES, checkBackendSpec, openBackend } from '../backends.js';
import { defineCommand } from '../command.js';
import { CliError } from '../errors.js';
import { formatCount } from '../progress.js';

/** The character vocabulary of The Time Machine. */
const VOCAB_SIZE = 28;

const flags = [
  {
    name: 'backend',
    type: 'string',
    placeholder: 'IDS',
    default: 'all',
    help: "comma-separated backend ids (onnx,onnx:webgpu,tfjs:wasm,reference...); all: every backend's default device except the slow reference",
  },
  {
    name: 'num-hiddens',
    type: 'string',
    placeholder: 'H,H,...',
    default: '512',
    help: 'comma-separated hidden sizes, e.g. 128,512,2048',
  },
  {
    name: 'steps',
    type: 'int',
    min: 1,
    default: 20,
    help: 'timed steps per backend and size (the median is reported)',
  },
  { name: 'warmup', type: 'int', min: 0, default: 3, help: 'untimed steps first (compilation, caches)' },
  { name: 'batch-size', type: 'int', min: 1, default: 32, help: 'subsequences per minibatch B' },
  { name: 'num-steps', type: 'int', min: 1, default: 35, help: 'time steps per subsequence T' },
  {
    name: 'threads',
    type: 'int',
    min: 1,
    help: 'intra-op threads, for backends that have them',
    defaultLabel: "the backend's choice",
  },
  { name: 'seed', type: 'int', min: 0, default: 0, help: 'seed of the weights and the random tokens' },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of a table' },
] as const;

interface Cell {
  backend: string;
  numHiddens: number;
  tokensPerSec: number;
  medianMs: number;
  minMs: number;
  /** Resident set size right after this measurement. */
  rssMB: number;
}

interface Failure {
  backend: string;
  numHiddens?: number;
  available: boolean;
  reason: string;
}

function parseSizes(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || sizes.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError(`--num-hiddens expects comma-separated positive integers like 128,512,2048, got '${raw}'`);
  }
  return [...new Set(sizes)];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Time one backend at one size. */
async function measure(
  backend: Backend,
  id: string,
  H: number,
  o: { batchSize: number; numSteps: number; steps: number; warmup: number; seed: number },
): Promise<Cell> {
  const { batchSize: B, numSteps: T } = o;
  const exe = await backend.compile(
    buildTrainStep({ vocabSize: VOCAB_SIZE, numHiddens: H, batchSize: B, numSteps: T, theta: 1, dtype: 'float32' }),
  );
  try {
    const rng = new Random(o.seed);
    let params: RnnParams = getParams(VOCAB_SIZE, H, rng);
    const tokens = () => Int32Array.from({ length: B * T }, () => rng.randint(1, VOCAB_SIZE - 1));
    const batch: Batch = { X: tokens(), Y: tokens(), shape: [B, T] };
    const state = tensor('float32', [B, H]);
    const lr = scalar('float32', 1);
    const times: number[] = [];
    for (let i = 0; i < o.warmup + o.steps; i++) {
      const feeds = trainStepFeeds(batch, state, params, lr);
      const t0 = performance.now();
      const out = await exe.run(feeds);
      const dt = performance.now() - t0;
      if (!Number.isFinite(out.loss.data[0])) throw new Error(`the loss became ${out.loss.data[0]}`);
      params = pickParams(out, params);
      if (i >= o.warmup) times.push(dt);
    }
    const med = median(times);
    return {
      backend: id,
      numHiddens: H,
      tokensPerSec: (B * T) / (med / 1000),
      medianMs: med,
      minMs: Math.min(...times),
      rssMB: mb(process.memoryUsage().rss),
    };
  } finally {
    await exe.dispose();
  }
}

export const benchCommand = defineCommand({
  name: 'bench',
  summary: 'train-step tokens/s of backends at several hidden sizes, side by side',
  description: [
    'Times one training step (forward over T steps, backward, clipping, SGD update) per backend and hidden',
    `size: the median of --steps steps after --warmup, as tokens/s with tokens = B x T (vocabulary ${VOCAB_SIZE}).`,
    'Unavailable backends are listed with the reason. RSS is the process memory after each measurement.',
    '',
    'Examples:',
    '  rnn-scratch bench',
    '  rnn-scratch bench --backend onnx,tfjs:wasm,reference --num-hiddens 128,512,2048 --steps 10',
  ].join('\n'),
  flags,
  async run(options, { stdout, stderr }) {
    const sizes = parseSizes(options.numHiddens);
    let ids = options.backend
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0) throw new UsageError("--backend needs at least one backend id, e.g. 'onnx,reference'");
    if (ids.includes('all')) {
      const all = BACKEND_PACKAGES.map((p) => p.name);
      ids = [...new Set(ids.flatMap((id) => (id === 'all' ? all : [id])))];
    }
    for (const id of ids) checkBackendSpec(id);
    const settings = {
      batchSize: options.batchSize,
      numSteps: options.numSteps,
      steps: options.steps,
      warmup: options.warmup,
      seed: options.seed,
    };

    const cells: Cell[] = [];
    const failures: Failure[] = [];
    const columns: string[] = [];
    for (const spec of ids) {
      let backend: Backend;
      try {
        backend = await openBackend(spec, { threads: options.threads });
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        failures.push({ backend: spec, available: false, reason: err.message });
        continue;
      }
      const id = `${backend.name}:${backend.device}`;
      columns.push(id);
      try {
        for (const H of sizes) {
          if (!options.json && isTtyStream(stderr)) stderr.write(`\r\x1b[2Kbench ${id} H=${H}...`);
          try {
            cells.push(await measure(backend, id, H, settings));
          } catch (err) {
            const reason = firstLine(err);
            failures.push({ backend: id, numHiddens: H, available: true, reason: `failed at H=${H}: ${reason}` });
          }
        }
      } finally {
        if (!options.json && isTtyStream(stderr)) stderr.write('\r\x1b[2K');
        await backend.dispose();
      }
    }
    const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

    if (options.json) {
      const summary = {
        batchSize: options.batchSize,
        numSteps: options.numSteps,
        tokensPerStep: options.batchSize * options.numSteps,
        vocabSize: VOCAB_SIZE,
        steps: options.steps,
        warmup: options.warmup,
        results: cells,
        unavailable: failures.filter((f) => !f.available).map(({ backend, reason }) => ({ backend, reason })),
        failed: failures
          .filter((f) => f.available)
          .map(({ backend, numHiddens, reason }) => ({ backend, numHiddens, reason })),
        peakRssMB,
      };
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }

    const lines = [
      `train step: batch ${options.batchSize} x ${options.numSteps} steps = ${options.batchSize * options.numSteps} tokens, vocab ${VOCAB_SIZE}; ` +
        `median of ${options.steps} steps after ${options.warmup} warm-up (tokens/s, ms per step)`,
    ];
    if (columns.length > 0) {
      const cellText = (id: string, H: number) => {
        const c = cells.find((x) => x.backend === id && x.numHiddens === H);
        return c ? `${formatCount(c.tokensPerSec)} (${c.medianMs.toFixed(1)} ms)` : 'failed';
      };
      const first = Math.max(...sizes.map((H) => `H=${H}`.length), 'RSS after'.length) + 2;
      const widths = columns.map((id) => Math.max(id.length, ...sizes.map((H) => cellText(id, H).length)) + 2);
      const row = (label: string, values: string[]) =>
        `${label.padEnd(first)}${values.map((v, k) => v.padEnd(widths[k])).join('')}`.trimEnd();
      lines.push(row('', columns));
      for (const H of sizes)
        lines.push(
          row(
            `H=${H}`,
            columns.map((id) => cellText(id, H)),
          ),
        );
      lines.push(
        row(
          'RSS after',
          columns.map((id) => {
            const rss = cells.filter((c) => c.backend === id).map((c) => c.rssMB);
            return rss.length ? `${Math.max(...rss)} MB` : '-';
          }),
        ),
      );
    }
    lines.push(`peak RSS ${peakRssMB} MB (whole process)`);
    for (const f of failures) lines.push(f.available ? `failed: ${f.backend} ${f.reason}` : `unavailable: ${f.reason}`);
    stdout.write(`${lines.join('\n')}\n`);
  },
});

function isTtyStream(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
