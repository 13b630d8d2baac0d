// Page 2: a toy minibatch from the real corpus (the first 22 characters, B = 2, T = 5, offset 0, as in the
// book's 8.3 toy example), transposed and one-hot encoded, with the right and the wrong label order.

import { Random, type Vocab, loadCorpusTimeMachine, seqDataIterSequential } from '@rnn-scratch/core';

import { LANGS, tr } from './figures/svg.ts';
import { corpusText } from './runs.ts';
import { padCells } from './text-table.ts';

export interface ToyBatch {
  readonly B: number;
  readonly T: number;
  readonly vocab: Vocab;
  readonly corpus: Int32Array;
  readonly X: Int32Array;
  readonly Y: Int32Array;
  /** X.T and Y.T, row-major (T, B). */
  readonly XT: Int32Array;
  readonly YT: Int32Array;
}

export function toyBatch(): ToyBatch {
  const { corpus, vocab } = loadCorpusTimeMachine(corpusText(), 22);
  const B = 2;
  const T = 5;
  const first = seqDataIterSequential(corpus, B, T, new Random(0), { offset: 0 }).next();
  if (first.done) throw new Error('generate: no minibatch');
  const { X, Y } = first.value;
  const transpose = (data: Int32Array) => {
    const out = new Int32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[t * B + b] = data[b * T + t];
    return out;
  };
  return { B, T, vocab, corpus: Int32Array.from(corpus), X, Y, XT: transpose(X), YT: transpose(Y) };
}

export function oneHotExample(): Record<string, string> {
  const { B, T, vocab, corpus, X, Y, XT, YT } = toyBatch();
  const show = (ids: ArrayLike<number>) => Array.from(ids, (i) => vocab.toToken(i)).join('');
  const q = (s: string) => `'${s}'`;
  const ids = (data: ArrayLike<number>) => `[${Array.from(data, (v) => String(v).padStart(2)).join(', ')}]`;
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const lines = [
      `corpus[:22] = ${q(show(corpus))}`,
      '',
      ...padCells([
        [t(`X（B=${B}，T=${T}）`, `X (B=${B}, T=${T})`), '', t('Y = X 右移一位', 'Y = X shifted by one')],
        ...Array.from({ length: B }, (_, b) => {
          const xs = X.slice(b * T, (b + 1) * T);
          const ys = Y.slice(b * T, (b + 1) * T);
          return [`  ${ids(xs)}`, q(show(xs)), ids(ys), q(show(ys))];
        }),
      ]),
      '',
      t(
        `X.T（T=${T}，B=${B}）：第 t 行 = 时间步 t 的整个批量`,
        `X.T (T=${T}, B=${B}): row t = the batch at time step t`,
      ),
      ...Array.from(
        { length: T },
        (_, s) => `  t=${s} ${ids(XT.slice(s * B, (s + 1) * B))}  ${q(show(XT.slice(s * B, (s + 1) * B)))}`,
      ),
      '',
      t(
        `one_hot(X.T)[0]（B=${B}，V=${vocab.length}）：时间步 0`,
        `one_hot(X.T)[0] (B=${B}, V=${vocab.length}): time step 0`,
      ),
      ...Array.from({ length: B }, (_, b) => {
        const id = XT[b];
        const bits = Array.from({ length: vocab.length }, (_, k) => (k === id ? 1 : 0)).join('');
        return t(`  ${q(vocab.toToken(id))}（索引 ${id}）→ ${bits}`, `  ${q(vocab.toToken(id))} (id ${id}) -> ${bits}`);
      }),
      '',
      t('输出按时间优先排列（第 t·B + b 行），配上标签：', 'outputs, time-major (row t·B + b), with their labels:'),
      ...padCells([
        ['  y = Y.T.reshape(-1)', `[${Array.from(YT).join(', ')}]`, q(show(YT)), t('对', 'right')],
        ['  Y.reshape(-1)', `[${Array.from(Y).join(', ')}]`, q(show(Y)), t('错', 'WRONG')],
      ]),
      '',
      ...padCells([
        [t('行', 'row'), '(t, b)', t('输入', 'input'), t('对的标签', 'right label'), t('错的标签', 'wrong label')],
        ...Array.from({ length: T * B }, (_, r) => [
          String(r).padStart(3),
          `(${Math.floor(r / B)}, ${r % B})`,
          q(vocab.toToken(XT[r])),
          q(vocab.toToken(YT[r])),
          `${q(vocab.toToken(Y[r]))}${YT[r] === Y[r] ? '' : t('  ← 配错了', '  <- mismatch')}`,
        ]),
      ]),
    ];
    out[`one-hot.${lang}.txt`] = `${lines.join('\n')}\n`;
  }
  return out;
}
