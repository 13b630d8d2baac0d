// The chapter's exercises as features of core: one-hot equals choosing rows (exercise 1), learned embeddings
// (2), held-out perplexity (2), sampling with alpha (3), no clipping (4), no detach within an epoch (5), ReLU (6).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Backend,
  type Executable,
  type Feeds,
  type Graph,
  type HostTensor,
  GraphBuilder,
  Predictor,
  Random,
  ReferenceBackend,
  SeqDataLoader,
  Vocab,
  buildForward,
  buildTrainStep,
  clipByGlobalNorm,
  encodeWithVocab,
  evaluatePerplexity,
  heldOutBatches,
  initParams,
  initState,
  modelOf,
  paramShapes,
  printGraph,
  runReference,
  tensor,
  trainEpoch,
} from '../src/index.js';

const text = readFileSync(new URL('../data/timemachine.txt', import.meta.url), 'utf8');

class RecordingBackend implements Backend {
  readonly specVersion = 'v1' as const;
  readonly name = 'recording';
  readonly device = 'cpu';
  readonly floatPrecision = 64 as const;
  readonly inner = new ReferenceBackend();
  readonly runs: Array<{ graph: Graph; feeds: Feeds }> = [];
  async compile(graph: Graph): Promise<Executable> {
    const exe = await this.inner.compile(graph);
    return { ...exe, run: (feeds: Feeds) => (this.runs.push({ graph, feeds }), exe.run(feeds)) };
  }
  async dispose() {}
}

const random = (shape: number[], seed: number) => {
  const r = new Random(seed);
  return tensor(
    'float64',
    shape,
    Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => r.normal()),
  );
};

describe('exercise 1: one-hot encoding is choosing a row', () => {
  it('one_hot(ids) @ W is exactly the rows of W that ids name', async () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', 'int32', [6]);
    const W = b.input('W', 'float64', [5, 3]);
    b.output('product', ids.oneHot(5, 'float64').matmul(W));
    b.output('rows', W.gather(ids));
    const out = await runReference(b.build(), { ids: tensor('int32', [6], [4, 0, 2, 2, 1, 3]), W: random([5, 3], 1) });
    expect(out.product.data).toEqual(out.rows.data);
  });
});

describe('exercise 2: learned embeddings', () => {
  const spec = { vocabSize: 5, numHiddens: 3, embedSize: 2 };

  it('add a table W_emb (V, E) and give the first layer E inputs', () => {
    const shapes = paramShapes(spec);
    expect(Object.keys(shapes)[0]).toBe('W_emb');
    expect(shapes.W_emb).toEqual([5, 2]);
    expect(shapes.W_xh).toEqual([2, 3]);
    expect(modelOf(initParams(spec, new Random(0)))).toEqual({ ...spec, cell: 'rnn', numLayers: 1 });
  });

  it('compute what one-hot inputs compute with W_xh = W_emb @ W_xh', async () => {
    const [B, T] = [2, 3];
    const params = Object.fromEntries(Object.entries(paramShapes(spec)).map(([n, s], k) => [n, random(s, k + 1)]));
    const feeds = {
      X: tensor('int32', [B, T], [1, 4, 0, 2, 2, 3]),
      Y: tensor('int32', [B, T], [0, 1, 2, 3, 4, 0]),
      state: initState(spec, B, 'float64'),
    };
    const withTable = await runReference(buildForward({ ...spec, batchSize: B, numSteps: T, dtype: 'float64' }), {
      ...feeds,
      ...params,
    });
    const b = new GraphBuilder();
    b.output('W', b.input('E', 'float64', [5, 2]).matmul(b.input('X', 'float64', [2, 3])));
    const folded = (await runReference(b.build(), { E: params.W_emb, X: params.W_xh })).W;
    const { W_emb, ...rest } = params;
    const oneHot = await runReference(
      buildForward({ vocabSize: 5, numHiddens: 3, batchSize: B, numSteps: T, dtype: 'float64' }),
      {
        ...feeds,
        ...rest,
        W_xh: folded,
      },
    );
    expect(W_emb).toBeDefined();
    for (let i = 0; i < withTable.logits.data.length; i++)
      expect(withTable.logits.data[i]).toBeCloseTo(oneHot.logits.data[i], 12);
  });
});

