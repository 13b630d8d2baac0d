import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Backend,
  DivergenceError,
  type Executable,
  type Feeds,
  type Graph,
  type HostTensor,
  PARAM_NAMES,
  Predictor,
  type Sampler,
  Random,
  ReferenceBackend,
  type RnnParams,
  SeqDataLoader,
  Vocab,
  buildForward,
  buildTrainStep,
  getParams,
  grad,
  initRnnState,
  iteratorFor,
  numParams,
  perplexity,
  predict,
  runReference,
  scalar,
  sgd,
  tensor,
  train,
  trainEpoch,
  buildGraph,
  type StepInfo,
} from '../src/index.js';

const text = readFileSync(new URL('../data/timemachine.txt', import.meta.url), 'utf8');

function castParams(p: RnnParams, dtype: 'float64' | 'float32'): RnnParams {
  const out = {} as RnnParams;
  for (const n of PARAM_NAMES) out[n] = tensor(dtype, p[n].shape, p[n].data);
  return out;
}

function ids(values: number[], shape: number[]): HostTensor {
  return tensor('int32', shape, values);
}

/** A backend wrapper that records every feed passed to `run`. */
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

describe('model', () => {
  it('has the book parameter count, shapes and init', () => {
    expect(numParams({ vocabSize: 28, numHiddens: 512 })).toBe(291356);
    const p = getParams(28, 512, new Random(0));
    expect(p.W_xh.shape).toEqual([28, 512]);
    expect(p.W_hh.shape).toEqual([512, 512]);
    expect(p.W_hq.shape).toEqual([512, 28]);
    expect([...p.b_h.data].every((v) => v === 0) && [...p.b_q.data].every((v) => v === 0)).toBe(true);
    const w = [...p.W_hh.data];
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(std).toBeGreaterThan(0.0098);
    expect(std).toBeLessThan(0.0102);
    expect(getParams(28, 8, new Random(7)).W_hq.data).toEqual(getParams(28, 8, new Random(7)).W_hq.data);
  });

  it('gives outputs of shape (T*B, V) in time-major order, like the book (10, 28) and state (2, 512)', async () => {
    const X = ids([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, 5]);
    const g = buildForward({ vocabSize: 28, numHiddens: 512, batchSize: 2, numSteps: 5 });
    const p = getParams(28, 512, new Random(1));
    const out = await runReference(g, { X, Y: X, state: initRnnState(2, 512), ...p });
    expect(out.logits.shape).toEqual([10, 28]);
    expect(out.state.shape).toEqual([2, 512]);
  });

  it('the embedding lookup equals one-hot @ W_xh', async () => {
    const cfg = { vocabSize: 6, numHiddens: 4, batchSize: 2, numSteps: 3, dtype: 'float64' as const };
    const p = getParams(6, 4, new Random(3), 'float64');
    const feeds = {
      X: ids([0, 5, 2, 1, 1, 3], [2, 3]),
      Y: ids([5, 2, 1, 1, 3, 4], [2, 3]),
      state: initRnnState(2, 4, 'float64'),
      ...p,
    };
    const a = await runReference(buildForward({ ...cfg, inputEncoding: 'gather' }), feeds);
    const b = await runReference(buildForward({ ...cfg, inputEncoding: 'one-hot' }), feeds);
    expect(a.logits.data).toEqual(b.logits.data);
  });

  it('pairs output row t*B+b with label Y[b, t] (labels are Y^T flattened)', async () => {
    const V = 5;
    const cfg = { vocabSize: V, numHiddens: 3, batchSize: 2, numSteps: 3, dtype: 'float64' as const };
    const p = getParams(V, 3, new Random(4), 'float64');
    p.b_q.data.set([0.3, -0.2, 0.5, 0.1, -0.4]);
    const Y = [1, 2, 3, 4, 0, 2];
    const out = await runReference(buildForward(cfg), {
      X: ids([0, 1, 2, 3, 4, 0], [2, 3]),
      Y: ids(Y, [2, 3]),
      state: initRnnState(2, 3, 'float64'),
      ...p,
    });
    let total = 0;
    for (let t = 0; t < 3; t++) {
      for (let b = 0; b < 2; b++) {
        const row = [...out.logits.data.slice((t * 2 + b) * V, (t * 2 + b + 1) * V)];
        const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
        total += lse - row[Y[b * 3 + t]];
      }
    }
    expect(out.loss.data[0]).toBeCloseTo(total / 6, 12);
  });
});

