// Perplexity curves of the small runs (runs.ts): the three samplers (page 7), the wrong labels (page 2),
// and `updater(batch_size=32)` against the book's 1 (page 7).

import { COMPARE_EPOCHS, SMALL, samplerRun, updateBatchSizeRun, wrongLabelsRun } from '../runs.ts';
import { LANGS, type Lang, esc, figure, linePlot, num, tr } from './svg.ts';

const setting = (lang: Lang) =>
  tr(
    lang,
    `H = ${SMALL.numHiddens}，B = ${SMALL.batchSize}，T = ${SMALL.numSteps}，前 ${SMALL.maxTokens} 个字符，学习率 ${SMALL.lr}，θ = 1，种子 0，参考后端`,
    `H = ${SMALL.numHiddens}, B = ${SMALL.batchSize}, T = ${SMALL.numSteps}, first ${SMALL.maxTokens} characters, lr ${SMALL.lr}, θ = 1, seed 0, reference backend`,
  );

export async function samplerFigures(): Promise<Record<string, string>> {
  const seq = (await samplerRun('sequential')).perplexity.slice(0, COMPARE_EPOCHS);
  const book = (await samplerRun('book-random')).perplexity;
  const rnd = (await samplerRun('random')).perplexity;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const last = (v: number[]) => num(v[v.length - 1]);
    out[`fig-samplers.${lang}.svg`] = figure({
      id: 'samplers',
      lang,
      width: 600,
      height: 300,
      title: tr(lang, '三种采样方式的困惑度曲线', 'Perplexity of the three samplers'),
      body: linePlot({
        x: 0,
        y: 0,
        width: 600,
        height: 300,
        xLabel: tr(lang, '轮次', 'epoch'),
        yLabel: tr(lang, '训练困惑度', 'training perplexity'),
        reference: { y: 28, label: tr(lang, '均匀瞎猜 = 28', 'uniform guess = 28') },
        series: [
          { label: `sequential (${last(seq)})`, values: seq, cls: 's0' },
          { label: `book-random (${last(book)})`, values: book, cls: 's1' },
          { label: `random (${last(rnd)})`, values: rnd, cls: 's2', dashed: true },
        ],
      }),
      caption: esc(
        tr(
          lang,
          `三种取小批量与处理隐状态的方式，各训练 ${COMPARE_EPOCHS} 轮（${setting(lang)}）。括号里是最后一轮的困惑度。sequential 把隐状态带过小批量的边界，所以下降得最快。`,
          `The three ways of taking minibatches and handling the state, ${COMPARE_EPOCHS} epochs each (${setting(lang)}). In brackets: the last epoch's perplexity. sequential carries the state across minibatch boundaries, so it falls fastest.`,
        ),
      ),
    });
  }
  return out;
}

export async function wrongLabelsFigure(): Promise<Record<string, string>> {
  const right = (await samplerRun('sequential')).perplexity.slice(0, COMPARE_EPOCHS);
  const wrong = (await wrongLabelsRun()).perplexity;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    out[`fig-wrong-labels.${lang}.svg`] = figure({
      id: 'wrong-labels',
      lang,
      width: 600,
      height: 300,
      title: tr(lang, '标签顺序对与错时的困惑度', 'Perplexity with the right and the wrong label order'),
      body: linePlot({
        x: 0,
        y: 0,
        width: 600,
        height: 300,
        xLabel: tr(lang, '轮次', 'epoch'),
        yLabel: tr(lang, '训练困惑度', 'training perplexity'),
        reference: { y: 28, label: tr(lang, '均匀瞎猜 = 28', 'uniform guess = 28') },
        legend: 'bottom-left',
        series: [
          {
            label: `y = Y.T.reshape(-1)  (${num(right[right.length - 1])})`,
            values: right,
            cls: 's0',
          },
          {
            label: `y = Y.reshape(-1)  (${num(wrong[wrong.length - 1])}, ${tr(lang, '错', 'wrong')})`,
            values: wrong,
            cls: 'bad',
            dashed: true,
          },
        ],
      }),
      caption: esc(
        tr(
          lang,
          `同一套代码训练两次，唯一的区别是标签有没有先转置（${setting(lang)}，顺序分区）。错的版本不报错，困惑度降到 ${num(Math.min(...wrong))} 就停住了。`,
          `The same code trained twice; the only difference is whether the labels are transposed first (${setting(lang)}, sequential). The wrong version raises no error; its perplexity stops at ${num(Math.min(...wrong))}.`,
        ),
      ),
    });
  }
  return out;
}

export async function batchSizeFigure(): Promise<Record<string, string>> {
  const one = (await samplerRun('sequential')).perplexity.slice(0, COMPARE_EPOCHS);
  const thirtyTwo = (await updateBatchSizeRun(32)).perplexity;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    out[`fig-batch-size.${lang}.svg`] = figure({
      id: 'batch-size',
      lang,
      width: 600,
      height: 300,
      title: tr(lang, 'updater(batch_size=1) 与 batch_size=32 的对比', 'updater(batch_size=1) against batch_size=32'),
      body: linePlot({
        x: 0,
        y: 0,
        width: 600,
        height: 300,
        xLabel: tr(lang, '轮次', 'epoch'),
        yLabel: tr(lang, '训练困惑度', 'training perplexity'),
        reference: { y: 28, label: tr(lang, '均匀瞎猜 = 28', 'uniform guess = 28') },
        legend: 'bottom-left',
        series: [
          { label: `updater(batch_size=1)  (${num(one[one.length - 1])})`, values: one, cls: 's0' },
          {
            label: `updater(batch_size=32)  (${num(thirtyTwo[thirtyTwo.length - 1])})`,
            values: thirtyTwo,
            cls: 'bad',
            dashed: true,
          },
        ],
      }),
      caption: esc(
        tr(
          lang,
          `同一次训练（${setting(lang)}，顺序分区），只把 d2l.sgd 的 batch_size 从书里的 1 改成 32：每一步都只走原来的 1/32，${COMPARE_EPOCHS} 轮后几乎还在原地。`,
          `The same training (${setting(lang)}, sequential) with d2l.sgd's batch_size changed from the book's 1 to 32: every step is 1/32 as long, and after ${COMPARE_EPOCHS} epochs it has barely moved.`,
        ),
      ),
    });
  }
  return out;
}
