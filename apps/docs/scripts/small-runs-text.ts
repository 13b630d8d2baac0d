// Text outputs of the small runs (runs.ts): the predictions of page 5, the clipping formula of page 6, and
// the size of one SGD step with updater(batch_size=1) and 32 (page 7).

import {
  PARAM_NAMES,
  Predictor,
  Random,
  ReferenceBackend,
  buildTrainStep,
  getParams,
  initRnnState,
  tensor,
  trainStepFeeds,
} from '@rnn-scratch/core';

import { clip } from './figures/clipping.ts';
import { LOOP_EPOCH, greedyLoop } from './figures/greedy.ts';
import { LANGS, tr } from './figures/svg.ts';
import { SEQUENTIAL_EPOCHS, SMALL, samplerRun, smallLoader } from './runs.ts';
import { padCells } from './text-table.ts';

const q = (s: string) => `'${s}'`;
const PREFIX = 'time traveller';

export async function predictionText(): Promise<Record<string, string>> {
  const run = await samplerRun('sequential');
  const vocab = smallLoader('sequential').vocab;
  const predictor = await Predictor.create(new ReferenceBackend(), {
    vocabSize: vocab.length,
    numHiddens: SMALL.numHiddens,
  });
  const predict = (params: typeof run.initial, options = {}) =>
    predictor.predict(PREFIX, params, vocab, { numPreds: 30, ...options });
  const report = [1, 5, LOOP_EPOCH, SEQUENTIAL_EPOCHS];
  const byEpoch: [string, string, string][] = [['0', '–', q(await predict(run.initial))]];
  for (const e of report)
    byEpoch.push([String(e), run.perplexity[e - 1].toFixed(2), q(await predict(run.params[e - 1]))]);
  const final = run.params[SEQUENTIAL_EPOCHS - 1];
  const greedy: string[] = [];
  for (let i = 0; i < 3; i++) greedy.push(`  ${q(await predict(final))}`);
  const sampled: { temperature: number; texts: string[] }[] = [];
  for (const temperature of [0.5, 1, 2]) {
    const texts: string[] = [];
    for (const seed of [1, 2, 3]) texts.push(`  ${q(await predict(final, { temperature, rng: new Random(seed) }))}`);
    sampled.push({ temperature, texts });
  }
  await predictor.dispose();
  const loop = await greedyLoop();
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const lines = [
      t(
        `H=${SMALL.numHiddens}，B=${SMALL.batchSize}，T=${SMALL.numSteps}，前 ${SMALL.maxTokens} 个字符，学习率 ${SMALL.lr}，种子 0，参考后端；每次生成 30 个字符`,
        `H=${SMALL.numHiddens}, B=${SMALL.batchSize}, T=${SMALL.numSteps}, first ${SMALL.maxTokens} characters, lr=${SMALL.lr}, seed 0, reference backend; 30 characters each`,
      ),
      '',
      ...padCells([[t('轮次', 'epoch'), t('困惑度', 'ppl'), t('贪心预测', 'greedy prediction')], ...byEpoch]),
      '',
      t(
        `第 ${SEQUENTIAL_EPOCHS} 轮的模型，贪心（温度 0），调用三次：`,
        `the epoch-${SEQUENTIAL_EPOCHS} model, greedy (temperature 0), three calls:`,
      ),
      ...greedy,
    ];
    for (const s of sampled) {
      lines.push(
        '',
        t(`温度 ${s.temperature}，种子 1、2、3：`, `temperature ${s.temperature}, seeds 1, 2, 3:`),
        ...s.texts,
      );
    }
    out[`predict.${lang}.txt`] = `${lines.join('\n')}\n`;
    // The loop of the epoch-LOOP_EPOCH model, written out.
    const gen = loop.generated;
    const period = gen.slice(loop.loop.start, loop.loop.start + loop.loop.period);
    out[`greedy-loop.${lang}.txt`] = `${[
      t(
        `第 ${LOOP_EPOCH} 轮的模型，贪心续写 ${gen.length} 个字符：`,
        `the epoch-${LOOP_EPOCH} model, greedy, ${gen.length} characters:`,
      ),
      `  ${q(loop.full)}`,
      '',
      t(
        `从第 ${loop.loop.start + 1} 个生成的字符起，每 ${loop.loop.period} 个字符重复一次：${q(period)}`,
        `from generated character ${loop.loop.start + 1} on, it repeats every ${loop.loop.period} characters: ${q(period)}`,
      ),
      t(
        `相隔一圈的两个隐状态，各分量之差最大为 ${loop.stateDiff.toExponential(1)}`,
        `two hidden states one turn apart differ by at most ${loop.stateDiff.toExponential(1)} in any unit`,
      ),
    ].join('\n')}\n`;
  }
  return out;
}

