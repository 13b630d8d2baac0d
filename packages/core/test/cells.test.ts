// The cells of chapter 9 (GRU, LSTM) and stacked layers: the book's parameter names, order and shapes, the
// state tuple as one tensor, the forward pass against a plain-JS transcription of the book's code, and the
// gradients against finite differences.

import { describe, expect, it } from 'vitest';
import {
  type CellName,
  type HostTensor,
  type ModelSpec,
  type Params,
  Random,
  buildForward,
  getParams,
  grad,
  initParams,
  initState,
  modelOf,
  numParams,
  paramShapes,
  runReference,
  tensor,
} from '../src/index.js';
import { finiteDifferenceCheck, rngFor } from '../src/testing/index.js';

const spec = (cell: CellName, numLayers = 1): ModelSpec => ({ vocabSize: 5, numHiddens: 3, cell, numLayers });

describe('parameters', () => {
  it("name and order them as the book's get_params does", () => {
    expect(Object.keys(paramShapes(spec('rnn')))).toEqual(['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q']);
    expect(Object.keys(paramShapes(spec('gru')))).toEqual([
      ...['W_xz', 'W_hz', 'b_z', 'W_xr', 'W_hr', 'b_r', 'W_xh', 'W_hh', 'b_h'],
      ...['W_hq', 'b_q'],
    ]);
    expect(Object.keys(paramShapes(spec('lstm')))).toEqual([
      ...['W_xi', 'W_hi', 'b_i', 'W_xf', 'W_hf', 'b_f', 'W_xo', 'W_ho', 'b_o', 'W_xc', 'W_hc', 'b_c'],
      ...['W_hq', 'b_q'],
    ]);
  });

  it('give the first layer V inputs and every layer above it H, each under its own prefix', () => {
    const shapes = paramShapes(spec('gru', 2));
    expect(shapes['l1.W_xz']).toEqual([5, 3]);
    expect(shapes['l2.W_xz']).toEqual([3, 3]);
    expect(shapes['l2.W_hz']).toEqual([3, 3]);
    expect(shapes.W_hq).toEqual([3, 5]);
    expect(Object.keys(shapes)).toHaveLength(2 * 9 + 2);
    // The book's sizes: GRU with H=256 has 3 * (28*256 + 256*256 + 256) + 256*28 + 28 parameters.
    expect(numParams({ vocabSize: 28, numHiddens: 256, cell: 'gru' })).toBe(
      3 * (28 * 256 + 256 * 256 + 256) + 256 * 28 + 28,
    );
  });

  it("draw the rnn's exactly as getParams does (same seed, same numbers)", () => {
    const a = initParams({ vocabSize: 28, numHiddens: 8 }, new Random(3));
    const b = getParams(28, 8, new Random(3));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const n of Object.keys(b)) expect(a[n].data).toEqual(b[n as keyof typeof b].data);
  });

  it('draw N(0, 0.01^2) weights and zero biases, or everything from U(-1/sqrt(H), 1/sqrt(H))', () => {
    const big: ModelSpec = { vocabSize: 28, numHiddens: 256, cell: 'lstm' };
    const normal = initParams(big, new Random(1));
    const w = [...normal.W_hf.data];
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.0098);
    expect(std).toBeLessThan(0.0102);
    expect([...normal.b_f.data].every((v) => v === 0)).toBe(true);
    const uniform = initParams(big, new Random(1), { init: 'uniform' });
    for (const t of Object.values(uniform)) {
      expect(Math.max(...t.data.map(Math.abs))).toBeLessThanOrEqual(1 / 16);
      expect(Math.max(...t.data.map(Math.abs))).toBeGreaterThan(0.9 / 16);
    }
  });

  it('say which model they belong to', () => {
    for (const cell of ['rnn', 'gru', 'lstm'] as const) {
      for (const numLayers of [1, 3]) {
        expect(modelOf(initParams(spec(cell, numLayers), new Random(0)))).toEqual(spec(cell, numLayers));
      }
    }
    expect(() => modelOf({ W_hq: tensor('float32', [3, 5]) })).toThrow(/not those of an rnn, gru or lstm model/);
  });
});

describe('the state', () => {
  it('is one tensor: (B, H) for a single H, else the tuple of every layer stacked', () => {
    expect(initState(spec('rnn'), 4).shape).toEqual([4, 3]);
    expect(initState(spec('gru'), 4).shape).toEqual([4, 3]);
    expect(initState(spec('lstm'), 4).shape).toEqual([2, 4, 3]);
    expect(initState(spec('rnn', 3), 4).shape).toEqual([3, 4, 3]);
    expect(initState(spec('lstm', 2), 4).shape).toEqual([4, 4, 3]);
  });
});

// ------------------------------------------------------------------------------------------------
// The book's forward functions, transcribed to plain JavaScript on number[][] (float64).

type M = number[][];
const mm = (a: M, b: M): M => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const add = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v + b[i][j]));
const mul = (a: M, b: M): M => a.map((row, i) => row.map((v, j) => v * b[i][j]));
const map = (a: M, f: (v: number) => number): M => a.map((row) => row.map(f));
const bias = (a: M, b: ArrayLike<number>): M => a.map((row) => row.map((v, j) => v + b[j]));
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const matrix = (t: HostTensor): M =>
  Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.data.slice(i * t.shape[1], (i + 1) * t.shape[1])));
const oneHot = (ids: number[], V: number): M =>
  ids.map((id) => Array.from({ length: V }, (_, j) => (j === id ? 1 : 0)));

