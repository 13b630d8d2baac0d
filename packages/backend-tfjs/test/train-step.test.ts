// The book's train step (buildTrainStep, small: V=28, H=16, B=4, T=5) on tfjs:cpu and tfjs:wasm, as
// tfjs sees it: memory stays flat over many runs, compile and dispose leave no tensor behind, and
// float64 graphs are refused with a clear error. That each step computes what the reference computes is
// the conformance suite's end-to-end level (conformance.test.ts).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Executable,
  type HostTensor,
  Random,
  SeqDataLoader,
  buildTrainStep,
  getParams,
  initRnnState,
  tensor,
} from '@rnn-scratch/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TfjsBackend, TfjsUnsupportedGraphError } from '../src/base.js';

const V = 28;
const H = 16;
const B = 4;
const T = 5;

const coreDir = dirname(createRequire(import.meta.url).resolve('@rnn-scratch/core/package.json'));
const text = readFileSync(join(coreDir, 'data', 'timemachine.txt'), 'utf8');

function batches(count: number): Array<{ X: HostTensor; Y: HostTensor }> {
  const loader = new SeqDataLoader({
    text,
    batchSize: B,
    numSteps: T,
    maxTokens: 5000,
    iterator: 'sequential',
    seed: 3,
  });
  const out: Array<{ X: HostTensor; Y: HostTensor }> = [];
  while (out.length < count) {
    for (const b of loader) {
      if (out.length === count) break;
      out.push({
        X: { dtype: 'int32', shape: [...b.shape], data: b.X },
        Y: { dtype: 'int32', shape: [...b.shape], data: b.Y },
      });
    }
  }
  return out;
}

for (const device of ['cpu', 'wasm'] as const) {
  describe(`tfjs:${device}: book train step`, () => {
    let backend: TfjsBackend;
    let exe: Executable;
    const graph = buildTrainStep({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T });

    beforeAll(async () => {
      backend = await TfjsBackend.create({ device });
      exe = await backend.compile(graph);
    });
    afterAll(() => backend.dispose());

    it('memory stays flat: tf.memory().numTensors and numBytes do not grow over runs', async () => {
      const feeds = {
        ...batches(1)[0],
        state: initRnnState(B, H),
        lr: tensor('float32', [], [1]),
        ...getParams(V, H, new Random(1)),
      };
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
      expect((err as Error).message).toMatch(
        new RegExp(`tfjs:${device} cannot run this graph: input "state" is f64\\[4,16\\]`),
      );
      expect((err as Error).message).toMatch(/no TensorFlow\.js backend computes in float64/);
    });
  });
}
