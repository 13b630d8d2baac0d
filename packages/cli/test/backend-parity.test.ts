// Cross-backend parity: the same seeded small model trained for 30 steps on onnx:cpu and tfjs:wasm.
// At every step both engines get the SAME inputs (onnx's parameters and state), so rounding differences
// cannot compound: each step's loss and updated parameters must agree to float32 precision.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Backend,
  type HostTensor,
  PARAM_NAMES,
  Random,
  type RnnParams,
  SeqDataLoader,
  buildTrainStep,
  getParams,
  initRnnState,
  resolveBackend,
  pickParams,
  scalar,
  trainStepFeeds,
} from '@rnn-scratch/core';
import { bundledCorpusPath } from '@rnn-scratch/core/node';
import '@rnn-scratch/backend-onnx';
import '@rnn-scratch/backend-tfjs';

const RTOL = 1e-5;

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / (den || 1);
}

describe('parity: onnx:cpu and tfjs:wasm', () => {
  it('agree step by step for 30 seeded train steps (V=28, H=32, B=4, T=8)', async () => {
    const onnx: Backend = await resolveBackend('onnx:cpu');
    const tfjs: Backend = await resolveBackend('tfjs:wasm');
    const text = readFileSync(bundledCorpusPath(), 'utf8');
    const loader = new SeqDataLoader({ text, batchSize: 4, numSteps: 8, maxTokens: 3000, seed: 5 });
    const graph = buildTrainStep({ vocabSize: 28, numHiddens: 32, batchSize: 4, numSteps: 8 });
    const a = await onnx.compile(graph);
    const b = await tfjs.compile(graph);
    let params: RnnParams = getParams(28, 32, new Random(6));
    let state: HostTensor = initRnnState(4, 32);
    const losses: number[] = [];
    try {
      outer: for (;;) {
        let first = true;
        for (const batch of loader) {
          if (losses.length === 30) break outer;
          if (first) state = initRnnState(4, 32);
          first = false;
          const feeds = trainStepFeeds(batch, state, params, scalar('float32', 1));
          const ra = await a.run(feeds);
          const rb = await b.run(feeds);
          const step = losses.length + 1;
          expect(Math.abs(ra.loss.data[0] - rb.loss.data[0]) / ra.loss.data[0], `loss at step ${step}`).toBeLessThan(
            RTOL,
          );
          for (const n of PARAM_NAMES)
            expect(relDiff(rb[n].data, ra[n].data), `${n} at step ${step}`).toBeLessThan(RTOL);
          expect(relDiff(rb.state.data, ra.state.data), `state at step ${step}`).toBeLessThan(RTOL);
          losses.push(ra.loss.data[0]);
          params = pickParams(ra, params);
          state = ra.state;
        }
      }
      expect(losses[29]).toBeLessThan(losses[0]); // the model learns along the way
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
