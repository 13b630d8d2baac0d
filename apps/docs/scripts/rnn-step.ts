// Page 4: one RNN step by hand on a model small enough to check with a calculator (3 characters, 2 hidden
// units), checked against the reference backend. The same numbers label the unrolled-RNN figure.

import {
  PARAM_NAMES,
  type RnnParams,
  buildForward,
  formatType,
  grad,
  initRnnState,
  runReference,
  tensor,
} from '@rnn-scratch/core';

import { LANGS, type Lang, tr } from './figures/svg.ts';
import { padCells } from './text-table.ts';

/** The worked example's model: a 3-letter vocabulary {a, b, c} and 2 hidden units. */
export const tinyModel = {
  vocab: ['a', 'b', 'c'],
  W_xh: [0.5, -0.2, 0.1, 0.4, -0.3, 0.2], // (3, 2)
  W_hh: [0.6, -0.5, 0.3, 0.8], // (2, 2)
  b_h: [0.0, 0.1], // (2)
  W_hq: [1.0, -1.0, 0.5, 0.5, 0.5, -1.0], // (2, 3)
  b_q: [0.0, 0.0, 0.1], // (3)
};

/** Input 'ab', labels 'bc': reading a, guess b; reading b, guess c. */
export const tinyInput = { xs: [0, 1], ys: [1, 2] };

export function tinyParams(): RnnParams {
  const m = tinyModel;
  return {
    W_xh: tensor('float32', [3, 2], m.W_xh),
    W_hh: tensor('float32', [2, 2], m.W_hh),
    b_h: tensor('float32', [2], m.b_h),
    W_hq: tensor('float32', [2, 3], m.W_hq),
    b_q: tensor('float32', [3], m.b_q),
  };
}

const matvec = (x: number[], W: number[], cols: number) =>
  Array.from({ length: cols }, (_, j) => x.reduce((s, xi, i) => s + xi * W[i * cols + j], 0));
const addv = (a: number[], b: number[]) => a.map((x, i) => x + b[i]);

export interface HandStep {
  readonly x: number;
  readonly y: number;
  readonly hPrev: number[];
  /** X_t W_xh: row x of W_xh. */
  readonly xProj: number[];
  /** H_{t-1} W_hh. */
  readonly hProj: number[];
  /** The sum plus b_h, before tanh. */
  readonly pre: number[];
  readonly h: number[];
  /** O_t = H_t W_hq + b_q. */
  readonly o: number[];
  readonly p: number[];
  readonly loss: number;
}

/** The two steps by hand, in float64. */
export function handSteps(): { steps: HandStep[]; meanLoss: number } {
  const m = tinyModel;
  let h = [0, 0];
  const steps: HandStep[] = [];
  tinyInput.xs.forEach((x, t) => {
    const y = tinyInput.ys[t];
    const xProj = m.W_xh.slice(x * 2, x * 2 + 2);
    const hProj = matvec(h, m.W_hh, 2);
    const pre = addv(addv(xProj, hProj), m.b_h);
    const hNew = pre.map(Math.tanh);
    const o = addv(matvec(hNew, m.W_hq, 3), m.b_q);
    const mx = Math.max(...o);
    const ex = o.map((v) => Math.exp(v - mx));
    const z = ex.reduce((a, b) => a + b, 0);
    const p = ex.map((e) => e / z);
    steps.push({ x, y, hPrev: h, xProj, hProj, pre, h: hNew, o, p, loss: -Math.log(p[y]) });
    h = hNew;
  });
  return { steps, meanLoss: steps.reduce((s, st) => s + st.loss, 0) / steps.length };
}

const fmt = (x: number, digits = 4) => (Object.is(x, -0) ? 0 : x).toFixed(digits).replace(/^(?!-)/, ' ');
const vec = (xs: ArrayLike<number>, digits = 4) => `[${Array.from(xs, (x) => fmt(x, digits)).join(',')}]`;
const rows = (t: { shape: readonly number[]; data: ArrayLike<number> }, digits = 4) => {
  const [r, c] = t.shape.length === 2 ? t.shape : [1, t.shape[0] ?? 1];
  const out: string[] = [];
  for (let i = 0; i < r; i++) out.push(vec(Array.from(t.data).slice(i * c, (i + 1) * c), digits));
  return out;
};
const q = (s: string) => `'${s}'`;

