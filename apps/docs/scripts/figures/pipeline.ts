// Page 1: the whole of 8.5 as one picture, with the shapes read off the real train-step graph at the
// book's sizes (pipeline.ts). Two columns so that it fits the page: the data (8.2-8.3) on the left, the
// model and one training step (8.5) on the right, and the loop back for the next minibatch.

import { bookSizes } from '../pipeline.ts';
import { LANGS, type Lang, arrow, connector, figure, rect, text, textWidth, tr } from './svg.ts';

interface Stage {
  readonly name: string;
  readonly value: string;
  readonly shape: string;
  /** Label of the arrow to the next stage: the book's function that does it. */
  readonly op?: string;
  readonly accent?: boolean;
}

const fmt = (x: number) => x.toLocaleString('en-US');

function stages(lang: Lang) {
  const s = bookSizes();
  const t = (zh: string, en: string) => tr(lang, zh, en);
  const data: Stage[] = [
    {
      name: t('文本', 'text'),
      value: 'timemachine.txt',
      shape: t(`${fmt(s.chars)} 个字符`, `${fmt(s.chars)} characters`),
      op: 'read_time_machine, tokenize',
    },
    {
      name: t('词元', 'tokens'),
      value: "' ', a–z",
      shape: t(`${fmt(s.totalTokens)} 个`, `${fmt(s.totalTokens)}`),
      op: 'Vocab, max_tokens',
    },
    {
      name: t('语料', 'corpus'),
      value: t('索引', 'ids'),
      shape: t(`${fmt(s.corpusLength)} 个，V = ${s.V}`, `${fmt(s.corpusLength)}, V = ${s.V}`),
      op: 'seq_data_iter_sequential',
    },
    { name: t('小批量', 'minibatch'), value: 'X, Y', shape: `${s.shapes.X} ×2`, accent: true },
  ];
  const model: Stage[] = [
    { name: t('转置', 'transpose'), value: 'X.T', shape: s.shapes.xT, op: 'F.one_hot' },
    {
      name: t('独热', 'one-hot'),
      value: 'inputs',
      shape: `(T, B, V) = (${s.T}, ${s.B}, ${s.V})`,
      op: t(`rnn：${s.T} 个时间步`, `rnn: ${s.T} time steps`),
    },
    {
      name: t('隐状态', 'state'),
      value: 'H_t',
      shape: t(`${s.shapes.h}，每步一个`, `${s.shapes.h} each step`),
      op: 'H_t W_hq + b_q, torch.cat',
    },
    {
      name: t('输出', 'outputs'),
      value: 'y_hat',
      shape: `${s.shapes.logits}`,
      op: t('交叉熵，标签 Y.T.reshape(-1)', 'cross-entropy, labels Y.T.reshape(-1)'),
    },
    {
      name: t('损失', 'loss'),
      value: 'l',
      shape: t(`标量：${fmt(s.T * s.B)} 个位置的平均`, `scalar: mean of ${fmt(s.T * s.B)} positions`),
      op: 'l.backward()',
    },
    {
      name: t('梯度', 'gradients'),
      value: 'p.grad',
      shape: t('与 5 个参数同形', 'shaped like the 5 parameters'),
      op: 'grad_clipping(net, 1)',
    },
    { name: t('裁剪后', 'clipped'), value: 'p.grad', shape: '‖g‖ ≤ θ = 1', op: 'updater(batch_size=1)' },
    {
      name: t('参数', 'parameters'),
      value: 'params',
      shape: t(`${fmt(s.numParams)} 个数`, `${fmt(s.numParams)} numbers`),
      accent: true,
    },
  ];
  return { s, data, model };
}

const BOX_H = 40;
const GAP = 30;

function column(x: number, y: number, w: number, list: readonly Stage[]): { body: string[]; ys: number[] } {
  const body: string[] = [];
  const ys: number[] = [];
  list.forEach((st, i) => {
    const top = y + i * (BOX_H + GAP);
    ys.push(top);
    body.push(rect(x, top, w, BOX_H, { rx: 6, class: st.accent ? 'box accent' : 'box' }));
    body.push(text(x + 10, top + 17, st.name, { class: 'strong' }));
    body.push(text(x + 10 + textWidth(st.name, 13) + 8, top + 17, st.value, { class: 'mono small' }));
    body.push(text(x + 10, top + 33, st.shape, { class: 'mono small c0' }));
    if (st.op && i < list.length - 1) {
      const ax = x + 24;
      body.push(arrow(ax, top + BOX_H, ax, top + BOX_H + GAP));
      body.push(text(ax + 10, top + BOX_H + GAP / 2 + 4, st.op, { class: 'mono small note' }));
    }
  });
  return { body, ys };
}

