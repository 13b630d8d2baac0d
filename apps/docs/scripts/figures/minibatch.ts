// Page 2: the toy minibatch (minibatch.ts) as coloured grids: X (B, T) -> X.T (T, B) -> one-hot (T, B, V)
// -> the output rows t*B + b, beside the right labels Y.T.reshape(-1) and the wrong Y.reshape(-1).

import { toyBatch } from '../minibatch.ts';
import { LANGS, arrow, figure, line, rect, text, tr } from './svg.ts';

export function minibatchFigure(): Record<string, string> {
  const { B, T, vocab, X, Y, XT, YT } = toyBatch();
  const V = vocab.length;
  const ch = (id: number) => {
    const c = vocab.toToken(id);
    return c === ' ' ? '␣' : c;
  };
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const body: string[] = [];
    const cell = 30;
    // A: X (B, T)
    const ax = 14;
    const ay = 70;
    body.push(text(ax, 16, 'X', { class: 'title mono' }));
    body.push(text(ax, 32, `(B, T) = (${B}, ${T})`, { class: 'mono small' }));
    body.push(text(ax, 47, tr(lang, '每行一条序列', 'one sequence per row'), { class: 'note' }));
    for (let t = 0; t < T; t++)
      body.push(text(ax + t * cell + cell / 2, ay - 4, `t=${t}`, { class: 'tick', 'text-anchor': 'middle' }));
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const x = ax + t * cell;
        const y = ay + b * cell;
        body.push(rect(x, y, cell, cell, { class: `fill${b}` }));
        body.push(text(x + cell / 2, y + 19, ch(X[b * T + t]), { class: 'mono', 'text-anchor': 'middle' }));
      }
      body.push(text(ax + T * cell + 6, ay + b * cell + 19, `b=${b}`, { class: 'tick' }));
    }
    // B: X.T (T, B)
    const bx = 290;
    const by = ay;
    body.push(arrow(ax + T * cell + 40, ay + cell, bx - 34, ay + cell));
    body.push(
      text((ax + T * cell + 40 + bx - 34) / 2, ay + cell - 8, 'X.T', { class: 'mono small', 'text-anchor': 'middle' }),
    );
    body.push(text(bx, 16, 'X.T', { class: 'title mono' }));
    body.push(text(bx, 32, `(T, B) = (${T}, ${B})`, { class: 'mono small' }));
    body.push(text(bx, 47, tr(lang, '每行一个时间步', 'one time step per row'), { class: 'note' }));
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const x = bx + b * cell;
        const y = by + t * cell;
        body.push(rect(x, y, cell, cell, { class: `fill${b}` }));
        body.push(text(x + cell / 2, y + 19, ch(XT[t * B + b]), { class: 'mono', 'text-anchor': 'middle' }));
      }
      body.push(text(bx - 6, by + t * cell + 19, `t=${t}`, { class: 'tick', 'text-anchor': 'end' }));
    }
    // C: one_hot(X.T) (T, B, V): one slice (B, V) per time step
    const cx = 420;
    const cy = ay;
    const sq = 8.5;
    body.push(arrow(bx + B * cell + 10, by + 2.5 * cell, cx - 10, by + 2.5 * cell));
    body.push(
      text((bx + B * cell + 10 + cx - 10) / 2, by + 2.5 * cell - 8, 'one_hot', {
        class: 'mono small',
        'text-anchor': 'middle',
      }),
    );
    body.push(text(cx, 16, 'one_hot(X.T)', { class: 'title mono' }));
    body.push(text(cx, 32, `(T, B, V) = (${T}, ${B}, ${V})`, { class: 'mono small' }));
    body.push(
      text(
        cx,
        47,
        tr(lang, `每个时间步一片 (B, V)，每行只有一个 1`, 'one (B, V) slice per time step, a single 1 per row'),
        { class: 'note' },
      ),
    );
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const y = cy + t * cell + b * (sq + 1) + 4;
        for (let k = 0; k < V; k++) {
          const hot = XT[t * B + b] === k;
          body.push(rect(cx + k * (sq + 1), y, sq, sq, { class: hot ? `solid${b}` : 'muted' }));
        }
      }
    }
    // D: the output rows t*B + b with their labels
    const dy = 254;
    const lx = 14;
    const colW = 58;
    const x0 = 200;
    const right = tr(lang, '对：Y.T.reshape(-1)', 'right: Y.T.reshape(-1)');
    const wrong = tr(lang, '错：Y.reshape(-1)', 'wrong: Y.reshape(-1)');
    body.push(
      text(
        lx,
        dy - 16,
        tr(
          lang,
          `rnn 的输出 (T·B, V) = (${T * B}, ${V})：第 t·B + b 行，配上它的标签`,
          `the rnn's outputs (T·B, V) = (${T * B}, ${V}): row t·B + b, with its label`,
        ),
        {
          class: 'title',
        },
      ),
    );
    const rowsY = [dy + 18, dy + 44, dy + 74, dy + 104, dy + 134];
    body.push(text(lx, rowsY[0], tr(lang, '输出的行 r', 'output row r'), { class: 'small' }));
    body.push(text(lx, rowsY[1], '(t, b)', { class: 'small mono' }));
    body.push(text(lx, rowsY[2], tr(lang, '输入字符', 'input character'), { class: 'small' }));
    body.push(text(lx, rowsY[3], right, { class: 'small mono c2' }));
    body.push(text(lx, rowsY[4], wrong, { class: 'small mono bad' }));
    let mismatches = 0;
    for (let r = 0; r < T * B; r++) {
      const x = x0 + r * colW;
      const b = r % B;
      const t = Math.floor(r / B);
      body.push(text(x + colW / 2, rowsY[0], String(r), { class: 'mono small', 'text-anchor': 'middle' }));
      body.push(text(x + colW / 2, rowsY[1], `(${t},${b})`, { class: 'mono small note', 'text-anchor': 'middle' }));
      body.push(rect(x + colW / 2 - 13, rowsY[2] - 18, 26, 26, { class: `fill${b}` }));
      body.push(text(x + colW / 2, rowsY[2], ch(XT[r]), { class: 'mono', 'text-anchor': 'middle' }));
      body.push(rect(x + colW / 2 - 13, rowsY[3] - 18, 26, 26, { class: 'fill2' }));
      body.push(text(x + colW / 2, rowsY[3], ch(YT[r]), { class: 'mono', 'text-anchor': 'middle' }));
      const ok = YT[r] === Y[r];
      if (!ok) mismatches++;
      body.push(rect(x + colW / 2 - 13, rowsY[4] - 18, 26, 26, { class: ok ? 'fill2' : 'fillbad' }));
      body.push(text(x + colW / 2, rowsY[4], ch(Y[r]), { class: `mono${ok ? '' : ' bad'}`, 'text-anchor': 'middle' }));
    }
    body.push(line(x0, rowsY[2] + 12, x0 + T * B * colW, rowsY[2] + 12, { class: 'grid' }));
    out[`fig-minibatch.${lang}.svg`] = figure({
      id: 'minibatch',
      lang,
      width: x0 + T * B * colW + 8,
      height: dy + 148,
      title: tr(lang, '一个小批量从 (B, T) 到时间优先的输出行', 'A minibatch from (B, T) to time-major output rows'),
      body,
      caption: tr(
        lang,
        `书的前 22 个字符，B = ${B}，T = ${T}（和书 8.3 节的玩具例子同样的切法），全部由真实代码算出。蓝色是第 0 条序列，橙色是第 1 条；<code>␣</code> 是空格。<code>X.T</code> 把时间放到第一维，循环每次取一行：同一时间步的整个批量。输出按 t·B + b 排列，所以标签也必须先转置再展平；少了 <code>.T</code>，${T * B} 个位置里有 ${mismatches} 个配错。`,
        `The book's first 22 characters, B = ${B}, T = ${T} (cut like the book's 8.3 toy example), all computed by the real code. Blue is sequence 0, orange sequence 1; <code>␣</code> is a space. <code>X.T</code> puts time first, so each loop iteration takes one row: one time step of the whole batch. The outputs are ordered t·B + b, so the labels must be transposed before flattening too; without the <code>.T</code>, ${mismatches} of the ${T * B} positions get the wrong label.`,
      ),
    });
  }
  return out;
}