export async function rnnStepExample(): Promise<Record<string, string>> {
  const m = tinyModel;
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const params = tinyParams();
  const feeds = {
    X: tensor('int32', [1, 2], tinyInput.xs),
    Y: tensor('int32', [1, 2], tinyInput.ys),
    state: initRnnState(1, 2),
    ...params,
  };
  const out = await runReference(buildForward(config), feeds);
  const withGrads = await runReference(grad(buildForward(config), 'loss', [...PARAM_NAMES]), feeds);
  const { steps, meanLoss } = handSteps();

  // The reference backend must agree with the hand computation (float32 vs float64).
  const agree = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    for (let i = 0; i < a.length; i++) {
      if (Math.abs(a[i] - b[i]) > 1e-5) throw new Error(`generate: ${what} differs: ${a[i]} vs ${b[i]}`);
    }
  };
  agree(out.state.data, steps[1].h, 'H_2');
  agree(out.loss.data, [meanLoss], 'loss');
  agree(out.logits.data, [...steps[0].o, ...steps[1].o], 'logits');

  const files: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const lines: string[] = [];
    steps.forEach((st, i) => {
      const k = i + 1;
      lines.push(
        t(
          `第 ${k} 步：输入 ${q(m.vocab[st.x])} = 独热 ${vec(
            m.vocab.map((_, j) => (j === st.x ? 1 : 0)),
            0,
          )}，标签 ${q(m.vocab[st.y])}`,
          `step ${k}: input ${q(m.vocab[st.x])} = one-hot ${vec(
            m.vocab.map((_, j) => (j === st.x ? 1 : 0)),
            0,
          )}, label ${q(m.vocab[st.y])}`,
        ),
        ...padCells([
          [`  X_${k} W_xh`, `= ${vec(st.xProj)}`, t(`W_xh 的第 ${st.x} 行`, `row ${st.x} of W_xh`)],
          [`  H_${k - 1} W_hh`, `= ${vec(st.hProj)}`, `H_${k - 1} = ${vec(st.hPrev)}`],
          [t('  相加再加 b_h', '  sum + b_h'), `= ${vec(st.pre)}`, ''],
          [`  H_${k} = tanh(…)`, `= ${vec(st.h)}`, ''],
          [`  O_${k} = H_${k} W_hq + b_q`, `= ${vec(st.o)}`, ''],
          [
            `  softmax(O_${k})`,
            `= ${vec(st.p)}`,
            t(
              `${q(m.vocab[st.y])} 的概率 ${fmt(st.p[st.y]).trim()}`,
              `p(${q(m.vocab[st.y])}) = ${fmt(st.p[st.y]).trim()}`,
            ),
          ],
          [`  loss_${k} = -log p(${q(m.vocab[st.y])})`, `= ${fmt(st.loss)}`, ''],
        ]),
        '',
      );
    });
    lines.push(`loss = (loss_1 + loss_2) / 2 = ${fmt(meanLoss)}`);
    lines.push(
      '',
      t(
        '同样的输入在参考后端上运行 buildForward 建的图（float32）：',
        'the same on the reference backend (buildForward, float32):',
      ),
      t('  logits (T·B = 2, V = 3)，第 t·B + b 行：', '  logits (T·B = 2, V = 3), row t·B + b:'),
      ...rows(out.logits).map((r) => `    ${r}`),
      ...padCells([
        ['  state = H_2', `= ${vec(out.state.data)}`],
        ['  loss', `= ${fmt(out.loss.data[0])}`],
      ]),
    );
    files[`rnn-step.${lang}.txt`] = `${lines.join('\n')}\n`;
    files[`rnn-step-params.${lang}.txt`] = `${[
      t(
        `词表 = [${m.vocab.map(q).join(', ')}]（V = 3，H = 2，批量 1，输入 'ab'，标签 'bc'）`,
        `vocab = [${m.vocab.map(q).join(', ')}]   (V = 3, H = 2, batch 1, input 'ab', labels 'bc')`,
      ),
      ...padCells(
        PARAM_NAMES.map((p) => [p, formatType(params[p].dtype, params[p].shape), rows(params[p], 1).join(' ')]),
        1,
      ),
    ].join('\n')}\n`;
  }
  files['rnn-step-grads.txt'] = `${padCells(
    PARAM_NAMES.map((p) => {
      const g = withGrads[`grad_${p}`];
      return [`d loss / d ${p}`, formatType(g.dtype, g.shape), rows(g).join(' ')];
    }),
    1,
  ).join('\n')}\n`;
  return files;
}

export type { Lang };
