// The inference graph (what `rnn-scratch export` lowers): the parameters are constants, the only inputs
// are the token and the rank-3 state, and stepping it computes the same numbers as the prediction step the
// CLI runs, so greedy generation gives the same text; `inferenceVocab` describes it.

import { describe, expect, it } from 'vitest';
import {
  type CellName,
  type CheckpointMeta,
  type HostTensor,
  type ModelSpec,
  INFERENCE_INPUTS,
  INFERENCE_OUTPUTS,
  Random,
  ReferenceBackend,
  Vocab,
  argmax,
  buildInferenceGraph,
  buildPredictStep,
  encodeInferenceVocab,
  inferenceInitialState,
  inferenceStateShape,
  inferenceVocab,
  initParams,
  initState,
  predict,
  runReference,
  stateEntries,
  tensor,
} from '../src/index.js';

const MODELS: [CellName, number][] = [
  ['rnn', 1],
  ['gru', 1],
  ['lstm', 1],
  ['lstm', 2],
  ['rnn', 3],
];
const specOf = (cell: CellName, numLayers: number): ModelSpec => ({ vocabSize: 7, numHiddens: 4, cell, numLayers });
const paramsOf = (spec: ModelSpec) => initParams(spec, new Random(3), { init: 'uniform' });
const token = (id: number) => tensor('int32', [1, 1], [id]);

describe('stateEntries and inferenceStateShape', () => {
  it('name every entry of the state in the order core stacks them', () => {
    expect(stateEntries(specOf('rnn', 1))).toEqual(['H']);
    expect(stateEntries(specOf('gru', 2))).toEqual(['l1.H', 'l2.H']);
    expect(stateEntries(specOf('lstm', 1))).toEqual(['H', 'C']);
    expect(stateEntries(specOf('lstm', 2))).toEqual(['l1.H', 'l1.C', 'l2.H', 'l2.C']);
    expect(inferenceStateShape(specOf('rnn', 1))).toEqual([1, 1, 4]);
    expect(inferenceStateShape(specOf('lstm', 2))).toEqual([4, 1, 4]);
  });
});

describe.each(MODELS)('buildInferenceGraph, %s with %i layer(s)', (cell, layers) => {
  const spec = specOf(cell, layers);
  const params = paramsOf(spec);

  it('takes only the token and the state; every parameter is a constant holding its tensor', () => {
    const g = buildInferenceGraph(params);
    const io = (list: readonly { name: string; id: number }[]) =>
      list.map((v) => [v.name, g.nodes[v.id].dtype, [...g.nodes[v.id].shape]]);
    const S = stateEntries(spec).length;
    expect(io(g.inputs)).toEqual([
      ['token', 'int32', [1, 1]],
      ['state', 'float32', [S, 1, 4]],
    ]);
    expect(io(g.outputs)).toEqual([
      ['logits', 'float32', [1, 7]],
      ['next_state', 'float32', [S, 1, 4]],
    ]);
    expect(g.inputs.map((i) => i.name)).toEqual([...INFERENCE_INPUTS]);
    expect(g.outputs.map((o) => o.name)).toEqual([...INFERENCE_OUTPUTS]);
    const constants = new Set(g.nodes.flatMap((n) => (n.op === 'constant' ? [n.value] : [])));
    for (const [name, t] of Object.entries(params)) expect(constants.has(t), name).toBe(true);
  });

  it('steps exactly like the prediction step with the parameters fed', async () => {
    const inference = await new ReferenceBackend().compile(buildInferenceGraph(params));
    const step = await new ReferenceBackend().compile(buildPredictStep(spec));
    let state = inferenceInitialState(spec);
    let coreState = initState(spec, 1);
    for (const id of [1, 6, 0, 3, 3, 2]) {
      const a = await inference.run({ token: token(id), state });
      const b = await step.run({ token: token(id), state: coreState, ...params });
      expect([...a.logits.data]).toEqual([...b.logits.data]);
      expect([...a.next_state.data]).toEqual([...b.state.data]);
      expect(a.next_state.data.some((v) => v !== 0)).toBe(true);
      state = a.next_state;
      coreState = b.state;
    }
  });

  it("generates greedily exactly predict's text", async () => {
    const vocab = Vocab.fromJSON({ idxToToken: ['<unk>', ' ', 'a', 'b', 'c', 'd', 'e'] });
    const want = await predict(new ReferenceBackend(), 'bad cab', params, vocab, { numPreds: 30 });
    const graph = buildInferenceGraph(params);
    const ids = [...'bad cab'].map((c) => vocab.toIndex(c));
    let state: HostTensor = inferenceInitialState(spec);
    const run = async (id: number) => {
      const out = await runReference(graph, { token: token(id), state });
      state = out.next_state;
      return out.logits.data;
    };
    for (const id of ids.slice(0, -1)) await run(id);
    for (let i = 0; i < 30; i++) ids.push(argmax(await run(ids[ids.length - 1])));
    expect(ids.map((i) => vocab.toToken(i)).join('')).toBe(want);
  });
});

