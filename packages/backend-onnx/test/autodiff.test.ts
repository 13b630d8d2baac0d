// How a whole train step built by core (forward tanh-RNN, softmax cross-entropy, autodiff, global-norm
// clipping, SGD update) lowers to ONE ONNX model. That it computes what the reference computes, step
// after step, is the conformance suite's end-to-end level (conformance.test.ts).

import {
  type DType,
  type Graph,
  buildGraph,
  clipByGlobalNorm,
  gradients,
  softmaxCrossEntropy,
} from '@rnn-scratch/core';
import { describe, expect, it } from 'vitest';
import { lowerGraph } from '../src/lower.js';

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

/** d2l 8.5's train step: forward over T steps (one-hot inputs), loss, gradients, clipping (theta = 1), SGD update. */
function trainStep(dtype: DType): Graph {
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
      const xW = ids.oneHot(V, dtype).matmul(p.W_xh);
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

describe('train step from core autodiff', () => {
  it('lowers the train step with no Transpose nodes for the matmul gradients and no Concat wider than 8', () => {
    const model = lowerGraph(trainStep('float32')).model;
    for (const n of model.graph.nodes) if (n.opType === 'Concat') expect(n.inputs.length).toBeLessThanOrEqual(8);
    const ops = model.graph.nodes.map((n) => n.opType);
    expect(ops).toContain('Gemm');
    expect(ops.filter((o) => o === 'Transpose').length).toBeLessThanOrEqual(1); // only the labels' transpose
  });
});