describe('exercise 2: held-out perplexity', () => {
  const spec = { vocabSize: 28, numHiddens: 8 };
  const loader = new SeqDataLoader({ text, batchSize: 4, numSteps: 5, maxTokens: 400, seed: 1 });

  it('reads the same minibatches every time, from offset 0, without drawing from any generator', () => {
    const ids = Int32Array.from({ length: 61 }, (_, i) => i % 28);
    const a = heldOutBatches(ids, 4, 5);
    expect(a).toHaveLength(3);
    expect(Array.from(a[0].X.subarray(0, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(heldOutBatches(ids, 4, 5)).toEqual(a);
  });

  it('is exp(mean loss) of the forward pass and leaves the parameters alone', async () => {
    const params = initParams(spec, new Random(2));
    const backend = new RecordingBackend();
    const forward = await backend.compile(buildForward({ ...spec, batchSize: 4, numSteps: 5 }));
    const batches = heldOutBatches(loader.corpus, 4, 5);
    const ppl = await evaluatePerplexity(forward, params, batches, 'sequential');
    const losses = backend.runs.map((r, k) => r.feeds);
    expect(losses).toHaveLength(batches.length);
    // Sequential: the state is carried, so minibatch 2 starts from minibatch 1's final state.
    expect([...backend.runs[1].feeds.state.data].some((v) => v !== 0)).toBe(true);
    expect(ppl).toBeGreaterThan(20); // an untrained model guesses nearly uniformly over 28 tokens
    expect(ppl).toBeLessThan(29);
    await evaluatePerplexity(forward, params, batches, 'random');
    expect([...backend.runs.at(-1)!.feeds.state.data].every((v) => v === 0)).toBe(true);
  });

  it('encodes another text with the training vocabulary and counts what it does not know', () => {
    const vocab = new Vocab([...'abc ']);
    const e = encodeWithVocab('Ab ç\nca', vocab, { preprocess: 'unicode' });
    expect(e.unknown).toBe(2); // 'A' and 'ç' (unicode keeps case)
    expect(e.unknownTokens).toEqual(['A', 'ç']);
    expect(Array.from(e.ids)).toEqual([
      0,
      vocab.toIndex('b'),
      vocab.toIndex(' '),
      0,
      vocab.toIndex('c'),
      vocab.toIndex('a'),
    ]);
  });
});

describe('exercise 3: sampling with alpha', () => {
  it('is temperature 1/alpha, seeded, and refuses both at once', async () => {
    const vocab = new Vocab([...'time traveller said']);
    const params = initParams({ vocabSize: vocab.length, numHiddens: 8 }, new Random(3));
    for (const p of Object.values(params)) for (let i = 0; i < p.data.length; i++) p.data[i] *= 100;
    const predictor = await Predictor.create(new ReferenceBackend(), { vocabSize: vocab.length, numHiddens: 8 });
    const byAlpha = await predictor.predict('ti', params, vocab, { numPreds: 30, alpha: 2, rng: new Random(4) });
    const byTemperature = await predictor.predict('ti', params, vocab, {
      numPreds: 30,
      temperature: 0.5,
      rng: new Random(4),
    });
    expect(byAlpha).toBe(byTemperature);
    const other = await predictor.predict('ti', params, vocab, { numPreds: 30, alpha: 0.5, rng: new Random(4) });
    expect(other).not.toBe(byAlpha);
    await expect(
      predictor.predict('ti', params, vocab, { alpha: 2, temperature: 1, rng: new Random(1) }),
    ).rejects.toThrow(/not both/);
    await expect(predictor.predict('ti', params, vocab, { alpha: 0, rng: new Random(1) })).rejects.toThrow(
      /alpha must be > 0/,
    );
  });
});

describe('exercise 4: no clipping', () => {
  it('theta = Infinity leaves the gradients as they are and still reports their norm', async () => {
    const b = new GraphBuilder();
    const g = b.input('g', 'float64', [2]);
    const { clipped, norm } = clipByGlobalNorm([g], Infinity);
    b.output('clipped', clipped[0]);
    b.output('norm', norm);
    const graph = b.build();
    expect(printGraph(graph)).not.toContain('minimum');
    const out = await runReference(graph, { g: tensor('float64', [2], [300, 400]) });
    expect([...out.clipped.data]).toEqual([300, 400]);
    expect(out.norm.data[0]).toBe(500);
  });
});

describe('exercise 5: no detach within an epoch', () => {
  const spec = { vocabSize: 28, numHiddens: 6 };
  const config = { ...spec, batchSize: 4, numSteps: 5 };
  const loader = () => new SeqDataLoader({ text, batchSize: 4, numSteps: 5, maxTokens: 300, seed: 1 });

  it("runs minibatch i's graph through minibatches 0..i from the epoch's zero state", async () => {
    const backend = new RecordingBackend();
    const steps = new Map<number, Promise<Executable>>();
    const stepFor = (k: number) =>
      steps.get(k) ?? steps.set(k, backend.compile(buildTrainStep({ ...config, minibatches: k }))).get(k)!;
    await trainEpoch(stepFor, initParams(spec, new Random(1)), loader(), {
      sampler: 'sequential',
      bptt: 'epoch',
      lr: 1,
    });
    const xs = backend.runs.map((r) => r.feeds.X);
    expect(xs.length).toBeGreaterThanOrEqual(3);
    xs.forEach((X, i) => expect(X.shape).toEqual([4, 5 * (i + 1)]));
    for (const r of backend.runs) expect([...r.feeds.state.data].every((v) => v === 0)).toBe(true);
    // Row 0 of the third graph's X is row 0 of minibatches 0, 1 and 2 side by side: one stretch of text.
    const batches = [...loader()];
    const third = Array.from(xs[2].data.subarray(0, 15));
    expect(third).toEqual([0, 1, 2].flatMap((i) => Array.from(batches[i].X.subarray(0, 5))));
  });

  it('changes the training (the gradient really reaches the earlier minibatches) but not the first step', async () => {
    const run = async (bptt: 'minibatch' | 'epoch') => {
      const backend = new ReferenceBackend();
      const stepFor = (k: number) => backend.compile(buildTrainStep({ ...config, minibatches: k }));
      return trainEpoch(stepFor, initParams(spec, new Random(1)), loader(), { sampler: 'sequential', bptt, lr: 1 });
    };
    const [cut, through] = [await run('minibatch'), await run('epoch')];
    expect(through.losses[0]).toBe(cut.losses[0]);
    // The gradient of every later minibatch now also flows into the earlier ones, so the updates differ.
    const differs = Object.keys(cut.params).filter((n) =>
      cut.params[n].data.some((v, i) => v !== through.params[n].data[i]),
    );
    expect(differs).toContain('W_hh');
  });

  it('is refused for the random samplers', async () => {
    const step = await new ReferenceBackend().compile(buildTrainStep(config));
    const random = new SeqDataLoader({ text, batchSize: 4, numSteps: 5, maxTokens: 300, seed: 1, iterator: 'random' });
    await expect(
      trainEpoch(step, initParams(spec, new Random(1)), random, { sampler: 'random', bptt: 'epoch', lr: 1 }),
    ).rejects.toThrow(/needs sequential partitioning/);
  });
});

describe('exercise 6: ReLU', () => {
  it('replaces tanh by max(0, .) in the RNN and is refused for gated cells', async () => {
    const graph = (activation: 'tanh' | 'relu') =>
      buildForward({ vocabSize: 28, numHiddens: 4, batchSize: 2, numSteps: 3, activation, dtype: 'float64' });
    expect(printGraph(graph('relu'))).toContain('maximum');
    expect(printGraph(graph('relu'))).not.toContain('tanh');
    expect(printGraph(graph('tanh'))).toContain('tanh');
    const params = initParams({ vocabSize: 28, numHiddens: 4 }, new Random(5), { dtype: 'float64' });
    for (const p of Object.values(params)) for (let i = 0; i < p.data.length; i++) p.data[i] *= 500;
    const feeds = {
      X: tensor('int32', [2, 3], [1, 2, 3, 4, 5, 6]),
      Y: tensor('int32', [2, 3], [2, 3, 4, 5, 6, 7]),
      state: initState({ vocabSize: 28, numHiddens: 4 }, 2, 'float64'),
      ...params,
    };
    const state = (await runReference(graph('relu'), feeds)).state as HostTensor;
    expect([...state.data].every((v) => v >= 0)).toBe(true);
    expect(Math.max(...state.data)).toBeGreaterThan(1); // unbounded above, unlike tanh
    expect(() =>
      buildForward({ vocabSize: 28, numHiddens: 4, batchSize: 2, numSteps: 3, cell: 'gru', activation: 'relu' }),
    ).toThrow(/activation 'relu' is for the rnn cell/);
  });
});