export async function clippingText(): Promise<Record<string, string>> {
  const cases: [number, number[], number[]][] = [
    [1, [3, 0], [4]],
    [10, [3, 0], [4]],
  ];
  const results = [];
  for (const [theta, g1, g2] of cases) results.push({ theta, g1, g2, ...(await clip([g1, g2], theta)) });
  const v = (xs: number[]) => `[${xs.map((x) => x.toFixed(1)).join(', ')}]`;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const lines: string[] = [];
    for (const r of results) {
      const scale = Math.min(1, r.theta / r.norm);
      lines.push(
        `g1 = ${v(r.g1)}, g2 = ${v(r.g2)}, theta = ${r.theta}`,
        `  norm = sqrt(3^2 + 0^2 + 4^2) = ${r.norm.toFixed(1)}`,
        `  scale = min(1, ${r.theta} / ${r.norm.toFixed(0)}) = ${scale.toFixed(1)}`,
        t(
          `  裁剪后：g1 = ${v(r.clipped[0])}，g2 = ${v(r.clipped[1])}`,
          `  clipped: g1 = ${v(r.clipped[0])}, g2 = ${v(r.clipped[1])}`,
        ),
        '',
      );
    }
    out[`clip.${lang}.txt`] = `${lines.join('\n').trimEnd()}\n`;
  }
  return out;
}

/** The first SGD step from the same start with updater(batch_size=1) and (batch_size=32): how far it moves. */
export async function batchSizeText(): Promise<Record<string, string>> {
  const loader = smallLoader('sequential');
  const V = loader.vocab.length;
  const { numHiddens, batchSize, numSteps } = SMALL;
  const first = loader[Symbol.iterator]().next();
  if (first.done) throw new Error('generate: no minibatch');
  const start = getParams(V, numHiddens, new Random(0));
  const backend = new ReferenceBackend();
  const moved: Record<number, { delta: number; loss: number; norm: number }> = {};
  for (const ubs of [1, 32]) {
    const step = await backend.compile(
      buildTrainStep({ vocabSize: V, numHiddens, batchSize, numSteps, updateBatchSize: ubs }),
    );
    const out = await step.run(
      trainStepFeeds(first.value, initRnnState(batchSize, numHiddens), start, tensor('float32', [], [SMALL.lr])),
    );
    let sq = 0;
    for (const p of PARAM_NAMES) {
      const a = start[p].data;
      const b = out[p].data;
      for (let i = 0; i < a.length; i++) sq += (b[i] - a[i]) ** 2;
    }
    moved[ubs] = { delta: Math.sqrt(sq), loss: out.loss.data[0], norm: out.gradNorm.data[0] };
    await step.dispose();
  }
  const ratio = moved[1].delta / moved[32].delta;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    out[`batch-size.${lang}.txt`] = `${[
      t(
        `同一个起点（种子 0）、同一个小批量（${batchSize} × ${numSteps} = ${batchSize * numSteps} 个位置），只走一步：`,
        `the same start (seed 0), the same minibatch (${batchSize} × ${numSteps} = ${batchSize * numSteps} positions), one step:`,
      ),
      t(
        `  损失 ${moved[1].loss.toFixed(4)}（${batchSize * numSteps} 个位置的平均），裁剪前的梯度范数 ${moved[1].norm.toFixed(4)}`,
        `  loss ${moved[1].loss.toFixed(4)} (mean over ${batchSize * numSteps} positions), gradient norm before clipping ${moved[1].norm.toFixed(4)}`,
      ),
      ...padCells([
        [
          t('  updater(batch_size=1)', '  updater(batch_size=1)'),
          t(
            `参数总共移动 ‖Δp‖ = ${moved[1].delta.toExponential(4)}`,
            `parameters move by ‖Δp‖ = ${moved[1].delta.toExponential(4)}`,
          ),
        ],
        [
          t('  updater(batch_size=32)', '  updater(batch_size=32)'),
          t(
            `参数总共移动 ‖Δp‖ = ${moved[32].delta.toExponential(4)}`,
            `parameters move by ‖Δp‖ = ${moved[32].delta.toExponential(4)}`,
          ),
        ],
      ]),
      t(`  两者之比 ${ratio.toFixed(2)}`, `  ratio ${ratio.toFixed(2)}`),
    ].join('\n')}\n`;
  }
  if (Math.abs(ratio - 32) > 0.01) throw new Error(`generate: updater(batch_size=32) moved ${ratio}x less, not 32x`);
  return out;
}
