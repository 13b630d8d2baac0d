// Generated content of the exercises page: every exercise of the chapter answered by small real runs of the
// same code `rnn-scratch train` runs (the reference backend, sizes that train in seconds).

import {
  GraphBuilder,
  Predictor,
  Random,
  ReferenceBackend,
  type RunConfig,
  buildTrainStep,
  runConfig,
  runReference,
  tensor,
} from '@rnn-scratch/core';
import { lineChartSvg, type Series } from '@rnn-scratch/cli';

import { bookSize } from './exercises-book.ts';
import { SMALL_RUN, type SmallRun, epochCurve, smallRun } from './small-runs.ts';

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const setting = (c: Partial<RunConfig> = {}) => {
  const { numHiddens, batchSize, numSteps, maxTokens, lr, numEpochs } = { ...runConfig(), ...SMALL_RUN, ...c };
  return `H=${numHiddens}, B=${batchSize}, T=${numSteps}, first ${maxTokens} characters, lr=${lr}, ${numEpochs} epochs, seed 0, reference backend`;
};
/** A chart in both languages: `[en, zh]` titles and axis labels. */
function chart(name: string, series: Series[], title: [string, string], y: [string, string]): Record<string, string> {
  return {
    [`${name}.en.svg`]: lineChartSvg(series, { title: title[0], xLabel: 'epoch', yLabel: y[0] }),
    [`${name}.zh.svg`]: lineChartSvg(series, { title: title[1], xLabel: '轮次', yLabel: y[1] }),
  };
}
const outcome = (r: SmallRun) =>
  r.diverged
    ? `diverged at epoch ${r.diverged.epoch}${r.diverged.step ? `, minibatch ${r.diverged.step}` : ''} (${r.diverged.quantity} not finite)`
    : `final perplexity ${fmt(r.history.at(-1)!)}`;
const largest = (norms: number[][]) => Math.max(...norms.flat());

/** Exercise 1: multiplying a one-hot vector by W picks a row of W; on a 5 x 3 matrix, numbers shown. */
async function oneHot(): Promise<string> {
  const rng = new Random(1);
  const W = tensor(
    'float64',
    [5, 3],
    Array.from({ length: 15 }, () => Math.round(rng.normal() * 100) / 100),
  );
  const b = new GraphBuilder();
  const ids = b.input('ids', 'int32', [3]);
  const w = b.input('W', 'float64', [5, 3]);
  b.output('oneHot', ids.oneHot(5, 'float64'));
  b.output('product', ids.oneHot(5, 'float64').matmul(w));
  b.output('rows', w.gather(ids));
  const out = await runReference(b.build(), { ids: tensor('int32', [3], [3, 0, 4]), W });
  const rows = (t: { data: ArrayLike<number> }, n: number) =>
    Array.from(
      { length: t.data.length / n },
      (_, i) =>
        `  [${Array.from(t.data)
          .slice(i * n, (i + 1) * n)
          .map((v) => fmt(v).padStart(5))
          .join(', ')}]`,
    );
  const same = Array.from(out.product.data).every((v, i) => v === out.rows.data[i]);
  return [
    'W (5 x 3):',
    ...rows(W, 3),
    'ids = [3, 0, 4]; one_hot(ids, 5):',
    ...rows(out.oneHot, 5),
    'one_hot(ids) @ W:',
    ...rows(out.product, 3),
    'W[ids] (rows 3, 0, 4 of W):',
    ...rows(out.rows, 3),
    `equal bit for bit: ${same}`,
    '',
  ].join('\n');
}

/** Exercise 2: a small grid over lr and H, sorted by held-out perplexity. */
async function sweep(): Promise<string> {
  const rows: Array<{ lr: number; H: number; train: number; held: number }> = [];
  for (const lr of [0.5, 1, 2]) {
    for (const H of [16, 32]) {
      const r = await smallRun({ lr, numHiddens: H, numEpochs: 20, validTokens: 1000 });
      rows.push({ lr, H, train: r.history.at(-1)!, held: r.valid.at(-1)! });
    }
  }
  rows.sort((a, b) => a.held - b.held);
  return [
    `${setting({ numEpochs: 20, lr: NaN }).replace('lr=NaN, ', '')}; held-out: the 1000 characters after the training ones`,
    '',
    '   lr    H   train   held-out',
    ...rows.map(
      (r) =>
        `${String(r.lr).padStart(5)} ${String(r.H).padStart(4)}  ${fmt(r.train).padStart(6)}   ${fmt(r.held).padStart(8)}`,
    ),
    '',
    `best held-out perplexity: ${fmt(rows[0].held)} at lr=${rows[0].lr}, H=${rows[0].H}`,
    '',
  ].join('\n');
}

/** Exercise 2: one-hot inputs against a learned embedding of 8 columns; training and held-out perplexity. */
async function embedding(): Promise<Record<string, string>> {
  const c = { validTokens: 1000 };
  const [plain, embedded] = [await smallRun(c), await smallRun({ ...c, embedSize: 8 })];
  const text = [
    `${setting()}; held-out: the 1000 characters after the training ones`,
    '',
    'epoch   one-hot train  held-out   embedding train  held-out',
    ...[1, 5, 10, 20, 30].map(
      (e) =>
        `${String(e).padStart(5)}   ${fmt(plain.history[e - 1]).padStart(13)}  ${fmt(plain.valid[e - 1]).padStart(8)}   ${fmt(embedded.history[e - 1]).padStart(15)}  ${fmt(embedded.valid[e - 1]).padStart(8)}`,
    ),
    '',
  ].join('\n');
  const series = [
    epochCurve('one-hot, train', plain.history),
    epochCurve('one-hot, held-out', plain.valid),
    epochCurve('embedding, train', embedded.history),
    epochCurve('embedding, held-out', embedded.valid),
  ];
  return {
    'ex-embedding.txt': text,
    ...chart(
      'ex-embedding',
      series,
      ['one-hot vs a learned embedding (E=8)', '独热编码与学到的嵌入（E=8）'],
      ['perplexity', '困惑度'],
    ),
  };
}

