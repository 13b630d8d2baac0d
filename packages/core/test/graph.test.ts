import { describe, expect, it } from 'vitest';
import { GraphBuilder, buildTrainStep, opCounts } from '../src/index.js';

describe('graph builder', () => {
  it('computes a repeated expression once and shares equal scalar constants', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    const a = x.tanh().mul(2);
    const c = x.tanh().mul(2);
    expect(c.id).toBe(a.id);
    expect(b.scalar(2).id).toBe(b.scalar(2).id);
    expect(b.scalar(-0).id).not.toBe(b.scalar(0).id);
    expect(x.add(1).id).not.toBe(x.sub(1).id);
  });

  it('adds no node for operations that do nothing', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 3]);
    expect(x.reshape([2, 3])).toBe(x);
    expect(x.transpose([0, 1])).toBe(x);
    expect(x.broadcastTo([2, 3])).toBe(x);
    expect(x.cast('float32')).toBe(x);
    expect(x.sum([])).toBe(x);
    expect(x.reshape([3, 2]).id).toBeGreaterThan(x.id);
  });

  it('keeps the book train step small: one product for dW_hh and one column sum for db_h', () => {
    const g = buildTrainStep({ vocabSize: 28, numHiddens: 512, batchSize: 32, numSteps: 35 });
    const counts = opCounts(g);
    // 35 forward H @ W_hh; 34 backward dA @ W_hh^T (none into the incoming state, which is not trained);
    // the output layer forward and its 2 backward products; one dW_hh; one dW_xh (the lookup's gradient)
    expect(counts.matmul).toBe(35 + 34 + 3 + 1 + 1);
    expect(counts.tanh).toBe(35);
    expect(counts.sum).toBeLessThanOrEqual(12);
    expect(g.nodes.length).toBeLessThan(520);
  });
});
