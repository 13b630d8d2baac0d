// The book's train step (buildTrainStep, small: V=28, H=16, B=4, T=5) on tfjs:cpu and tfjs:wasm,
// compared STEP BY STEP with the reference backend in float32: at every step both get the same inputs
// (the reference's parameters and state so far), and the loss, gradient norm, new state and updated
// parameters must agree to rtol 1e-5 relative to each tensor's norm. Also: memory stays flat over
// many runs, and float64 graphs are refused with a clear error.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Executable,
  type HostTensor,
  PARAM_NAMES,
  Random,
  ReferenceBackend,
  type RnnParams,
  SeqDataLoader,
  buildTrainStep,
  getParams,
  initRnnState,
  pickParams,
  tensor,
} from '@rnn-scratch/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TfjsBackend, TfjsUnsupportedGraphError } from '../src/base.js';

const V = 28;
const H = 16;
const B = 4;
const T = 5;
const STEPS = 30;
const RTOL = 1e-5;

const coreDir = dirname(createRequire(import.meta.url).resolve('@rnn-scratch/core/package.json'));
const text = readFileSync(join(coreDir, 'data', 'timemachine.txt'), 'utf8');

function batches(count: number): Array<{ X: HostTensor; Y: HostTensor }> {
  const loader = new SeqDataLoader({ text, batchSize: B, numSteps: T, maxTokens: 5000, iterator: 'sequential', seed: 3 });
  const out: Array<{ X: HostTensor; Y: HostTensor }> = [];
  while (out.length < count) {
    for (const b of loader) {
      if (out.length === count) break;
      out.push({ X: { dtype: 'int32', shape: [...b.shape], data: b.X }, Y: { dtype: 'int32', shape: [...b.shape], data: b.Y } });
    }
  }
  return out;
}

function norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/** ||got - want|| <= rtol * ||want|| (plus a floor for all-zero tensors). */
function expectNormClose(got: HostTensor, want: HostTensor, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const diff = Array.from(got.data, (v, i) => v - want.data[i]);
  const err = norm(diff);
  const scale = norm(want.data);
  if (!(err <= RTOL * scale + 1e-7)) {
    throw new Error(`${what}: ||got - want|| = ${err.toExponential(3)} > ${RTOL} * ||want|| = ${(RTOL * scale).toExponential(3)}`);
  }
}

for (const device of ['cpu', 'wasm'] as const) {
  describe(`tfjs:${device}: book train step, step by step vs reference (float32)`, () => {
    let backend: TfjsBackend;
    let exe: Executable;
    let ref: Executable;
    const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T });

    beforeAll(async () => {
      backend = await TfjsBackend.create({ device });
      exe = await backend.compile(graph);
      ref = await new ReferenceBackend().compile(graph);
    });
    afterAll(() => backend.dispose());

    it(`${STEPS} steps: loss, gradNorm, state and parameters match at every step`, async () => {
      let params: RnnParams = getParams(V, H, new Random(11));
      let state = initRnnState(B, H);
      const lr = tensor('float32', [], [1]);
      const losses: number[] = [];
      for (const [step, { X, Y }] of batches(STEPS).entries()) {
        const feeds = { X, Y, state, lr, ...params };
        const [got, want] = await Promise.all([exe.run(feeds), ref.run(feeds)]);
        const at = `step ${step}`;
        expect(got.loss.data[0], `${at} loss`).toBeCloseTo(want.loss.data[0], 4);
        expect(Math.abs(got.loss.data[0] - want.loss.data[0])).toBeLessThanOrEqual(RTOL * Math.abs(want.loss.data[0]));
        expect(Math.abs(got.gradNorm.data[0] - want.gradNorm.data[0])).toBeLessThanOrEqual(RTOL * want.gradNorm.data[0] + 1e-7);
        expectNormClose(got.state, want.state, `${at} state`);
        for (const n of PARAM_NAMES) expectNormClose(got[n], want[n], `${at} ${n}`);
        // Continue from the reference's outputs, so rounding differences cannot accumulate.
        params = pickParams(want);
        state = want.state;
        losses.push(want.loss.data[0]);
      }
      // It trains: the loss goes down from about log(28).
      expect(losses[0]).toBeGreaterThan(3);
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
    });

    it('memory stays flat: tf.memory().numTensors and numBytes do not grow over runs', async () => {
      const feeds = { ...batches(1)[0], state: initRnnState(B, H), lr: tensor('float32', [], [1]), ...getParams(V, H, new Random(1)) };
      await exe.run(feeds);
      const before = tf.memory();
      for (let i = 0; i < 200; i++) await exe.run(feeds);
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numBytes).toBe(before.numBytes);
    });

    it('compile and dispose leave nothing behind', async () => {
      const before = tf.memory().numTensors;
      const e = await backend.compile(buildTrainStep({ vocabSize: V, numHiddens: 8, batchSize: 2, numSteps: 3 }));
      expect(tf.memory().numTensors).toBeGreaterThan(before); // constants are cached per compiled graph
      await e.dispose();
      expect(tf.memory().numTensors).toBe(before);
      await expect(e.run({})).rejects.toThrow(/disposed/);
    });

    it('refuses a float64 graph at compile time with a clear error', async () => {
      const g64 = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T, dtype: 'float64' });
      const err = await backend.compile(g64).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TfjsUnsupportedGraphError);
      expect((err as Error).message).toMatch(new RegExp(`tfjs:${device} cannot run this graph: input "state" is f64\\[4,16\\]`));
      expect((err as Error).message).toMatch(/no TensorFlow\.js backend computes in float64/);
    });
  });
}