/** Exercise 3: samples from a trained small model, greedy and with alpha, seeded. */
async function alpha(): Promise<string> {
  const r = await smallRun({ numEpochs: 60 });
  const predictor = await Predictor.create(new ReferenceBackend(), { vocabSize: r.vocab.length, numHiddens: 32 });
  const lines = [`${setting({ numEpochs: 60 })}; 40 characters after 'time traveller'`, ''];
  lines.push(`greedy        ${await predictor.predict('time traveller', r.params, r.vocab, { numPreds: 40 })}`);
  for (const a of [0.5, 1, 2, 4]) {
    const text = await predictor.predict('time traveller', r.params, r.vocab, {
      numPreds: 40,
      alpha: a,
      rng: new Random(1),
    });
    lines.push(`alpha ${String(a).padEnd(4)}    ${text}`);
  }
  await predictor.dispose();
  return `${lines.join('\n')}\n`;
}

/** Exercises 4 and 6: with and without clipping, tanh and ReLU; what happened and the gradient norms. */
async function clipping(): Promise<Record<string, string>> {
  const lr = 4;
  const runs: Array<[string, Partial<RunConfig>]> = [
    ['tanh, clipped (theta 1)', { lr }],
    ['tanh, no clipping', { lr, theta: Infinity }],
    ['relu, clipped (theta 1)', { lr, activation: 'relu' }],
    ['relu, no clipping', { lr, activation: 'relu', theta: Infinity }],
  ];
  const results: Array<[string, SmallRun]> = [];
  for (const [label, c] of runs) results.push([label, await smallRun(c)]);
  const text = [
    setting({ lr }),
    '',
    ...results.map(([label, r]) => {
      const clipped = r.norms.flat().filter((n) => n > 1).length;
      return `${label.padEnd(24)} ${outcome(r)}; largest gradient norm ${fmt(largest(r.norms))}; norm > 1 in ${clipped} of ${r.norms.flat().length} minibatches`;
    }),
    '',
    'largest gradient norm per epoch (epochs 1, 2, 5, 10, 20, 30; - after a divergence):',
    ...results.map(
      ([label, r]) =>
        `  ${label.padEnd(24)} ${[1, 2, 5, 10, 20, 30].map((e) => (r.norms[e - 1] ? fmt(Math.max(...r.norms[e - 1])) : '-').padStart(9)).join('')}`,
    ),
    '',
  ].join('\n');
  // The unclipped runs reach perplexities in the millions: plot the loss, ln(perplexity), to see them all.
  const series = results.map(([label, r]) => epochCurve(label, r.history.map(Math.log)));
  return {
    'ex-clipping.txt': text,
    ...chart(
      'ex-clipping',
      series,
      [`training loss with and without clipping (lr=${lr})`, `有无梯度裁剪时的训练损失（学习率 ${lr}）`],
      ['loss = ln(perplexity)', '损失 = ln(困惑度)'],
    ),
  };
}

/** Exercise 5: the gradient cut at every minibatch (the book) or only at the epoch's start. */
async function detach(): Promise<string> {
  const epochs = 10;
  const [cut, through] = [await smallRun({ numEpochs: epochs }), await smallRun({ numEpochs: epochs, bptt: 'epoch' })];
  const { numSteps, maxTokens, batchSize } = { ...runConfig(), ...SMALL_RUN };
  const minibatches = Math.floor((maxTokens - 1) / batchSize / numSteps); // per epoch, at offset 0
  const unrolled = (k: number) => Array.from({ length: k }, (_, i) => (i + 1) * numSteps).reduce((a, b) => a + b, 0);
  const graph = (k: number) =>
    buildTrainStep({ vocabSize: 28, numHiddens: 32, batchSize, numSteps, minibatches: k }).nodes.length;
  return [
    setting({ numEpochs: epochs }),
    '',
    'epoch   detach every minibatch   detach at the epoch start',
    ...[1, 2, 5, 10].map(
      (e) =>
        `${String(e).padStart(5)}   ${fmt(cut.history[e - 1]).padStart(22)}   ${fmt(through.history[e - 1]).padStart(25)}`,
    ),
    '',
    `time steps run forward and backward per epoch (${minibatches} minibatches of ${numSteps} steps):`,
    `  detach every minibatch     ${minibatches * numSteps}`,
    `  detach at the epoch start  ${unrolled(minibatches)} (${fmt(unrolled(minibatches) / (minibatches * numSteps), 1)}x)`,
    `graph nodes of one train step: ${graph(1)} (one minibatch), ${graph(minibatches)} (${minibatches} minibatches)`,
    '',
  ].join('\n');
}

export async function exercisePages(): Promise<Record<string, string>> {
  return {
    ...bookSize(),
    'ex-onehot.txt': await oneHot(),
    'ex-sweep.txt': await sweep(),
    ...(await embedding()),
    'ex-alpha.txt': await alpha(),
    ...(await clipping()),
    'ex-bptt.txt': await detach(),
  };
}
