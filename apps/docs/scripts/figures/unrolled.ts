// Page 4: the hand-computed toy model (rnn-step.ts) drawn as an unrolled RNN, with the real numbers of
// both steps on the arrows: the input's contribution, the memory's contribution, the state, the scores, the
// probabilities and the loss.

import { handSteps, tinyModel } from '../rnn-step.ts';
import { LANGS, arrow, figure, num, rect, text, tr, vecLabel } from './svg.ts';

export function unrolledFigure(): Record<string, string> {
  const { steps, meanLoss } = handSteps();
  const V = tinyModel.vocab;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const W = 660;
    const body: string[] = [];
    const boxW = 140;
    const cx = [55, 275, 545]; // H_0, step 1, step 2
    const yIn = 430;
    const yH = 290;
    const yO = 150;
    const yP = 40;
    // H_0
    body.push(rect(cx[0] - 50, yH - 24, 100, 48, { rx: 6, class: 'box' }));
    body.push(
      text(cx[0], yH - 6, tr(lang, 'H_0（全零）', 'H_0 (zeros)'), { class: 'mono small', 'text-anchor': 'middle' }),
    );
    body.push(text(cx[0], yH + 12, vecLabel(steps[0].hPrev, 0), { class: 'mono small c0', 'text-anchor': 'middle' }));
    steps.forEach((st, i) => {
      const k = i + 1;
      const x = cx[k];
      // input
      body.push(rect(x - 60, yIn - 18, 120, 36, { rx: 6, class: 'fill1' }));
      body.push(
        text(
          x,
          yIn + 5,
          `'${V[st.x]}' ${vecLabel(
            V.map((_, j) => (j === st.x ? 1 : 0)),
            0,
          )}`,
          {
            class: 'mono small',
            'text-anchor': 'middle',
          },
        ),
      );
      body.push(text(x - 66, yIn + 5, `X_${k}`, { class: 'mono small note', 'text-anchor': 'end' }));
      body.push(arrow(x, yIn - 18, x, yH + 24, 'arrow c1'));
      body.push(text(x + 8, (yIn + yH) / 2 + 2, `X_${k} W_xh`, { class: 'mono small c1' }));
      body.push(text(x + 8, (yIn + yH) / 2 + 17, `= ${vecLabel(st.xProj)}`, { class: 'mono small c1' }));
      // recurrence
      const from = cx[k - 1] + (k === 1 ? 50 : boxW / 2);
      body.push(arrow(from, yH, x - boxW / 2, yH, 'arrow c0'));
      const mid = (from + x - boxW / 2) / 2;
      body.push(text(mid, yH - 22, `H_${k - 1} W_hh =`, { class: 'mono small c0', 'text-anchor': 'middle' }));
      body.push(text(mid, yH - 8, vecLabel(st.hProj), { class: 'mono small c0', 'text-anchor': 'middle' }));
      // state
      body.push(rect(x - boxW / 2, yH - 30, boxW, 60, { rx: 6, class: 'box accent' }));
      body.push(text(x, yH - 12, `H_${k}`, { class: 'mono small strong', 'text-anchor': 'middle' }));
      body.push(text(x, yH + 4, `tanh(${vecLabel(st.pre)})`, { class: 'mono small note', 'text-anchor': 'middle' }));
      body.push(text(x, yH + 21, `= ${vecLabel(st.h)}`, { class: 'mono small c0 strong', 'text-anchor': 'middle' }));
      // output
      body.push(arrow(x, yH - 30, x, yO + 24));
      body.push(text(x + 8, (yH + yO) / 2 + 6, `H_${k} W_hq + b_q`, { class: 'mono small note' }));
      body.push(rect(x - boxW / 2, yO - 24, boxW, 48, { rx: 6, class: 'box' }));
      body.push(text(x, yO - 6, `O_${k} (logits)`, { class: 'mono small', 'text-anchor': 'middle' }));
      body.push(text(x, yO + 12, vecLabel(st.o), { class: 'mono small', 'text-anchor': 'middle' }));
      // probabilities as bars, the label's bar highlighted
      body.push(arrow(x, yO - 24, x, yP + 64));
      body.push(text(x + 8, yO - 34, 'softmax', { class: 'mono small note' }));
      const barW = 30;
      V.forEach((c, j) => {
        const bx = x - 1.5 * barW - 6 + j * (barW + 6);
        const h = st.p[j] * 70;
        body.push(rect(bx, yP + 44 - h, barW, h, { class: j === st.y ? 'solid0' : 'muted' }));
        body.push(text(bx + barW / 2, yP + 44 - h - 3, num(st.p[j]), { class: 'tick', 'text-anchor': 'middle' }));
        body.push(
          text(bx + barW / 2, yP + 56, c, {
            class: `mono small${j === st.y ? ' c0 strong' : ''}`,
            'text-anchor': 'middle',
          }),
        );
      });
      body.push(
        text(
          x,
          yP - 26,
          tr(
            lang,
            `标签 '${V[st.y]}'：loss_${k} = −log ${num(st.p[st.y])} = ${num(st.loss)}`,
            `label '${V[st.y]}': loss_${k} = −log ${num(st.p[st.y])} = ${num(st.loss)}`,
          ),
          {
            class: 'small',
            'text-anchor': 'middle',
          },
        ),
      );
    });
    body.push(
      text(cx[0], yP + 10, tr(lang, '损失 = 两步平均', 'loss = mean of both'), {
        class: 'small',
        'text-anchor': 'middle',
      }),
      text(cx[0], yP + 28, `= ${num(meanLoss, 4)}`, { class: 'mono strong', 'text-anchor': 'middle' }),
    );
    out[`fig-unrolled.${lang}.svg`] = figure({
      id: 'unrolled',
      lang,
      width: W,
      height: 460,
      title: tr(
        lang,
        '展开两个时间步的 RNN，标着真实的数',
        'The RNN unrolled over two time steps, with its real numbers',
      ),
      body,
      caption: tr(
        lang,
        `本页的小模型（V = 3，H = 2）读入 <code>'ab'</code>，每一步都要猜下一个字符。橙色：输入的贡献（取 <code>W_xh</code> 的一行）；蓝色：记忆的贡献（<code>H_{t-1} W_hh</code>），第 1 步因为 <code>H_0</code> 全零而为 0。两步用的是同一套参数。柱子是 softmax 之后的概率，蓝色的是正确答案。所有数都由下文的手算得出（保留两位小数），并和参考后端的结果核对过。`,
        `This page's small model (V = 3, H = 2) reads <code>'ab'</code> and must guess the next character at each step. Orange: the input's contribution (a row of <code>W_xh</code>); blue: the memory's contribution (<code>H_{t-1} W_hh</code>), zero at step 1 because <code>H_0</code> is all zeros. Both steps use the same parameters. The bars are the probabilities after softmax; the blue one is the right answer. Every number comes from the hand computation below (two decimals) and was checked against the reference backend.`,
      ),
    });
  }
  return out;
}
