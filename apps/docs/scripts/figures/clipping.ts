// Page 6: gradient clipping as a projection onto the ball of radius theta (computed with core's
// clipByGlobalNorm on the reference backend), and the real gradient norms of the shared sequential run.

import { buildGraph, clipByGlobalNorm, runReference, tensor } from '@rnn-scratch/core';

import { SEQUENTIAL_EPOCHS, SMALL, samplerRun } from '../runs.ts';
import { LANGS, arrow, el, esc, figure, line, niceTicks, num, rect, text, tr, vecLabel } from './svg.ts';

/** clipByGlobalNorm over a list of 1-D tensors, run on the reference backend. */
export async function clip(grads: number[][], theta: number): Promise<{ norm: number; clipped: number[][] }> {
  const g = buildGraph((b) => {
    const ins = grads.map((v, i) => b.input(`g${i}`, 'float32', [v.length]));
    const th = b.input('theta', 'float32', []);
    const { clipped, norm } = clipByGlobalNorm(ins, th);
    b.output('norm', norm);
    clipped.forEach((c, i) => b.output(`c${i}`, c));
  });
  const feeds = Object.fromEntries(grads.map((v, i) => [`g${i}`, tensor('float32', [v.length], v)]));
  const out = await runReference(g, { ...feeds, theta: tensor('float32', [], [theta]) });
  return { norm: out.norm.data[0], clipped: grads.map((_, i) => Array.from(out[`c${i}`].data)) };
}

export async function clipBallFigure(): Promise<Record<string, string>> {
  // Two "parameters": g1 = [3, 0] and g2 = [4]. The picture is the plane (g1[0], g2[0]).
  const g1 = [3, 0];
  const g2 = [4];
  const small = await clip([g1, g2], 1);
  const large = await clip([g1, g2], 10);
  const each = [await clip([g1], 1), await clip([g2], 1)]; // clipping each parameter on its own
  const panels = [
    { theta: 1, scale: 30, result: [small.clipped[0][0], small.clipped[1][0]], kind: 'global' as const },
    { theta: 10, scale: 9, result: [large.clipped[0][0], large.clipped[1][0]], kind: 'global' as const },
    { theta: 1, scale: 30, result: [each[0].clipped[0][0], each[1].clipped[0][0]], kind: 'each' as const },
  ];
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const body: string[] = [];
    panels.forEach((p, i) => {
      const x0 = 10 + i * 200;
      const ox = x0 + 30;
      const oy = 215;
      const sx = (v: number) => ox + v * p.scale;
      const sy = (v: number) => oy - v * p.scale;
      body.push(line(ox, oy, x0 + 190, oy, { class: 'axis' }), line(ox, oy, ox, 45, { class: 'axis' }));
      body.push(text(x0 + 188, oy + 14, 'g1[0]', { class: 'tick mono', 'text-anchor': 'end' }));
      body.push(text(ox - 4, 52, 'g2[0]', { class: 'tick mono', 'text-anchor': 'end' }));
      if (p.kind === 'global') {
        const r = p.theta * p.scale;
        body.push(
          el('path', { d: `M${ox + r},${oy} A${r},${r} 0 0 0 ${ox},${oy - r} L${ox},${oy} Z`, class: 'circle' }),
        );
        body.push(
          r < 60
            ? text(ox + r, oy + 14, `θ = ${p.theta}`, { class: 'note', 'text-anchor': 'middle' })
            : text(ox + r * 0.72 + 3, oy - r * 0.72 - 3, `θ = ${p.theta}`, { class: 'note' }),
        );
      } else {
        const r = p.scale;
        body.push(rect(ox, oy - r, r, r, { class: 'circle' }));
        body.push(text(ox + r + 2, oy + 14, tr(lang, '各自 ≤ 1', 'each ≤ 1'), { class: 'note' }));
      }
      body.push(arrow(ox, oy, sx(g1[0]), sy(g2[0]), 'arrow'));
      body.push(text(sx(g1[0]) + 4, sy(g2[0]) - 2, `g = ${vecLabel([g1[0], g2[0]], 0)}`, { class: 'small mono' }));
      const moved = p.result[0] !== g1[0] || p.result[1] !== g2[0];
      if (moved) {
        body.push(arrow(ox, oy, sx(p.result[0]), sy(p.result[1]), p.kind === 'each' ? 'arrow bad' : 'arrow c0'));
        body.push(
          text(sx(p.result[0]) + 6, sy(p.result[1]) + 2, vecLabel(p.result, 1), {
            class: `small mono ${p.kind === 'each' ? 'bad' : 'c0'}`,
          }),
        );
      }
      const title =
        p.kind === 'each'
          ? tr(lang, '各参数分别裁剪（错）', 'each parameter alone (wrong)')
          : tr(lang, `全局范数，θ = ${p.theta}`, `global norm, θ = ${p.theta}`);
      const sub =
        p.kind === 'each'
          ? tr(lang, '方向变了', 'the direction changes')
          : moved
            ? tr(
                lang,
                `‖g‖ = ${num(small.norm, 0)} > θ：缩到球面上`,
                `‖g‖ = ${num(small.norm, 0)} > θ: onto the sphere`,
              )
            : tr(lang, `‖g‖ = ${num(large.norm, 0)} ≤ θ：不变`, `‖g‖ = ${num(large.norm, 0)} ≤ θ: unchanged`);
      body.push(text(x0 + 100, 16, title, { class: 'title', 'text-anchor': 'middle' }));
      body.push(text(x0 + 100, 32, sub, { class: 'note', 'text-anchor': 'middle' }));
    });
    out[`fig-clip-ball.${lang}.svg`] = figure({
      id: 'clip-ball',
      lang,
      width: 610,
      height: 235,
      title: tr(lang, '梯度裁剪：投影到半径为 θ 的球上', 'Gradient clipping: projection onto the ball of radius θ'),
      body,
      caption: tr(
        lang,
        `两个参数的梯度 <code>g1 = [3, 0]</code>、<code>g2 = [4]</code> 合起来是一个长度为 ${esc(num(small.norm, 0))} 的向量（画出前两个分量）。左：θ = 1 时整体乘以 θ/‖g‖，落在球面上，方向不变。中：θ = 10 时在球内，原样通过。右：如果每个参数各自裁剪到 1，结果是 ${esc(vecLabel(panels[2].result, 0))}，方向变了。三个结果都由 <code>clipByGlobalNorm</code> 在参考后端上算出。`,
        `The gradients of two parameters, <code>g1 = [3, 0]</code> and <code>g2 = [4]</code>, together form one vector of length ${esc(num(small.norm, 0))} (its first two components are drawn). Left: with θ = 1 everything is multiplied by θ/‖g‖ and lands on the sphere, in the same direction. Middle: with θ = 10 it is inside the ball and passes unchanged. Right: clipping each parameter to 1 on its own gives ${esc(vecLabel(panels[2].result, 0))}: a different direction. All three results were computed by <code>clipByGlobalNorm</code> on the reference backend.`,
      ),
      maxWidth: 640,
    });
  }
  return out;
}

