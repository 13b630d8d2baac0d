// Page 5: why greedy prediction falls into a loop. One full period of the loop of a real model (the shared
// sequential run after LOOP_EPOCH epochs): at every step the top candidates for the next character and
// their probabilities; greedy always takes the tallest bar, so the same state gives the same text again.

import { samplerRun, smallLoader } from '../runs.ts';
import { findLoop, greedySteps } from '../greedy.ts';
import { LANGS, figure, num, rect, text, tr } from './svg.ts';

/** The epoch whose model the loop is shown for (page 5 prints its prediction too). */
export const LOOP_EPOCH = 20;
export const LOOP_PREDS = 120;
const PREFIX = 'time traveller';

export async function greedyLoop() {
  const run = await samplerRun('sequential');
  const vocab = smallLoader('sequential').vocab;
  const { text: full, steps } = await greedySteps(run.params[LOOP_EPOCH - 1], vocab, PREFIX, LOOP_PREDS);
  const generated = full.slice(PREFIX.length);
  const loop = findLoop(generated);
  if (!loop) throw new Error(`generate: the epoch-${LOOP_EPOCH} model's greedy text has no loop: '${generated}'`);
  // How close the hidden state comes back after one period: the last two full turns, largest difference
  // over all units.
  const last = steps.length - 1;
  const a = steps[last - loop.period].state;
  const b = steps[last].state;
  let stateDiff = 0;
  for (let i = 0; i < a.length; i++) stateDiff = Math.max(stateDiff, Math.abs(a[i] - b[i]));
  return { full, generated, steps, loop, stateDiff, vocab };
}

export async function greedyFigure(): Promise<Record<string, string>> {
  const { steps, loop, stateDiff, vocab } = await greedyLoop();
  const shown = steps.slice(loop.start, loop.start + loop.period);
  const show = (c: string) => (c === ' ' ? '␣' : c);
  const colW = 42;
  const left = 64;
  const W = left + shown.length * colW + 8;
  const minChosen = Math.min(...shown.map((st) => Math.max(...st.probs)));
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const body: string[] = [];
    const yChosen = 40;
    const yBars = 64;
    const barH = 58;
    const k = 3;
    body.push(text(4, yChosen, tr(lang, '选中', 'chosen'), { class: 'small' }));
    body.push(text(4, yBars + 14, tr(lang, `前 ${k} 个`, `top ${k}`), { class: 'small' }));
    body.push(text(4, yBars + 30, tr(lang, '候选', 'candidates'), { class: 'small' }));
    body.push(text(4, yBars + 3 * (barH / 3 + 18) + 20, tr(lang, '读入', 'input'), { class: 'small' }));
    shown.forEach((st, i) => {
      const x = left + i * colW;
      body.push(text(x + colW / 2, yChosen, show(st.chosen), { class: 'mono strong c0', 'text-anchor': 'middle' }));
      const top = st.probs
        .map((p, id) => ({ p, c: vocab.toToken(id) }))
        .sort((p, q) => q.p - p.p)
        .slice(0, k);
      top.forEach((cand, j) => {
        const y = yBars + j * (barH / 3 + 18);
        const w = (colW - 8) * cand.p;
        body.push(rect(x + 4, y, colW - 8, 10, { class: 'muted' }));
        body.push(rect(x + 4, y, w, 10, { class: j === 0 ? 'solid0' : 'solid1' }));
        body.push(
          text(x + colW / 2, y + 23, `${show(cand.c)} ${num(cand.p).replace(/^0/, '')}`, {
            class: 'tick mono',
            'text-anchor': 'middle',
          }),
        );
      });
      body.push(
        text(x + colW / 2, yBars + 3 * (barH / 3 + 18) + 20, show(st.input), {
          class: 'mono',
          'text-anchor': 'middle',
        }),
      );
    });
    const H = yBars + 3 * (barH / 3 + 18) + 34;
    body.push(
      text(
        4,
        16,
        tr(
          lang,
          `贪心预测，第 ${loop.start + 1}–${loop.start + loop.period} 个生成步（循环的一整圈）`,
          `greedy prediction, generated steps ${loop.start + 1}–${loop.start + loop.period} (one full turn of the loop)`,
        ),
        {
          class: 'title',
        },
      ),
    );
    out[`fig-greedy-loop.${lang}.svg`] = figure({
      id: 'greedy-loop',
      lang,
      width: W,
      height: H,
      title: tr(lang, '贪心预测每一步的候选字符与概率', 'The candidates and their probabilities at every greedy step'),
      body,
      caption: tr(
        lang,
        `训练 ${LOOP_EPOCH} 轮的小模型（H = 32，前 2,000 个字符）从 <code>'${PREFIX}'</code> 往下预测。每一列是一步：下面是读入的字符，中间是概率最大的 ${k} 个候选，上面是贪心选中的那个（永远是最高的那根柱子，这一圈里最没把握的一步也只有 ${num(minChosen)}）。从第 ${loop.start + 1} 个生成的字符起，文字每 ${loop.period} 个字符重复一次；隔一圈之后，32 维隐状态的每个分量最多只差 ${stateDiff.toExponential(1)}：模型回到了同一个状态，于是只能再写一遍同样的字。`,
        `The small model after ${LOOP_EPOCH} epochs (H = 32, first 2,000 characters) continuing <code>'${PREFIX}'</code>. Each column is one step: at the bottom the character read, in the middle the ${k} most likely candidates, on top the one greedy picks (always the tallest bar; in this turn the least sure pick has only ${num(minChosen)}). From generated character ${loop.start + 1} on, the text repeats every ${loop.period} characters; one turn later, no unit of the 32-dimensional hidden state differs by more than ${stateDiff.toExponential(1)}: the model is back in the same state, so it can only write the same characters again.`,
      ),
    });
  }
  return out;
}
