// Computes every number, graph and command output that the docs show, with the real core code, and
// writes them to apps/docs/generated/. The pages include those files, so no number is typed by hand.
//
//   npm run gen -w @rnn-scratch/docs      (after `npx tsc -b` at the repository root)
//
// test/generated.test.ts runs `generate()` again and fails if a file on disk differs: a change in core
// (or in the CLI's --help) that changes what the docs show cannot go unnoticed.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  type Graph,
  GraphBuilder,
  type Sym,
  clipByGlobalNorm,
  gradients,
  interpret,
  paramInputs,
  paramShapes,
  referenceKernels,
  modelForward,
  softmaxCrossEntropy,
  type HostTensor,
  type Node,
  PARAM_NAMES,
  Predictor,
  Random,
  ReferenceBackend,
  type RnnParams,
  SeqDataLoader,
  buildForward,
  buildGraph,
  buildTrainStep,
  formatType,
  getParams,
  grad,
  initRnnState,
  loadCorpusTimeMachine,
  numParams,
  opCounts,
  preprocessLine,
  printGraph,
  runReference,
  seqDataIterSequential,
  splitLines,
  tensor,
  tokenize,
  trainEpoch,
  type Sampler,
  iteratorFor,
  sgd,
  optimizeGraph,
  BOOK_DEFAULTS,
} from '@rnn-scratch/core';

import { demo as scalarAutodiffDemo } from '../snippets/scalar-autodiff.ts';
import { cellPages } from './cells.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const docsRoot = resolve(here, '..');
export const repoRoot = resolve(docsRoot, '../..');
export const generatedDir = join(docsRoot, 'generated');

const corpusText = () => readFileSync(join(repoRoot, 'packages/core/data/timemachine.txt'), 'utf8');

type Lang = 'zh' | 'en';
const LANGS: readonly Lang[] = ['zh', 'en'];

// ---------------------------------------------------------------------------------------------------
// Small formatting helpers

const fmt = (x: number, digits = 4) => (Object.is(x, -0) ? 0 : x).toFixed(digits).replace(/^(?!-)/, ' ');
const vec = (xs: ArrayLike<number>, digits = 4) => `[${Array.from(xs, (x) => fmt(x, digits)).join(',')}]`;
const rows = (t: HostTensor, digits = 4) => {
  const [r, c] = t.shape.length === 2 ? t.shape : [1, t.shape[0] ?? 1];
  const out: string[] = [];
  for (let i = 0; i < r; i++) out.push(vec(t.data.slice(i * c, (i + 1) * c), digits));
  return out;
};
const quote = (s: string) => `'${s}'`;

/** The first node (in graph order) that matches, with a readable error when none does. */
function findNode(graph: Graph, what: string, pred: (n: Node) => boolean): Node {
  const node = graph.nodes.find(pred);
  if (!node) throw new Error(`generate: no node for ${what}`);
  return node;
}
const inputId = (graph: Graph, name: string) => graph.inputs.find((i) => i.name === name)!.id;
const outputId = (graph: Graph, name: string) => graph.outputs.find((o) => o.name === name)!.id;

// ---------------------------------------------------------------------------------------------------
// Page 1: the pipeline, with the real first line of the book and the shapes read off the real graph.