export function pipelineFigure(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const { s, data, model } = stages(lang);
    const W = 680;
    const colW = 290;
    const xA = 4;
    const xB = 346;
    const y0 = 44;
    const a = column(xA, y0, colW, data);
    const b = column(xB, y0, colW, model);
    const body: string[] = [
      text(xA, 18, tr(lang, '数据（8.2–8.3 节）', 'data (8.2–8.3)'), { class: 'title' }),
      text(xB, 18, tr(lang, '模型与一个训练步（8.5 节）', 'model and one training step (8.5)'), { class: 'title' }),
      text(xA, 34, tr(lang, '每轮从新的随机偏移重新切', 'cut again at a new random offset every epoch'), {
        class: 'note',
      }),
      text(
        xB,
        34,
        tr(lang, `每个小批量一次，每轮 ${s.batchesPerEpoch} 次`, `once per minibatch, ${s.batchesPerEpoch} per epoch`),
        { class: 'note' },
      ),
      ...a.body,
      ...b.body,
    ];
    // The minibatch goes to the model.
    const mbY = a.ys[a.ys.length - 1] + BOX_H / 2;
    const xtY = b.ys[0] + BOX_H / 2;
    const midX = (xA + colW + xB) / 2;
    body.push(
      connector(`M${xA + colW},${mbY} L${midX},${mbY} L${midX},${xtY} L${xB},${xtY}`, { x: xB, y: xtY, dx: 1, dy: 0 }),
    );
    // The updated parameters: used by the next minibatch (back to the RNN step) and by predict_ch8.
    const pY = b.ys[b.ys.length - 1] + BOX_H / 2;
    const hY = b.ys[2] + BOX_H / 2;
    const lane = xB + colW + 22;
    body.push(
      connector(
        `M${xB + colW},${pY} L${lane},${pY} L${lane},${hY} L${xB + colW},${hY}`,
        { x: xB + colW, y: hY, dx: -1, dy: 0 },
        'c0',
      ),
      text(lane + 4, (pY + hY) / 2, tr(lang, '下一个小批量', 'next minibatch'), {
        class: 'note',
        transform: `rotate(90 ${lane + 4} ${(pY + hY) / 2})`,
        'text-anchor': 'middle',
      }),
    );
    // Prediction, under the data column.
    const predTop = b.ys[b.ys.length - 1] - 18;
    body.push(rect(xA, predTop, colW, 58, { rx: 6, class: 'box' }));
    body.push(text(xA + 10, predTop + 18, tr(lang, '预测', 'prediction'), { class: 'strong' }));
    body.push(
      text(xA + 10 + textWidth(tr(lang, '预测', 'prediction'), 13) + 8, predTop + 18, "predict_ch8('time traveller')", {
        class: 'mono small',
      }),
    );
    body.push(
      text(
        xA + 10,
        predTop + 36,
        tr(
          lang,
          `训练 500 轮 × ${s.batchesPerEpoch} 个小批量之后`,
          `after 500 epochs × ${s.batchesPerEpoch} minibatches`,
        ),
        {
          class: 'small',
        },
      ),
    );
    body.push(
      text(xA + 10, predTop + 51, tr(lang, '14 + 50 = 64 个字符', '14 + 50 = 64 characters'), {
        class: 'mono small c0',
      }),
    );
    body.push(connector(`M${xB},${pY} L${xA + colW},${pY}`, { x: xA + colW, y: pY, dx: -1, dy: 0 }, 'c0'));
    const H = y0 + model.length * (BOX_H + GAP) - GAP + 8;
    out[`fig-pipeline.${lang}.svg`] = figure({
      id: 'pipeline',
      lang,
      width: W,
      height: H,
      title: tr(lang, '8.5 节的整条流水线与每一步的形状', 'The whole pipeline of 8.5 with the shape at every step'),
      body,
      caption: tr(
        lang,
        `8.5 节的全部内容。方框里是张量和它在书中大小（V = ${s.V}，H = ${s.H}，B = ${s.B}，T = ${s.T}）下的形状，箭头上是书里做这一步的函数。形状从按这些大小建出的真实训练图里读出：<code>i32[32,35]</code> 是 32 × 35 的整数张量，<code>f32</code> 是 float32。`,
        `All of 8.5. Boxes hold a tensor and its shape at the book's sizes (V = ${s.V}, H = ${s.H}, B = ${s.B}, T = ${s.T}); arrows carry the book's function that does the step. The shapes are read off the real train-step graph built at these sizes: <code>i32[32,35]</code> is a 32 × 35 integer tensor, <code>f32</code> is float32.`,
      ),
    });
  }
  return out;
}