describe('train step', () => {
  const cfg = { vocabSize: 7, numHiddens: 5, batchSize: 3, numSteps: 4, dtype: 'float64' as const };
  const X = ids([1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5], [3, 4]);
  const Y = ids([2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6], [3, 4]);
  const state0 = () => {
    const s = initRnnState(3, 5, 'float64');
    s.data.set(Array.from({ length: 15 }, (_, i) => Math.sin(i) * 0.5));
    return s;
  };
  const params = () => {
    const p = getParams(7, 5, new Random(11), 'float64');
    for (const n of PARAM_NAMES)
      for (let i = 0; i < p[n].data.length; i++) p[n].data[i] += Math.cos(i + n.length) * 0.3;
    return p;
  };

  it('gradients of the loss match finite differences in a random direction', async () => {
    const fwd = buildForward(cfg);
    const g = grad(fwd, 'loss', [...PARAM_NAMES]);
    const p = params();
    const out = await runReference(g, { X, Y, state: state0(), ...p });
    const rng = new Random(5);
    const dir = {} as RnnParams;
    for (const n of PARAM_NAMES)
      dir[n] = tensor(
        'float64',
        p[n].shape,
        Array.from(p[n].data, () => rng.normal()),
      );
    const shifted = (eps: number) => {
      const q = {} as RnnParams;
      for (const n of PARAM_NAMES)
        q[n] = tensor(
          'float64',
          p[n].shape,
          Array.from(p[n].data, (v, i) => v + eps * dir[n].data[i]),
        );
      return q;
    };
    const eps = 1e-5;
    const lp = (await runReference(fwd, { X, Y, state: state0(), ...shifted(eps) })).loss.data[0];
    const lm = (await runReference(fwd, { X, Y, state: state0(), ...shifted(-eps) })).loss.data[0];
    let analytic = 0;
    for (const n of PARAM_NAMES)
      for (let i = 0; i < p[n].data.length; i++) analytic += out[`grad_${n}`].data[i] * dir[n].data[i];
    const numeric = (lp - lm) / (2 * eps);
    expect(Math.abs(analytic - numeric) / Math.abs(numeric)).toBeLessThan(1e-7);
  });

  const gradsAndNorm = async () => {
    const out = await runReference(grad(buildForward(cfg), 'loss', [...PARAM_NAMES]), {
      X,
      Y,
      state: state0(),
      ...params(),
    });
    let sq = 0;
    for (const n of PARAM_NAMES) for (const v of out[`grad_${n}`].data) sq += v * v;
    return { out, norm: Math.sqrt(sq) };
  };

  const step = async (theta: number, lr: number) => {
    const p = params();
    const out = await runReference(buildTrainStep({ ...cfg, theta }), {
      X,
      Y,
      state: state0(),
      ...p,
      lr: tensor('float64', [], [lr]),
    });
    return { p, out };
  };

  it('applies p -= lr * grad unchanged when the norm is below theta (SGD arithmetic)', async () => {
    const { out: g, norm } = await gradsAndNorm();
    const { p, out } = await step(norm * 2, 0.5);
    expect(out.gradNorm.data[0]).toBeCloseTo(norm, 12);
    for (const n of PARAM_NAMES) {
      out[n].data.forEach((v, i) => expect(v).toBeCloseTo(p[n].data[i] - 0.5 * g[`grad_${n}`].data[i], 14));
    }
  });

  it('leaves gradients unchanged at exactly theta and scales by theta/norm above it', async () => {
    const { out: g, norm } = await gradsAndNorm();
    const at = await step(norm, 1);
    for (const n of PARAM_NAMES)
      at.out[n].data.forEach((v, i) => expect(v).toBe(at.p[n].data[i] - g[`grad_${n}`].data[i]));
    const theta = norm / 4;
    const above = await step(theta, 1);
    let stepNorm = 0;
    for (const n of PARAM_NAMES) above.out[n].data.forEach((v, i) => (stepNorm += (above.p[n].data[i] - v) ** 2));
    expect(Math.sqrt(stepNorm)).toBeCloseTo(theta, 12);
  });
});

