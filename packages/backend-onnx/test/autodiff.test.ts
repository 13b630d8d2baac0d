// A whole train step built by core (forward tanh-RNN, softmax cross-entropy, autodiff, global-norm
// clipping, SGD update) runs as ONE ONNX model and matches the reference backend.

import { type DType, type Graph, type HostTensor, buildGraph, clipByGlobalNorm, grad, gradients, scalar, softmaxCrossEntropy } from '@rnn-scratch/core';
import { mulberry32 } from '@rnn-scratch/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxBackend } from '../src/backend.js';
import { lowerGraph } from '../src/lower.js';
import { compareWithReference, randomTensor } from './helpers.js';

const backend = new OnnxBackend({ device: 'cpu' });
afterAll(() => backend.dispose());

const V = 7; // vocabulary
const H = 5; // hidden units
const B = 3; // batch
const T = 4; // time steps

const PARAMS = ['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q'] as const;
const PARAM_SHAPES: Record<(typeof PARAMS)[number], number[]> = {
  W_xh: [V, H],
  W_hh: [H, H],
  b_h: [H],
  W_hq: [H, V],
  b_q: [V],
};

/** d2l 8.5's train step: forward over T steps, loss, gradients, clipping (theta = 1), SGD update. */
function trainStep(dtype: DType, embedding: 'oneHot' | 'gather'): Graph {
  return buildGraph((b) => {
    const X = b.input('X', 'int32', [B, T]);
    const Y = b.input('Y', 'int32', [B, T]);
    const state = b.input('H', dtype, [B, H]);
    const lr = b.input('lr', dtype, []);
    const p = Object.fromEntries(PARAMS.map((n) => [n, b.input(n, dtype, PARAM_SHAPES[n])]));
    let h = state;
    const logits = [];
    for (let t = 0; t < T; t++) {
      const ids = X.sliceAxis(1, t, t + 1).reshape([B]);
      const xW = embedding === 'oneHot' ? ids.oneHot(V, dtype).matmul(p.W_xh) : p.W_xh.gather(ids);
      h = xW.add(h.matmul(p.W_hh)).add(p.b_h).tanh();
      logits.push(h.matmul(p.W_hq).add(p.b_q));
    }
    const allLogits = b.op('concat', logits, { axis: 0 }); // (T*B, V), time-major
    const labels = Y.transpose([1, 0]).reshape([T * B]);
    const loss = softmaxCrossEntropy(allLogits, labels);
    const params = PARAMS.map((n) => p[n]);
    const grads = gradients(loss, params);
    const { clipped, norm } = clipByGlobalNorm(grads, 1);
    b.output('loss', loss);
    b.output('norm', norm);
    b.output('H', h.stopGradient()); // the state out has the same name as the state in
    PARAMS.forEach((n, i) => b.output(n, params[i].sub(clipped[i].mul(lr))));
  });
}

function feedsFor(dtype: DType, seed: number): Record<string, HostTensor> {
  const rand = mulberry32(seed);
  const ids = (): HostTensor => {
    const t = randomTensor(rand, 'int32', [B, T]);
    for (let i = 0; i < t.data.length; i++) t.data[i] = Math.floor(rand() * V);
    return t;
  };
  const feeds: Record<string, HostTensor> = { X: ids(), Y: ids(), H: randomTensor(rand, dtype, [B, H]), lr: scalar(dtype, 0.5) };
  for (const n of PARAMS) {
    const t = randomTensor(rand, dtype, PARAM_SHAPES[n]);
    for (let i = 0; i < t.data.length; i++) t.data[i] *= 0.5;
    feeds[n] = t;
  }
  return feeds;
}

describe('train step from core autodiff', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const embedding of ['oneHot', 'gather'] as const) {
      it(`${dtype}, embedding by ${embedding}: same loss, norm, state and updated parameters as the reference`, async () => {
        const g = trainStep(dtype, embedding);
        expect(g.nodes.length).toBeGreaterThan(100);
        await compareWithReference(backend, g, feedsFor(dtype, 11), `train ${dtype} ${embedding}`);
        await compareWithReference(backend, g, feedsFor(dtype, 12), `train ${dtype} ${embedding} (second batch)`);
      });
    }
  }

  it('runs several steps, feeding the outputs back, and stays with the reference (float64)', async () => {
    const g = trainStep('float64', 'oneHot');
    const exe = await backend.compile(g);
    let feeds = feedsFor('float64', 21);
    for (let step = 0; step < 5; step++) {
      const out = await exe.run(feeds);
      await compareWithReference(backend, g, feeds, `step ${step}`);
      feeds = { ...feeds, H: out.H, ...Object.fromEntries(PARAMS.map((n) => [n, out[n]])) };
    }
    await exe.dispose();
  });

  it('grad() output graph (grad_<name> outputs) matches the reference', async () => {
    const fwd = buildGraph((b) => {
      const x = b.input('x', 'float64', [4, 3]);
      const w = b.input('w', 'float64', [3, 2]);
      const y = b.input('y', 'int32', [4]);
      b.output('loss', softmaxCrossEntropy(x.matmul(w).tanh(), y));
    });
    const g = grad(fwd, 'loss', ['x', 'w']);
    const rand = mulberry32(3);
    const y = randomTensor(rand, 'int32', [4]);
    for (let i = 0; i < 4; i++) y.data[i] = Math.abs(y.data[i]) % 2;
    await compareWithReference(backend, g, { x: randomTensor(rand, 'float64', [4, 3]), w: randomTensor(rand, 'float64', [3, 2]), y }, 'grad');
  });

  it('lowers the train step with no Transpose nodes for the matmul gradients and no Concat wider than 8', () => {
    const model = lowerGraph(trainStep('float32', 'oneHot')).model;
    for (const n of model.graph.nodes) if (n.opType === 'Concat') expect(n.inputs.length).toBeLessThanOrEqual(8);
    const ops = model.graph.nodes.map((n) => n.opType);
    expect(ops).toContain('Gemm');
    expect(ops.filter((o) => o === 'Transpose').length).toBeLessThanOrEqual(1); // only the labels' transpose
  });
});