/** d2l's `rnn`, `gru` and `lstm` functions for one layer: inputs (T of (B, in)), state -> outputs, state. */
function bookLayer(cell: CellName, inputs: M[], state: M[], p: Record<string, M>, b: Record<string, number[]>) {
  let [H, C] = state;
  const outputs: M[] = [];
  const gate = (X: M, g: string, f: (v: number) => number, h = H) =>
    map(bias(add(mm(X, p[`W_x${g}`]), mm(h, p[`W_h${g}`])), b[`b_${g}`]), f);
  for (const X of inputs) {
    if (cell === 'rnn') H = gate(X, 'h', Math.tanh);
    if (cell === 'gru') {
      const Z = gate(X, 'z', sigmoid);
      const R = gate(X, 'r', sigmoid);
      const Ht = gate(X, 'h', Math.tanh, mul(R, H));
      H = add(
        mul(Z, H),
        mul(
          map(Z, (z) => 1 - z),
          Ht,
        ),
      );
    }
    if (cell === 'lstm') {
      const [I, F, O, Ct] = [
        gate(X, 'i', sigmoid),
        gate(X, 'f', sigmoid),
        gate(X, 'o', sigmoid),
        gate(X, 'c', Math.tanh),
      ];
      C = add(mul(F, C), mul(I, Ct));
      H = mul(O, map(C, Math.tanh));
    }
    outputs.push(H);
  }
  return { outputs, state: cell === 'lstm' ? [H, C] : [H] };
}

/** The stacked model: one-hot inputs, each layer reading the layer below, the output layer on top. */
function bookModel(s: ModelSpec, params: Params, X: number[][], state: HostTensor) {
  const [B, T] = [X.length, X[0].length];
  const S = initState(s, B).shape.length === 2 ? 1 : state.shape[0];
  const H = s.numHiddens;
  const states = Array.from({ length: S }, (_, k) =>
    matrix({ ...state, shape: [B, H], data: state.data.slice(k * B * H, (k + 1) * B * H) }),
  );
  let inputs = Array.from({ length: T }, (_, t) =>
    oneHot(
      X.map((row) => row[t]),
      s.vocabSize,
    ),
  );
  const perLayer = states.length / (s.numLayers ?? 1);
  const newStates: M[] = [];
  for (let l = 0; l < (s.numLayers ?? 1); l++) {
    const at = (s.numLayers ?? 1) > 1 ? `l${l + 1}.` : '';
    const p: Record<string, M> = {};
    const b: Record<string, number[]> = {};
    for (const [n, t] of Object.entries(params)) {
      if (!n.startsWith(at) || (at === '' && n.includes('.'))) continue;
      const name = n.slice(at.length);
      if (t.shape.length === 2) p[name] = matrix(t);
      else b[name] = Array.from(t.data);
    }
    const r = bookLayer(s.cell ?? 'rnn', inputs, states.slice(l * perLayer, (l + 1) * perLayer), p, b);
    inputs = r.outputs;
    newStates.push(...r.state);
  }
  const logits = inputs.flatMap((Ht) => bias(mm(Ht, matrix(params.W_hq)), params.b_q.data));
  return { logits, states: newStates };
}

const MODELS: Array<[CellName, number]> = [
  ['rnn', 1],
  ['gru', 1],
  ['lstm', 1],
  ['rnn', 2],
  ['gru', 2],
  ['lstm', 3],
];

describe.each(MODELS)('the %s model with %i layer(s)', (cell, numLayers) => {
  const s = spec(cell, numLayers);
  const [B, T] = [2, 4];
  const rng = rngFor(`cells/${cell}/${numLayers}`);
  // Larger weights than the book's 0.01 so that every gate is far from 0.5 and a wrong formula shows.
  const params = Object.fromEntries(
    Object.entries(paramShapes(s)).map(([n, shape]) => [
      n,
      tensor(
        'float64',
        shape,
        Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => rng() * 2 - 1),
      ),
    ]),
  );
  const X = [
    [1, 4, 0, 2],
    [3, 3, 1, 0],
  ];
  const state0 = initState(s, B, 'float64');
  state0.data.forEach((_, i) => (state0.data[i] = rng() - 0.5));
  const feeds = {
    X: tensor('int32', [B, T], X.flat()),
    Y: tensor('int32', [B, T], [4, 0, 2, 1, 3, 1, 0, 4]),
    state: state0,
    ...params,
  };
  const graph = buildForward({ ...s, batchSize: B, numSteps: T, dtype: 'float64' });

  it("computes the book's forward pass: logits in time-major rows and the final state tuple", async () => {
    const out = await runReference(graph, feeds);
    const want = bookModel(s, params, X, state0);
    expect(Array.from(out.logits.data)).toEqual(want.logits.flat().map((v) => expect.closeTo(v, 12)));
    expect(Array.from(out.state.data)).toEqual(want.states.flat(2).map((v) => expect.closeTo(v, 12)));
  });

  it('has gradients that agree with finite differences for every parameter', async () => {
    const names = Object.keys(params);
    const g = grad(graph, 'loss', names);
    const out = await runReference(g, feeds);
    for (const n of names) {
      const dir = rngFor(`cells/fd/${n}`);
      const direction = Array.from(params[n].data, () => dir() * 2 - 1);
      const f = async (x: Float64Array) =>
        (await runReference(graph, { ...feeds, [n]: tensor('float64', params[n].shape, x) })).loss.data[0];
      const r = await finiteDifferenceCheck({ f, x: params[n].data, gradient: out[`grad_${n}`].data, direction });
      // Relative to the derivative, plus the rounding of a central difference of a loss near 1 (1e-16 / eps).
      expect(Math.abs(r.analytic - r.numeric), n).toBeLessThan(1e-7 * Math.abs(r.numeric) + 1e-10);
    }
  });
});