describe('training loop', () => {
  const small = (iterator: 'sequential' | 'random', seed = 1) =>
    new SeqDataLoader({ text, batchSize: 4, numSteps: 5, maxTokens: 200, iterator, seed });

  const statesFed = async (sampler: Sampler) => {
    const backend = new RecordingBackend();
    const loader = small(iteratorFor(sampler));
    const step = await backend.compile(buildTrainStep({ vocabSize: 28, numHiddens: 6, batchSize: 4, numSteps: 5 }));
    await trainEpoch(step, getParams(28, 6, new Random(1)), loader, { sampler, lr: 1 });
    return backend.runs;
  };

  it('sequential: zero state at the first minibatch, then the previous minibatch state', async () => {
    const runs = await statesFed('sequential');
    expect(runs.length).toBeGreaterThanOrEqual(8);
    expect([...runs[0].feeds.state.data].every((v) => v === 0)).toBe(true);
    const exe = await new ReferenceBackend().compile(runs[0].graph);
    for (let i = 1; i < runs.length; i++) {
      const prev = await exe.run(runs[i - 1].feeds);
      expect(runs[i].feeds.state.data).toEqual(prev.state.data);
      expect([...runs[i].feeds.state.data].some((v) => v !== 0)).toBe(true);
    }
  });

  it.each(['random', 'book-random'] as const)('%s: a fresh zero state at every minibatch', async (sampler) => {
    const runs = await statesFed(sampler);
    expect(runs.length).toBeGreaterThanOrEqual(8);
    for (const r of runs) expect([...r.feeds.state.data].every((v) => v === 0)).toBe(true);
  });

  it('learns: a short run on the real corpus lowers perplexity well below the vocabulary size', async () => {
    const loader = new SeqDataLoader({ text, batchSize: 8, numSteps: 10, maxTokens: 2000, seed: 1 });
    const res = await train({
      backend: new ReferenceBackend(),
      data: loader,
      vocab: loader.vocab,
      params: getParams(28, 32, new Random(2)),
      numEpochs: 30,
      lr: 1,
    });
    expect(res.history[0].perplexity).toBeGreaterThan(15);
    expect(res.perplexity).toBeLessThan(10);
    expect(res.history).toHaveLength(30);
    expect(res.predictions['time traveller']).toHaveLength(64);
    expect(res.predictions.traveller).toHaveLength(59);
    expect(res.tokensPerSec).toBeGreaterThan(0);
  });

  it('stops on a non-finite loss naming the epoch and step, keeping the last good parameters', async () => {
    const loader = small('sequential');
    const p = getParams(28, 6, new Random(1));
    const backend = new ReferenceBackend();
    const err = await train({
      backend,
      data: loader,
      vocab: loader.vocab,
      params: p,
      theta: 1e30,
      numEpochs: 3,
      lr: 3e38,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(err.message).toMatch(/^training diverged: the loss is (NaN|-?Infinity) at epoch 1, minibatch \d+$/);
    expect(err.quantity).toBe('loss');
    for (const n of PARAM_NAMES) expect([...err.lastGoodParams[n].data].every(Number.isFinite)).toBe(true);
  });

  it('stops when the epoch perplexity overflows although every minibatch loss is finite', async () => {
    const loader = small('sequential');
    const p = getParams(28, 6, new Random(1));
    // Huge output weights: every loss is finite (about 1e5 nats) but exp(mean loss) is Infinity.
    for (let i = 0; i < p.W_xh.data.length; i++) p.W_xh.data[i] *= 100;
    for (let i = 0; i < p.W_hq.data.length; i++) p.W_hq.data[i] *= 1e7;
    const losses: number[] = [];
    const backend = new ReferenceBackend();
    const run = train({
      backend,
      data: loader,
      vocab: loader.vocab,
      params: p,
      numEpochs: 3,
      lr: 1e-9,
      onStep: (s) => losses.push(s.loss),
    });
    const err = await run.catch((e) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.min(...losses)).toBeGreaterThan(710);
    expect(err.quantity).toBe('perplexity');
    expect(err.step).toBeUndefined();
    expect(err.message).toBe('training diverged: the perplexity of epoch 1 is Infinity');
    expect(err.lastGoodParams).toBe(p);
  });

  it('tells onStep the loss and gradient norm of every minibatch, and the epoch perplexity is exp(mean loss)', async () => {
    const loader = small('sequential');
    const steps: StepInfo[] = [];
    const step = await new ReferenceBackend().compile(
      buildTrainStep({ vocabSize: 28, numHiddens: 6, batchSize: 4, numSteps: 5 }),
    );
    const res = await trainEpoch(step, getParams(28, 6, new Random(1)), loader, {
      sampler: 'sequential',
      lr: 1,
      epoch: 7,
      onStep: (s) => steps.push(s),
    });
    expect(steps.map((s) => s.step)).toEqual(res.losses.map((_, i) => i + 1));
    expect(steps.map((s) => s.loss)).toEqual(res.losses);
    expect(steps.every((s) => s.epoch === 7 && s.gradNorm > 0)).toBe(true);
    const mean = res.losses.reduce((a, b) => a + b, 0) / res.losses.length; // equal-sized minibatches
    expect(res.perplexity).toBeCloseTo(perplexity(mean), 12);
    expect(perplexity(Math.log(28))).toBeCloseTo(28, 12);
  });

  it('reports every `every` epochs with predictions, and resumes from startEpoch', async () => {
    const loader = small('sequential');
    const seen: number[] = [];
    const res = await train({
      backend: new ReferenceBackend(),
      data: loader,
      vocab: loader.vocab,
      params: getParams(28, 6, new Random(1)),
      numEpochs: 7,
      startEpoch: 2,
      lr: 1,
      every: 2,
      onEpoch: (e) => {
        if (e.predictions) seen.push(e.epoch);
      },
    });
    expect(res.epoch).toBe(7);
    expect(res.history.map((h) => h.epoch)).toEqual([3, 4, 5, 6, 7]);
    expect(seen).toEqual([4, 6, 7]);
  });

  it('stops between minibatches when aborted and returns the last completed epoch', async () => {
    const loader = small('sequential');
    const ac = new AbortController();
    const res = await train({
      backend: new ReferenceBackend(),
      data: loader,
      vocab: loader.vocab,
      params: getParams(28, 6, new Random(1)),
      numEpochs: 50,
      lr: 1,
      onEpoch: (e) => {
        if (e.epoch === 3) ac.abort();
      },
      signal: ac.signal,
    });
    expect(res.status).toBe('interrupted');
    expect(res.epoch).toBe(3);
  });
});

describe('sgd', () => {
  it('is param - lr * grad / batchSize for every parameter', async () => {
    const g = buildGraph((b) => {
      const [p1, p2, g1, g2] = ['p1', 'p2', 'g1', 'g2'].map((n) => b.input(n, 'float64', [2]));
      const lr = b.input('lr', 'float64', []);
      const [n1, n2] = sgd([p1, p2], [g1, g2], lr, 4);
      b.output('n1', n1);
      b.output('n2', n2);
    });
    const v = (a: number[]) => tensor('float64', [2], a);
    const out = await runReference(g, {
      p1: v([1, 2]),
      p2: v([3, 4]),
      g1: v([8, -4]),
      g2: v([0, 2]),
      lr: scalar('float64', 0.5),
    });
    expect([...out.n1.data]).toEqual([0, 2.5]);
    expect([...out.n2.data]).toEqual([3, 3.75]);
  });
});

describe('prediction', () => {
  const vocab = new Vocab([...'time traveller said']);
  const V = vocab.length;
  const p = castParams(getParams(V, 8, new Random(9)), 'float32');
  for (let i = 0; i < p.W_xh.data.length; i++) p.W_xh.data[i] *= 100;
  for (let i = 0; i < p.W_hq.data.length; i++) p.W_hq.data[i] *= 100;

  it('warms up on prefix[1:] (len-1 steps), then reads the last prefix character first', async () => {
    const backend = new RecordingBackend();
    const predictor = await Predictor.create(backend, { vocabSize: V, numHiddens: 8 });
    const text = await predictor.predict('time', p, vocab, { numPreds: 3 });
    expect(text).toHaveLength(7);
    expect(text.startsWith('time')).toBe(true);
    const fed = backend.runs.map((r) => r.feeds.token.data[0]);
    expect(fed.length).toBe(3 + 3);
    expect(fed.slice(0, 4)).toEqual(vocab.toIndices([...'time']));
    expect([...backend.runs[0].feeds.state.data].every((v) => v === 0)).toBe(true);
  });

  it('is deterministic when greedy and reproducible with a seed when sampling', async () => {
    const predictor = await Predictor.create(new ReferenceBackend(), { vocabSize: V, numHiddens: 8 });
    const a = await predictor.predict('tr', p, vocab, { numPreds: 20 });
    expect(await predictor.predict('tr', p, vocab, { numPreds: 20 })).toBe(a);
    const s1 = await predictor.predict('tr', p, vocab, { numPreds: 30, temperature: 5, rng: new Random(1) });
    const s2 = await predictor.predict('tr', p, vocab, { numPreds: 30, temperature: 5, rng: new Random(1) });
    const s3 = await predictor.predict('tr', p, vocab, { numPreds: 30, temperature: 5, rng: new Random(2) });
    expect(s1).toBe(s2);
    expect(s1).not.toBe(s3);
    const top1 = await predictor.predict('tr', p, vocab, { numPreds: 20, temperature: 1, topK: 1, rng: new Random(3) });
    expect(top1).toBe(a);
  });

  it("predict() is predict_ch8 in one call: the same text as a Predictor's", async () => {
    const predictor = await Predictor.create(new ReferenceBackend(), { vocabSize: V, numHiddens: 8 });
    const want = await predictor.predict('time', p, vocab, { numPreds: 12 });
    expect(await predict(new ReferenceBackend(), 'time', p, vocab, { numPreds: 12 })).toBe(want);
  });

  it('maps unknown characters to <unk> and rejects an empty prefix', async () => {
    const predictor = await Predictor.create(new ReferenceBackend(), { vocabSize: V, numHiddens: 8 });
    expect(await predictor.predict('Q', p, vocab, { numPreds: 0 })).toBe('<unk>');
    await expect(predictor.predict('', p, vocab)).rejects.toThrow(/prefix is empty/);
  });
});