function pipeline(): Record<string, string> {
  const text = corpusText();
  const rawLine = splitLines(text)[0];
  const clean = preprocessLine(rawLine);
  const { corpus, vocab, totalTokens } = loadCorpusTimeMachine(text, BOOK_DEFAULTS.maxTokens);
  const tokens = tokenize([clean], 'char')[0];
  const ids = vocab.toIndices(tokens);

  const V = vocab.length;
  const { numHiddens: H, batchSize: B, numSteps: T } = BOOK_DEFAULTS;
  const config = { vocabSize: V, numHiddens: H, batchSize: B, numSteps: T };
  const g = buildTrainStep(config);
  const oneHotGraph = buildTrainStep({ ...config, inputEncoding: 'one-hot' });
  const X = inputId(g, 'X');
  const Y = inputId(g, 'Y');
  const Wxh = inputId(g, 'W_xh');
  const Whq = inputId(g, 'W_hq');
  const shape = (n: Node) => formatType(n.dtype, n.shape);
  const xT = findNode(g, 'X^T', (n) => n.op === 'transpose' && n.inputs[0] === X);
  const gather = findNode(g, 'gather', (n) => n.op === 'gather' && n.inputs[0] === Wxh);
  const oneHot = findNode(
    oneHotGraph,
    'one-hot',
    (n) => n.op === 'oneHot' && oneHotGraph.nodes[n.inputs[0]].op === 'reshape',
  );
  const xt = findNode(g, 'X_t W_xh', (n) => n.op === 'slice' && n.inputs[0] === gather.id);
  const h1 = findNode(g, 'H_1', (n) => n.op === 'tanh');
  const allH = findNode(g, 'all H', (n) => n.op === 'concat' && n.shape[0] === T * B && n.shape[1] === H);
  const logitsMatmul = findNode(g, 'H W_hq', (n) => n.op === 'matmul' && n.inputs[1] === Whq);
  const logits = findNode(g, 'logits', (n) => n.op === 'add' && n.inputs[0] === logitsMatmul.id);
  const yT = findNode(g, 'Y^T', (n) => n.op === 'transpose' && n.inputs[0] === Y);
  const y = findNode(g, 'y', (n) => n.op === 'reshape' && n.inputs[0] === yT.id);
  const loss = g.nodes[outputId(g, 'loss')];
  const norm = g.nodes[outputId(g, 'gradNorm')];
  const counts = opCounts(g);
  const input = (name: string) => shape(g.nodes[inputId(g, name)]);

  const loader = new SeqDataLoader({ text, batchSize: B, numSteps: T, seed: 0 });
  const table: [string, string, string, string][] = [
    ['text', `${text.length} characters, 3221 lines`, '文本', 'text'],
    ['tokens', `${totalTokens} characters (' ' and a-z)`, '词元', 'tokens'],
    ['corpus', `${corpus.length} ids: first 10,000 (--max-tokens)`, '语料 (索引)', 'corpus (ids)'],
    ['X, Y', `${input('X')} ${input('Y')}, ${loader.numBatches.max} minibatches per epoch`, '小批量', 'minibatch'],
    ['X^T', shape(xT), '转置', 'transpose'],
    ['one_hot(X^T)', `${shape(oneHot)} = (T*B, V); the book: (T, B, V) = (${T}, ${B}, ${V})`, '独热', 'one-hot'],
    ['X W_xh (all t)', `${shape(gather)} (gather = one_hot @ W_xh)`, '输入投影', 'input projection'],
    ['X_t W_xh', shape(xt), '第 t 步的输入', 'input of step t'],
    ['H_t', `${shape(h1)} (state: ${input('state')})`, '隐状态', 'hidden state'],
    ['cat(H_1..H_T)', shape(allH), '所有隐状态', 'all states'],
    ['logits', `${shape(logits)} = (T*B, V), row t*B + b`, '输出', 'outputs'],
    ['y = Y^T.reshape(-1)', shape(y), '标签', 'labels'],
    ['loss', `${shape(loss)} (mean over ${T * B} tokens)`, '损失', 'loss'],
    ['grads', PARAM_NAMES.map((p) => `${p} ${input(p)}`).join(', '), '梯度', 'gradients'],
    ['global norm', `${shape(norm)} -> scale min(1, theta/norm)`, '裁剪', 'clipping'],
    [
      'update',
      `p - lr * g, same shapes; ${numParams({ vocabSize: V, numHiddens: H }).toLocaleString('en-US')} parameters`,
      '更新',
      'update',
    ],
  ];

  const fromText = [
    `raw line       ${quote(rawLine)}`,
    `preprocessed   ${quote(clean)}`,
    `char tokens    [${tokens.map(quote).join(', ')}]`,
    `ids            [${ids.join(', ')}]`,
    `vocab          ${vocab.length} tokens: ${vocab
      .toTokens([...Array(vocab.length).keys()])
      .map((t) => (t === ' ' ? "' '" : t))
      .join(' ')}`,
  ].join('\n');

  const out: Record<string, string> = { 'pipeline-text.txt': `${fromText}\n` };
  for (const lang of LANGS) {
    const head =
      lang === 'zh'
        ? '| 阶段 | 值 | 形状（书中大小 V=28, H=512, B=32, T=35） |'
        : '| stage | value | shape (book sizes V=28, H=512, B=32, T=35) |';
    const lines = [head, '|---|---|---|'];
    for (const [value, info, zh, en] of table)
      lines.push(`| ${lang === 'zh' ? zh : en} | \`${value}\` | \`${info}\` |`);
    lines.push(
      '',
      lang === 'zh'
        ? `整个训练步是一张有 ${g.nodes.length} 个节点的图，其中 ${counts.matmul} 个 matmul、${counts.tanh} 个 tanh（每个时间步一个）。`
        : `The whole train step is one graph of ${g.nodes.length} nodes: ${counts.matmul} matmuls and ${counts.tanh} tanh (one per time step).`,
    );
    out[`pipeline-shapes.${lang}.md`] = `${lines.join('\n')}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Page 2: a toy minibatch from the real corpus, transposed and one-hot encoded.

function oneHotExample(): Record<string, string> {
  const { corpus, vocab } = loadCorpusTimeMachine(corpusText(), 22);
  const B = 2;
  const T = 5;
  const first = seqDataIterSequential(corpus, B, T, new Random(0), { offset: 0 }).next();
  if (first.done) throw new Error('generate: no minibatch');
  const { X, Y } = first.value;
  const show = (ids: ArrayLike<number>) => Array.from(ids, (i) => vocab.toToken(i)).join('');
  const mat = (data: Int32Array, r: number, c: number) =>
    Array.from(
      { length: r },
      (_, i) => `[${Array.from(data.slice(i * c, (i + 1) * c), (v) => String(v).padStart(2)).join(', ')}]`,
    );
  const transpose = (data: Int32Array, r: number, c: number) => {
    const out = new Int32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j];
    return out;
  };
  const XT = transpose(X, B, T);
  const YT = transpose(Y, B, T);
  const lines = [
    `corpus[:22] = ${quote(show(corpus))}`,
    '',
    `X (B=${B}, T=${T})                      Y = X shifted by one`,
    ...mat(X, B, T).map(
      (r, i) =>
        `  ${r}  ${quote(show(X.slice(i * T, (i + 1) * T)))}     ${mat(Y, B, T)[i]}  ${quote(show(Y.slice(i * T, (i + 1) * T)))}`,
    ),
    '',
    `X.T (T=${T}, B=${B}): row t = the batch at time step t`,
    ...mat(XT, T, B).map((r, t) => `  t=${t} ${r}  ${quote(show(XT.slice(t * B, (t + 1) * B)))}`),
    '',
    `one_hot(X.T)[0] (B=${B}, V=${vocab.length}): time step 0`,
    ...Array.from({ length: B }, (_, b) => {
      const id = XT[b];
      return `  ${quote(vocab.toToken(id))} (id ${id}) -> ${Array.from({ length: vocab.length }, (_, k) => (k === id ? 1 : 0)).join('')}`;
    }),
    '',
    'outputs, time-major (row t*B + b), with their labels:',
    `  y = Y.T.reshape(-1)   = [${Array.from(YT).join(', ')}]  ${quote(show(YT))}   right`,
    `  Y.reshape(-1)         = [${Array.from(Y).join(', ')}]  ${quote(show(Y))}   WRONG`,
    '',
    'row  (t, b)  input  right label  wrong label',
    ...Array.from({ length: T * B }, (_, r) => {
      const t = Math.floor(r / B);
      const b = r % B;
      const ok = YT[r] === Y[r] ? '' : '  <- mismatch';
      return `${String(r).padStart(3)}  (${t}, ${b})   ${quote(vocab.toToken(XT[r]))}    ${quote(vocab.toToken(YT[r]))}          ${quote(vocab.toToken(Y[r]))}${ok}`;
    }),
  ];
  return { 'one-hot.txt': `${lines.join('\n')}\n` };
}

// ---------------------------------------------------------------------------------------------------
// Page 4: one RNN step by hand, checked against the reference backend.

/** The worked example's model: a 3-letter vocabulary {a, b, c} and 2 hidden units. */
export const tinyModel = {
  vocab: ['a', 'b', 'c'],
  W_xh: [0.5, -0.2, 0.1, 0.4, -0.3, 0.2], // (3, 2)
  W_hh: [0.6, -0.5, 0.3, 0.8], // (2, 2)
  b_h: [0.0, 0.1], // (2)
  W_hq: [1.0, -1.0, 0.5, 0.5, 0.5, -1.0], // (2, 3)
  b_q: [0.0, 0.0, 0.1], // (3)
};

function tinyParams(): RnnParams {
  const m = tinyModel;
  return {
    W_xh: tensor('float32', [3, 2], m.W_xh),
    W_hh: tensor('float32', [2, 2], m.W_hh),
    b_h: tensor('float32', [2], m.b_h),
    W_hq: tensor('float32', [2, 3], m.W_hq),
    b_q: tensor('float32', [3], m.b_q),
  };
}

/** Plain-number helpers for the "by hand" column (float64). */
const matvec = (x: number[], W: number[], cols: number) =>
  Array.from({ length: cols }, (_, j) => x.reduce((s, xi, i) => s + xi * W[i * cols + j], 0));
const addv = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);

async function rnnStepExample(): Promise<Record<string, string>> {
  const m = tinyModel;
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const params = tinyParams();
  const feeds = {
    X: tensor('int32', [1, 2], [0, 1]), // "ab"
    Y: tensor('int32', [1, 2], [1, 2]), // "bc"
    state: initRnnState(1, 2),
    ...params,
  };
  const out = await runReference(buildForward(config), feeds);
  const withGrads = await runReference(grad(buildForward(config), 'loss', [...PARAM_NAMES]), feeds);

  // By hand, in float64.
  const lines: string[] = [];
  let h = [0, 0];
  const xs = [0, 1];
  const ys = [1, 2];
  let lossSum = 0;
  const hs: number[][] = [];
  xs.forEach((x, t) => {
    const xProj = m.W_xh.slice(x * 2, x * 2 + 2);
    const hProj = matvec(h, m.W_hh, 2);
    const pre = addv(addv(xProj, hProj), m.b_h);
    const hNew = pre.map(Math.tanh);
    const o = addv(matvec(hNew, m.W_hq, 3), m.b_q);
    const mx = Math.max(...o);
    const ex = o.map((v) => Math.exp(v - mx));
    const z = ex.reduce((a, b) => a + b, 0);
    const p = ex.map((e) => e / z);
    const l = -Math.log(p[ys[t]]);
    lossSum += l;
    const row = (label: string, value: string) => `  ${label.padEnd(24)}= ${value}`;
    lines.push(
      `step ${t + 1}: input ${quote(m.vocab[x])} = one-hot ${vec(
        m.vocab.map((_, k) => (k === x ? 1 : 0)),
        0,
      )}, label ${quote(m.vocab[ys[t]])}`,
      row(`X_${t + 1} W_xh`, `${vec(xProj)}   (row ${x} of W_xh)`),
      row(`H_${t} W_hh`, `${vec(hProj)}   (H_${t} = ${vec(h)})`),
      row('sum + b_h', vec(pre)),
      row(`H_${t + 1} = tanh(sum)`, vec(hNew)),
      row(`O_${t + 1} = H_${t + 1} W_hq + b_q`, vec(o)),
      row(`softmax(O_${t + 1})`, vec(p)),
      row(`loss_${t + 1} = -log p(${quote(m.vocab[ys[t]])})`, fmt(l)),
      '',
    );
    hs.push(hNew);
    h = hNew;
  });
  const mean = lossSum / xs.length;
  lines.push(`loss = (loss_1 + loss_2) / 2 = ${fmt(mean)}`);

  // The reference backend must agree with the hand computation (float32 vs float64).
  const agree = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    for (let i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > 1e-5) throw new Error(`generate: ${what} differs: ${a[i]} vs ${b[i]}`);
    }
  };
  agree(out.state.data, hs[1], 'H_2');
  agree(out.loss.data, [mean], 'loss');

  lines.push(
    '',
    'the same on the reference backend (buildForward, float32):',
    `  logits (T*B=2, V=3), row t*B + b:`,
    ...rows(out.logits).map((r) => `    ${r}`),
    `  ${'state = H_2'.padEnd(24)}= ${vec(out.state.data)}`,
    `  ${'loss'.padEnd(24)}= ${fmt(out.loss.data[0])}`,
  );

  const gradLines = PARAM_NAMES.map((p) => {
    const gT = withGrads[`grad_${p}`];
    return `${`d loss / d ${p}`.padEnd(16)} ${formatType(gT.dtype, gT.shape).padEnd(9)} ${rows(gT).join(' ')}`;
  });

  const paramsText = [
    `vocab = [${m.vocab.map(quote).join(', ')}]   (V = 3, H = 2, batch 1, input 'ab', labels 'bc')`,
    ...PARAM_NAMES.map(
      (p) => `${p.padEnd(5)} ${formatType(params[p].dtype, params[p].shape).padEnd(9)} ${rows(params[p], 1).join(' ')}`,
    ),
  ];
  return {
    'rnn-step-params.txt': `${paramsText.join('\n')}\n`,
    'rnn-step.txt': `${lines.join('\n')}\n`,
    'rnn-step-grads.txt': `${gradLines.join('\n')}\n`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Small runs on the reference backend (pages 5, 6, 7). Sizes are small so that this file stays fast.

const SMALL = { numHiddens: 32, batchSize: 8, numSteps: 10, maxTokens: 2000, lr: BOOK_DEFAULTS.lr };

function smallLoader(sampler: Sampler, seed: number) {
  const { batchSize, numSteps, maxTokens } = SMALL;
  return new SeqDataLoader({
    text: corpusText(),
    batchSize,
    numSteps,
    maxTokens,
    iterator: iteratorFor(sampler),
    seed,
  });
}

async function trainSmall(
  sampler: Sampler,
  epochs: number,
  seed: number,
  onEpoch?: (e: number, p: RnnParams, ppl: number) => Promise<void>,
) {
  const loader = smallLoader(sampler, seed);
  const V = loader.vocab.length;
  const backend = new ReferenceBackend();
  const step = await backend.compile(
    buildTrainStep({
      vocabSize: V,
      numHiddens: SMALL.numHiddens,
      batchSize: SMALL.batchSize,
      numSteps: SMALL.numSteps,
    }),
  );
  let params = getParams(V, SMALL.numHiddens, new Random(seed));
  const history: number[] = [];
  for (let e = 1; e <= epochs; e++) {
    const r = await trainEpoch(step, params, loader, { sampler, lr: SMALL.lr, epoch: e });
    params = r.params;
    history.push(r.perplexity);
    await onEpoch?.(e, params, r.perplexity);
  }
  return { params, history, vocab: loader.vocab, loader, backend };
}

async function predictionExample(): Promise<Record<string, string>> {
  const config = { vocabSize: 28, numHiddens: SMALL.numHiddens };
  const predictor = await Predictor.create(new ReferenceBackend(), config);
  const lines = [
    `H=${SMALL.numHiddens}, B=${SMALL.batchSize}, T=${SMALL.numSteps}, first ${SMALL.maxTokens} characters, lr=${SMALL.lr}, seed 0, reference backend`,
    '',
  ];
  const report = new Set([0, 1, 5, 20, 60]);
  const untrained = getParams(28, SMALL.numHiddens, new Random(0));
  const vocab = smallLoader('sequential', 0).vocab;
  lines.push(
    `epoch  0  ppl   -     ${quote(await predictor.predict('time traveller', untrained, vocab, { numPreds: 30 }))}`,
  );
  const { params } = await trainSmall('sequential', 60, 0, async (e, p, ppl) => {
    if (report.has(e)) {
      const text = await predictor.predict('time traveller', p, vocab, { numPreds: 30 });
      lines.push(`epoch ${String(e).padStart(2)}  ppl ${ppl.toFixed(2).padStart(5)}  ${quote(text)}`);
    }
  });
  lines.push('', 'greedy (temperature 0), three calls:');
  for (let i = 0; i < 3; i++)
    lines.push(`  ${quote(await predictor.predict('time traveller', params, vocab, { numPreds: 30 }))}`);
  for (const temperature of [0.5, 1, 2]) {
    lines.push('', `temperature ${temperature}, seeds 1, 2, 3:`);
    for (const seed of [1, 2, 3]) {
      const text = await predictor.predict('time traveller', params, vocab, {
        numPreds: 30,
        temperature,
        rng: new Random(seed),
      });
      lines.push(`  ${quote(text)}`);
    }
  }
  await predictor.dispose();
  return { 'predict.txt': `${lines.join('\n')}\n` };
}

async function clippingExample(): Promise<Record<string, string>> {
  // 1. The formula on two tiny "gradients".
  const g = buildGraph((b) => {
    const g1 = b.input('g1', 'float32', [2]);
    const g2 = b.input('g2', 'float32', [1]);
    const theta = b.input('theta', 'float32', []);
    const { clipped, norm } = clipByGlobalNorm([g1, g2], theta);
    b.output('norm', norm);
    b.output('g1', clipped[0]);
    b.output('g2', clipped[1]);
  });
  const lines: string[] = [];
  for (const [theta, g1, g2] of [
    [1, [3, 0], [4]],
    [10, [3, 0], [4]],
  ] as const) {
    const out = await runReference(g, {
      g1: tensor('float32', [2], g1),
      g2: tensor('float32', [1], g2),
      theta: tensor('float32', [], [theta]),
    });
    lines.push(
      `g1 = ${vec(g1, 1)}, g2 = ${vec(g2, 1)}, theta = ${theta}`,
      `  norm = sqrt(3^2 + 0^2 + 4^2) = ${fmt(out.norm.data[0], 1)};  scale = min(1, ${theta} / 5) = ${fmt(Math.min(1, theta / 5), 1)}`,
      `  clipped: g1 = ${vec(out.g1.data, 1)}, g2 = ${vec(out.g2.data, 1)}`,
      '',
    );
  }

  // 2. Global gradient norms in real training (before clipping), first 30 epochs.
  const loader = smallLoader('sequential', 0);
  const V = loader.vocab.length;
  const { numHiddens, batchSize, numSteps } = SMALL;
  const step = await new ReferenceBackend().compile(buildTrainStep({ vocabSize: V, numHiddens, batchSize, numSteps }));
  let params = getParams(V, numHiddens, new Random(0));
  const lr = tensor('float32', [], [SMALL.lr]);
  const norms: number[][] = [];
  for (let e = 0; e < 30; e++) {
    let state = initRnnState(batchSize, numHiddens);
    const epochNorms: number[] = [];
    for (const batch of loader) {
      const out = await step.run({
        X: tensor('int32', [batchSize, numSteps], batch.X),
        Y: tensor('int32', [batchSize, numSteps], batch.Y),
        state,
        lr,
        ...params,
      });
      epochNorms.push(out.gradNorm.data[0]);
      state = out.state;
      const next = {} as RnnParams;
      for (const p of PARAM_NAMES) next[p] = out[p];
      params = next;
    }
    norms.push(epochNorms);
  }
  const all = norms.flat();
  const clippedCount = all.filter((n) => n > 1).length;
  lines.push(
    `training (H=${numHiddens}, B=${batchSize}, T=${numSteps}, lr=1, theta=1, ${SMALL.maxTokens} characters), global norm before clipping:`,
    ...[1, 2, 5, 10, 20, 30].map((e) => {
      const n = norms[e - 1];
      return `  epoch ${String(e).padStart(2)}: min ${fmt(Math.min(...n), 2)}  max ${fmt(Math.max(...n), 2)}  clipped ${n.filter((x) => x > 1).length}/${n.length}`;
    }),
    `  all ${all.length} steps: ${clippedCount} clipped (norm > 1), largest norm ${fmt(Math.max(...all), 2)}`,
  );
  return { 'clip.txt': `${lines.join('\n')}\n` };
}

async function trainingExample(): Promise<Record<string, string>> {
  const epochs = 30;
  const samplers: Sampler[] = ['sequential', 'book-random', 'random'];
  const histories: Record<string, number[]> = {};
  for (const sampler of samplers) histories[sampler] = (await trainSmall(sampler, epochs, 0)).history;
  // The silent bug of page 2: the same training with labels flattened WITHOUT the transpose.
  const wrong = await trainWrongLabels(epochs);
  const shown = [1, 2, 5, 10, 20, 30];
  const lines = [
    `H=${SMALL.numHiddens}, B=${SMALL.batchSize}, T=${SMALL.numSteps}, first ${SMALL.maxTokens} characters, lr=1, theta=1, seed 0, reference backend`,
    '',
    `epoch   ${samplers.map((m) => m.padStart(12)).join('')}`,
    ...shown.map(
      (e) => `${String(e).padStart(5)}   ${samplers.map((m) => histories[m][e - 1].toFixed(2).padStart(12)).join('')}`,
    ),
  ];
  const wrongLines = [
    `H=${SMALL.numHiddens}, B=${SMALL.batchSize}, T=${SMALL.numSteps}, first ${SMALL.maxTokens} characters, lr=1, sequential, seed 0`,
    '',
    'epoch   y = Y.T.reshape(-1)   y = Y.reshape(-1) (bug)',
    ...shown.map(
      (e) =>
        `${String(e).padStart(5)}   ${histories.sequential[e - 1].toFixed(2).padStart(19)}   ${wrong[e - 1].toFixed(2).padStart(23)}`,
    ),
  ];
  return { 'training.txt': `${lines.join('\n')}\n`, 'wrong-labels.txt': `${wrongLines.join('\n')}\n` };
}

/**
 * buildTrainStep with ONE change: the labels are flattened batch-major (`Y.reshape(-1)`) while the outputs
 * are time-major. Everything else is the real core code. Used only to show what the bug does.
 */
function buildTrainStepWrongLabels(vocabSize: number, numHiddens: number, batchSize: number, numSteps: number): Graph {
  const b = new GraphBuilder();
  const X = b.input('X', 'int32', [batchSize, numSteps]);
  const Y = b.input('Y', 'int32', [batchSize, numSteps]);
  const state = b.input('state', 'float32', [batchSize, numHiddens]);
  const params = paramInputs(b, { vocabSize, numHiddens }, 'float32');
  const lr = b.input('lr', 'float32', []);
  const { logits, state: newState } = modelForward(X, state, params, { vocabSize, numHiddens });
  const y = Y.reshape([numSteps * batchSize]); // BUG: should be Y.transpose().reshape(...)
  const loss = softmaxCrossEntropy(logits, y);
  const list: Sym[] = PARAM_NAMES.map((name) => params[name]);
  const { clipped } = clipByGlobalNorm(gradients(loss, list), 1);
  const updated = sgd(list, clipped, lr);
  PARAM_NAMES.forEach((name, i) => b.output(name, updated[i]));
  b.output('loss', loss);
  b.output('state', newState);
  b.output('gradNorm', loss); // trainEpoch reads it only to check that it is finite
  return optimizeGraph(b.build()); // the same passes as the real train step
}

async function trainWrongLabels(epochs: number): Promise<number[]> {
  const loader = smallLoader('sequential', 0);
  const V = loader.vocab.length;
  const { numHiddens, batchSize, numSteps } = SMALL;
  const step = await new ReferenceBackend().compile(buildTrainStepWrongLabels(V, numHiddens, batchSize, numSteps));
  let params = getParams(V, numHiddens, new Random(0));
  const history: number[] = [];
  for (let e = 1; e <= epochs; e++) {
    const r = await trainEpoch(step, params, loader, { sampler: 'sequential', lr: SMALL.lr, epoch: e });
    params = r.params;
    history.push(r.perplexity);
  }
  return history;
}

// ---------------------------------------------------------------------------------------------------
// Page 3: the parameters at the book's sizes, and the perplexity of an untrained model.

async function paramsExample(): Promise<Record<string, string>> {
  const V = 28;
  const H = BOOK_DEFAULTS.numHiddens;
  const shapes = paramShapes({ vocabSize: V, numHiddens: H });
  const total = numParams({ vocabSize: V, numHiddens: H });
  const lines = PARAM_NAMES.map((p) => {
    const n = shapes[p].reduce((a, d) => a * d, 1);
    const pct = ((100 * n) / total).toFixed(1);
    return (
      `${p.padEnd(5)} (${shapes[p].join(', ')})`.padEnd(20) +
      `${n.toLocaleString('en-US').padStart(8)}  ${pct.padStart(5)}%`
    );
  });
  lines.push(`${'total'.padEnd(20)}${total.toLocaleString('en-US').padStart(8)}  100.0%`);

  // Untrained (randn * 0.01) model on 4 x 35 real characters: every prediction is nearly uniform.
  const B = 4;
  const T = 35;
  const loader = new SeqDataLoader({ text: corpusText(), batchSize: B, numSteps: T, seed: 0 });
  const first = loader[Symbol.iterator]().next();
  if (first.done) throw new Error('generate: no minibatch');
  const params = getParams(V, H, new Random(0));
  const out = await runReference(buildForward({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T }), {
    X: tensor('int32', [B, T], first.value.X),
    Y: tensor('int32', [B, T], first.value.Y),
    state: initRnnState(B, H),
    ...params,
  });
  const logits = out.logits;
  const row0 = Array.from(logits.data.slice(0, V));
  const spread = Math.max(...row0) - Math.min(...row0);
  const stats = [
    `untrained model (randn * 0.01, seed 0), H=${H}, one minibatch of ${B} x ${T} real characters:`,
    `  logits of the first position: min ${fmt(Math.min(...row0))}, max ${fmt(Math.max(...row0))} (spread ${spread.toFixed(4)})`,
    `  loss ${out.loss.data[0].toFixed(4)} nats per character; ln(28) = ${Math.log(28).toFixed(4)}`,
    `  perplexity exp(loss) = ${Math.exp(out.loss.data[0]).toFixed(3)}  (a uniform guess over 28 tokens: 28)`,
  ];
  return { 'params.txt': `${lines.join('\n')}\n`, 'untrained.txt': `${stats.join('\n')}\n` };
}

// ---------------------------------------------------------------------------------------------------
// Page 9: what a backend does: run the equations of the graph in order (the forward graph of page 4).

async function interpreterTrace(): Promise<Record<string, string>> {
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const graph = buildForward(config);
  const printed = printGraph(graph).split('\n');
  const eqns = printed.slice(1, -1); // one line per equation, in node order
  const values: HostTensor[] = [];
  const recording = Object.fromEntries(
    Object.entries(referenceKernels).map(([op, kernel]) => [
      op,
      (inputs: readonly HostTensor[], attrs: never, out: never) => {
        const v = (kernel as (i: readonly HostTensor[], a: never, o: never) => HostTensor)(inputs, attrs, out);
        values.push(v);
        return v;
      },
    ]),
  ) as unknown as typeof referenceKernels;
  const feeds: Record<string, HostTensor> = {
    X: tensor('int32', [1, 2], [0, 1]),
    Y: tensor('int32', [1, 2], [1, 2]),
    state: initRnnState(1, 2),
    ...tinyParams(),
  };
  interpret(graph, recording, feeds, { constant: (n) => n.value });
  const show = (t: HostTensor) =>
    t.dtype === 'int32'
      ? `[${Array.from(t.data).join(', ')}]`
      : `[${Array.from(t.data, (x) => x.toFixed(4)).join(', ')}]`;
  if (values.length !== eqns.length) throw new Error(`generate: ${values.length} values for ${eqns.length} equations`);
  const width = Math.max(...eqns.map((e) => e.length));
  const lines = eqns.map((e, i) => `${e.padEnd(width)}   -> ${show(values[i])}`);
  return { 'interpreter-trace.txt': `${lines.join('\n')}\n` };
}

// ---------------------------------------------------------------------------------------------------
// Page 8: the printed graph of two time steps, and which VJP rules fire.

function graphExample(): Record<string, string> {
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const forward = buildForward(config);
  const trainStep = buildTrainStep(config);
  const out: Record<string, string> = {
    'graph-forward.txt': `${printGraph(forward)}\n`,
    'graph-train-step.txt': `${printGraph(trainStep)}\n`,
  };
  // The VJP rules that fire: one per forward primitive on a path from a parameter to the loss.
  const params = new Set(PARAM_NAMES.map((p) => inputId(forward, p)));
  const lossId = outputId(forward, 'loss');
  const fromParam = new Uint8Array(forward.nodes.length);
  for (const n of forward.nodes) if (params.has(n.id) || n.inputs.some((i) => fromParam[i])) fromParam[n.id] = 1;
  // A node gets a cotangent if the loss depends on it through differentiable edges: the walk stops at
  // stopGradient (its rule runs and returns null, so max, behind it, never gets a cotangent).
  const getsCotangent = new Uint8Array(forward.nodes.length);
  getsCotangent[lossId] = 1;
  for (let id = lossId; id >= 0; id--) {
    const n = forward.nodes[id];
    if (!getsCotangent[id] || n.op === 'stopGradient') continue;
    for (const i of n.inputs) getsCotangent[i] = 1;
  }
  const fired = new Map<string, number>();
  for (const n of forward.nodes) {
    if (n.op === 'input' || n.op === 'constant' || !fromParam[n.id] || !getsCotangent[n.id]) continue;
    fired.set(n.op, (fired.get(n.op) ?? 0) + 1);
  }
  const f = opCounts(forward);
  const t = opCounts(trainStep);
  const count = (c: Record<string, number>) =>
    Object.entries(c)
      .filter(([k]) => k !== 'input' && k !== 'constant')
      .reduce((s, [, v]) => s + v, 0);
  const firedList = [...fired].map(([op, n]) => `${op} x${n}`).join(', ');
  out['vjp-fired.txt'] = `${[
    `forward graph:    ${count(f)} equations`,
    `train-step graph: ${count(t)} equations (forward + backward + clipping + update)`,
    `VJP rules that fire (forward ops that get a cotangent): ${firedList}`,
  ].join('\n')}\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Page 10: the CLI's own --help text.

export function cliHelp(): Record<string, string> {
  const bin = join(repoRoot, 'packages/cli/bin/rnn-scratch.js');
  const run = (args: string[]) =>
    execFileSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    })
      .split(repoRoot)
      .join('.');
  const global = run(['--help']);
  const commandsSection = global.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const commands = commandsSection
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((c) => c && c !== 'help');
  const parts = [`$ rnn-scratch --help\n${global.trimEnd()}`];
  for (const c of commands) parts.push(`$ rnn-scratch ${c} --help\n${run([c, '--help']).trimEnd()}`);
  const out: Record<string, string> = { 'cli-help.txt': `${parts.join('\n\n')}\n` };
  if (commands.includes('corpus')) out['cli-corpus.txt'] = `$ rnn-scratch corpus\n${run(['corpus'])}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------

export async function generate(): Promise<Record<string, string>> {
  return {
    ...pipeline(),
    ...oneHotExample(),
    ...(await paramsExample()),
    ...(await rnnStepExample()),
    ...(await predictionExample()),
    ...(await clippingExample()),
    ...(await trainingExample()),
    ...graphExample(),
    ...(await interpreterTrace()),
    ...cliHelp(),
    ...(await cellPages()),
    'scalar-autodiff.out.txt': `${scalarAutodiffDemo()}\n`,
  };
}

/** Each generated file on disk, for the freshness test. */
export function readGenerated(name: string): string | undefined {
  try {
    return readFileSync(join(generatedDir, name), 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await generate();
  mkdirSync(generatedDir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(generatedDir, name), content);
  console.log(`wrote ${Object.keys(files).length} files to ${generatedDir}`);
}