export interface ClipStats {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly clippedPerEpoch: number[];
  readonly firstClippedEpoch: number;
  readonly totalClipped: number;
  readonly totalSteps: number;
  readonly largest: number;
}

export async function clipStats(theta = 1): Promise<ClipStats> {
  const norms = (await samplerRun('sequential')).gradNorms;
  const clippedPerEpoch = norms.map((e) => e.filter((x) => x > theta).length);
  const all = norms.flat();
  return {
    epochs: norms.length,
    stepsPerEpoch: norms[0].length,
    clippedPerEpoch,
    firstClippedEpoch: clippedPerEpoch.findIndex((c) => c > 0) + 1,
    totalClipped: all.filter((x) => x > theta).length,
    totalSteps: all.length,
    largest: Math.max(...all),
  };
}

export async function clipNormsFigure(): Promise<Record<string, string>> {
  const norms = (await samplerRun('sequential')).gradNorms;
  const stats = await clipStats();
  const E = norms.length;
  const tail = stats.clippedPerEpoch.slice(-5);
  const tailClipped = tail.reduce((a, b) => a + b, 0);
  const tailSteps = 5 * stats.stepsPerEpoch;
  const W = 600;
  const left = 48;
  const right = W - 10;
  const sx = (e: number) => left + ((e - 0.5) / E) * (right - left);
  // Top: per epoch, the range (min..max) of the minibatch norms and their mean; theta = 1.
  const top = 30;
  const bottom = 200;
  const yMax = Math.ceil(Math.max(...norms.flat()) * 5) / 5;
  const sy = (v: number) => bottom - (v / yMax) * (bottom - top);
  // Bottom: how many of the epoch's minibatches were clipped.
  const top2 = 240;
  const bottom2 = 320;
  const steps = stats.stepsPerEpoch;
  const sy2 = (c: number) => bottom2 - (c / steps) * (bottom2 - top2);
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const body: string[] = [];
    for (const t of niceTicks(0, yMax, 4)) {
      body.push(line(left, sy(t), right, sy(t), { class: 'grid' }));
      body.push(text(left - 6, sy(t) + 4, String(t), { class: 'tick', 'text-anchor': 'end' }));
    }
    body.push(line(left, sy(1), right, sy(1), { class: 'ref' }));
    body.push(
      text(left + 6, sy(1) - 5, tr(lang, 'θ = 1：高于这条线的步被裁剪', 'θ = 1: steps above this line are clipped'), {
        class: 'note',
      }),
    );
    norms.forEach((ns, i) => {
      const x = sx(i + 1);
      const lo = Math.min(...ns);
      const hi = Math.max(...ns);
      const mean = ns.reduce((a, b) => a + b, 0) / ns.length;
      body.push(line(x, sy(lo), x, sy(hi), { class: hi > 1 ? 'curve bad' : 'curve s0' }));
      body.push(el('circle', { cx: x, cy: sy(mean), r: 2.2, class: hi > 1 ? 'dot bad solidbad' : 'dot s0' }));
    });
    body.push(
      text(
        4,
        14,
        tr(
          lang,
          '裁剪前的全局梯度范数 ‖g‖（每轮：最小–最大，点 = 平均）',
          'global gradient norm ‖g‖ before clipping (per epoch: min–max, dot = mean)',
        ),
        { class: 'label' },
      ),
    );
    // bars
    body.push(
      text(
        4,
        top2 - 12,
        tr(lang, `被裁剪的小批量（每轮共 ${steps} 个）`, `minibatches clipped (of ${steps} per epoch)`),
        { class: 'label' },
      ),
    );
    for (const t of [0, steps / 2, steps]) {
      body.push(line(left, sy2(t), right, sy2(t), { class: 'grid' }));
      body.push(text(left - 6, sy2(t) + 4, String(t), { class: 'tick', 'text-anchor': 'end' }));
    }
    const bw = ((right - left) / E) * 0.7;
    stats.clippedPerEpoch.forEach((c, i) => {
      if (c > 0) body.push(rect(sx(i + 1) - bw / 2, sy2(c), bw, bottom2 - sy2(c), { class: 'solidbad' }));
    });
    body.push(line(left, bottom2, right, bottom2, { class: 'axis' }));
    for (const e of [1, ...niceTicks(0, E, 6).filter((v) => v >= 2)]) {
      body.push(text(sx(e), bottom2 + 15, String(e), { class: 'tick', 'text-anchor': 'middle' }));
    }
    body.push(
      text((left + right) / 2, bottom2 + 32, tr(lang, '轮次', 'epoch'), { class: 'label', 'text-anchor': 'middle' }),
    );
    out[`fig-clip-norms.${lang}.svg`] = figure({
      id: 'clip-norms',
      lang,
      width: W,
      height: 358,
      title: tr(lang, '真实训练中的梯度范数与裁剪次数', 'Gradient norms and clipping in a real run'),
      body,
      caption: esc(
        tr(
          lang,
          `一次真实训练（H = ${SMALL.numHiddens}，前 ${SMALL.maxTokens} 个字符，顺序分区，学习率 1，θ = 1，${SEQUENTIAL_EPOCHS} 轮，参考后端）里每个小批量的梯度范数。前 ${stats.firstClippedEpoch - 1} 轮一次也没有裁剪；之后范数变大，裁剪越来越频繁：最后 5 轮的 ${tailSteps} 步里有 ${tailClipped} 步被裁剪。全程 ${stats.totalSteps} 步里裁剪了 ${stats.totalClipped} 步，最大范数 ${num(stats.largest)}。`,
          `The gradient norm of every minibatch in one real run (H = ${SMALL.numHiddens}, first ${SMALL.maxTokens} characters, sequential, lr 1, θ = 1, ${SEQUENTIAL_EPOCHS} epochs, reference backend). For the first ${stats.firstClippedEpoch - 1} epochs nothing is clipped; then the norms grow and clipping fires more and more often: ${tailClipped} of the ${tailSteps} steps of the last 5 epochs were clipped. In all, ${stats.totalClipped} of ${stats.totalSteps} steps were clipped; the largest norm was ${num(stats.largest)}.`,
        ),
      ),
    });
  }
  return out;
}