describe('buildInferenceGraph refuses parameters that are not a model', () => {
  const params = paramsOf(specOf('gru', 1));
  it('a missing, mis-shaped or mixed-precision parameter', () => {
    const { b_r, ...missing } = params;
    expect(b_r).toBeDefined();
    expect(() => buildInferenceGraph(missing, specOf('gru', 1))).toThrow(/parameter b_r is missing/);
    expect(() => buildInferenceGraph({ ...params, b_r: tensor('float32', [5]) }, specOf('gru', 1))).toThrow(
      /b_r has shape \[5\], expected \[4\]/,
    );
    expect(() => buildInferenceGraph({ ...params, b_r: tensor('float64', [4]) }, specOf('gru', 1))).toThrow(
      /b_r is float64, W_hq is float32/,
    );
    expect(() => buildInferenceGraph(params, specOf('lstm', 1))).toThrow(/parameter W_xi is missing/);
  });
});

describe('inferenceVocab', () => {
  const meta = (cell: CellName, numLayers: number, preprocess: 'book' | 'unicode') =>
    ({
      hyperparameters: { cell, numLayers, numHiddens: 16, preprocess },
      vocab: { idxToToken: ['<unk>', ' ', 'e', 't'] },
    }) as unknown as CheckpointMeta;

  it("describes the vocabulary, the preprocessing and the model's inputs and outputs", () => {
    expect(inferenceVocab(meta('lstm', 2, 'book'))).toEqual({
      format: 'rnn-scratch-vocab',
      version: 1,
      idxToToken: ['<unk>', ' ', 'e', 't'],
      unk: 0,
      preprocess: 'book',
      preprocessRule: expect.stringContaining("re.sub('[^A-Za-z]+', ' ', text).strip().lower()"),
      model: {
        cell: 'lstm',
        numLayers: 2,
        numHiddens: 16,
        vocabSize: 4,
        stateEntries: ['l1.H', 'l1.C', 'l2.H', 'l2.C'],
      },
      inputs: { token: { dtype: 'int32', shape: [1, 1] }, state: { dtype: 'float32', shape: [4, 1, 16] } },
      outputs: { logits: { dtype: 'float32', shape: [1, 4] }, next_state: { dtype: 'float32', shape: [4, 1, 16] } },
    });
    const unicode = inferenceVocab(meta('rnn', 1, 'unicode'));
    expect(unicode.preprocessRule).toContain("re.sub(r'\\s+', ' ', text).strip()");
    expect(unicode.inputs.state.shape).toEqual([1, 1, 16]);
  });
});

describe('encodeInferenceVocab', () => {
  it('writes JSON that reads back the same, with each list of tokens or numbers on one line', () => {
    const tokens = ['<unk>', ' ', ',', '"', '\\', ']', '[', '\n', 'é', '猫', '🙂', '1e5', ', '];
    const meta = {
      hyperparameters: { cell: 'lstm', numLayers: 2, numHiddens: 16, preprocess: 'unicode' },
      vocab: { idxToToken: tokens },
    } as unknown as CheckpointMeta;
    const vocab = inferenceVocab(meta);
    const text = encodeInferenceVocab(vocab);
    expect(JSON.parse(text)).toEqual(vocab);
    expect(text.endsWith('}\n')).toBe(true);
    const lines = text.split('\n');
    expect(lines).toContain(`  "idxToToken": ${JSON.stringify(tokens).replace(/","/g, '", "')},`);
    expect(lines).toContain('    "stateEntries": ["l1.H", "l1.C", "l2.H", "l2.C"]');
    expect(lines).toContain('      "shape": [4, 1, 16]');
    expect(lines.length).toBeLessThan(40);
  });
});
