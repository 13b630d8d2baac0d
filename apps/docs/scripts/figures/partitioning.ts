// Page 7: how minibatches are cut and what happens to the hidden state between them. Real minibatches of
// core's iterators on the book's first characters (B = 2, T = 5): sequential partitioning (row b of
// minibatch i continues in minibatch i+1, the state is carried and the gradient cut by detach), the book's
// "random" run (the same data, the state reset every minibatch) and true random sampling.

import { Random, loadCorpusTimeMachine, seqDataIterRandom, seqDataIterSequential } from '@rnn-scratch/core';

import { corpusText } from '../runs.ts';
import { LANGS, type Lang, arrow, figure, line, rect, text, tr } from './svg.ts';

const B = 2;
const T = 5;
const CHARS = 45;

function data() {
  const { corpus, vocab } = loadCorpusTimeMachine(corpusText(), CHARS);
  const show = (id: number) => {
    const c = vocab.toToken(id);
    return c === ' ' ? '␣' : c;
  };
  const seq = [...seqDataIterSequential(corpus, B, T, new Random(0), { offset: 0 })];
  const rnd = [...seqDataIterRandom(corpus, B, T, new Random(0))];
  const columns = Math.floor((corpus.length - 1) / B);
  return { corpus, show, seq, rnd, columns };
}

export function partitioningFigure(): Record<string, string> {
  const { corpus, show, seq, rnd, columns } = data();
  const shown = 3; // minibatches drawn per lane
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const body: string[] = [];
    const W = 680;
    // --- A: the two rows of sequential partitioning, coloured by minibatch ---
    const cw = 25;
    const ax = 60;
    body.push(
      text(
        8,
        16,
        t(
          `顺序分区：把文本切成 B = ${B} 条连续的长行，第 i 个小批量取每行的第 i 段（T = ${T}）`,
          `Sequential partitioning: the text becomes B = ${B} long rows;`,
        ),
        {
          class: 'title',
        },
      ),
    );
    if (lang === 'en')
      body.push(text(8, 32, `minibatch i takes segment i of every row (T = ${T})`, { class: 'title' }));
    const numBatches = seq.length;
    for (let i = 0; i <= numBatches; i++) {
      const x = ax + i * T * cw;
      if (i < numBatches)
        body.push(
          text(x + (T * cw) / 2, 42, t(`小批量 ${i}`, `minibatch ${i}`), { class: 'small', 'text-anchor': 'middle' }),
        );
    }
    for (let b = 0; b < B; b++) {
      const y = 50 + b * 32;
      body.push(text(ax - 8, y + 18, t(`行 ${b}`, `row ${b}`), { class: 'small', 'text-anchor': 'end' }));
      for (let c = 0; c < columns; c++) {
        const i = Math.floor(c / T);
        const cls = i < numBatches ? `fill${i % 4}` : 'muted';
        body.push(rect(ax + c * cw, y, cw, 26, { class: cls }));
        body.push(
          text(ax + c * cw + cw / 2, y + 18, show(corpus[b * columns + c]), {
            class: 'mono small',
            'text-anchor': 'middle',
          }),
        );
      }
    }
    body.push(
      text(
        ax,
        128,
        t(
          `第 1 行接着第 0 行往下读（第 ${columns} 个字符起）；最后 ${columns - numBatches * T} 列凑不满一段，这一轮不用。`,
          `Row 1 continues the text where row 0 ends; the last ${columns - numBatches * T} columns are unused this epoch.`,
        ),
        {
          class: 'note',
        },
      ),
    );
    // --- B: three lanes ---
    const laneTop = 170;
    const laneH = 100;
    const boxW = 96;
    const boxH = 50;
    const bx0 = 236;
    const gapX = 150;
    const lanes: { title: string; sub: string; batches: typeof seq; carry: boolean }[] = [
      {
        title: 'sequential',
        sub: t('状态接着用，梯度在边界切断', 'state carried, gradient cut at the boundary'),
        batches: seq,
        carry: true,
      },
      {
        title: 'book-random',
        sub: t('同样的数据，每批清零', 'same data, zero state every minibatch'),
        batches: seq,
        carry: false,
      },
      {
        title: 'random',
        sub: t('随机位置的段，每批清零', 'segments from random places, zero state'),
        batches: rnd,
        carry: false,
      },
    ];
    lanes.forEach((lane, li) => {
      const y = laneTop + li * laneH;
      body.push(text(8, y + 14, lane.title, { class: 'mono strong' }));
      const [s1, s2] = lane.sub.split(/[，,] ?/);
      body.push(text(8, y + 31, s1, { class: 'note' }));
      body.push(text(8, y + 46, s2, { class: 'note' }));
      for (let i = 0; i < shown; i++) {
        const x = bx0 + i * gapX;
        const batch = lane.batches[i];
        body.push(rect(x, y, boxW, boxH, { rx: 5, class: `fill${lane.title === 'random' ? 3 : i % 4}` }));
        for (let b = 0; b < B; b++) {
          const s = Array.from(batch.X.slice(b * T, (b + 1) * T), show).join('');
          body.push(text(x + boxW / 2, y + 21 + b * 18, s, { class: 'mono', 'text-anchor': 'middle' }));
        }
        body.push(
          text(x + boxW / 2, y - 5, t(`小批量 ${i}`, `minibatch ${i}`), { class: 'tick', 'text-anchor': 'middle' }),
        );
        if (lane.carry) {
          if (i === 0) {
            body.push(arrow(x - 38, y + boxH / 2, x, y + boxH / 2, 'arrow'));
            body.push(text(x - 42, y + boxH / 2 + 4, 'H=0', { class: 'mono small note', 'text-anchor': 'end' }));
          }
          if (i < shown - 1) {
            const x1 = x + boxW;
            const x2 = x + gapX;
            body.push(arrow(x1, y + boxH / 2, x2, y + boxH / 2, 'arrow c0'));
            body.push(
              text((x1 + x2) / 2, y + boxH / 2 - 7, t('H 的值', 'H (values)'), {
                class: 'small c0',
                'text-anchor': 'middle',
              }),
            );
            const mx = (x1 + x2) / 2;
            body.push(line(mx - 6, y + boxH / 2 + 6, mx + 6, y + boxH / 2 + 18, { class: 'cut' }));
            body.push(line(mx + 6, y + boxH / 2 + 6, mx - 6, y + boxH / 2 + 18, { class: 'cut' }));
            body.push(
              text(mx, y + boxH / 2 + 32, t('detach：切断梯度', 'detach: gradient cut'), {
                class: 'tick bad',
                'text-anchor': 'middle',
              }),
            );
          }
        } else {
          body.push(arrow(x - 30, y + boxH / 2, x, y + boxH / 2, 'arrow'));
          body.push(text(x - 33, y + boxH / 2 + 4, 'H=0', { class: 'mono small note', 'text-anchor': 'end' }));
        }
      }
      body.push(text(bx0 + shown * gapX - 30, y + boxH / 2 + 4, '…', { class: 'note' }));
    });
    out[`fig-partitioning.${lang}.svg`] = figure({
      id: 'partitioning',
      lang,
      width: W,
      height: laneTop + 3 * laneH - 30,
      title: t(
        '顺序分区、书里的“随机抽样”与真正的随机抽样',
        'Sequential partitioning, the book\u2019s "random" run and true random sampling',
      ),
      body,
      caption: caption(lang, numBatches, rnd.length),
    });
  }
  return out;
}

function caption(lang: Lang, seqBatches: number, rndBatches: number): string {
  return tr(
    lang,
    `书的前 ${CHARS} 个字符，B = ${B}，T = ${T}，由 core 的两个迭代器切出（顺序分区偏移 0，随机抽样用种子 0），每轮分别是 ${seqBatches} 个和 ${rndBatches} 个小批量。顺序分区时，第 i+1 个小批量的每一行正好接着第 i 个小批量的同一行，所以上一批最后的隐状态 H 是这一批的“上文”：把它的值带过去，但用 <code>detach</code> 切断梯度，反向传播只在当前 T 步里进行。书里名为“随机抽样”的那次训练用的是同样的顺序数据，只是每个小批量都从全零状态开始；真正的随机抽样从文本的随机位置取段，相邻小批量毫无关系，也只能从零开始。`,
    `The book's first ${CHARS} characters, B = ${B}, T = ${T}, cut by core's two iterators (sequential at offset 0, random sampling with seed 0): ${seqBatches} and ${rndBatches} minibatches per epoch. With sequential partitioning, every row of minibatch i+1 continues the same row of minibatch i, so the last state H of one minibatch is the context of the next: its values are carried over, but <code>detach</code> cuts the gradient, so backpropagation stays within the current T steps. The book's run called "random sampling" uses the same sequential data and only starts every minibatch from a zero state; true random sampling takes segments from random places in the text, neighbouring minibatches are unrelated, and each must start from zero.`,
  );
}
