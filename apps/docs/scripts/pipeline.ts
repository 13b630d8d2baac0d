// Page 1: the pipeline, with the real first line of the book and the shapes read off the real train-step
// graph at the book's sizes. The same stages feed the table (pipeline-shapes.*.md) and the figure
// (figures/pipeline.ts).

import {
  BOOK_DEFAULTS,
  type Graph,
  type Node,
  PARAM_NAMES,
  SeqDataLoader,
  buildTrainStep,
  formatType,
  loadCorpusTimeMachine,
  numParams,
  opCounts,
  preprocessLine,
  splitLines,
  tokenize,
} from '@rnn-scratch/core';

import { tr, LANGS, type Lang } from './figures/svg.ts';
import { corpusText } from './runs.ts';
import { padCells } from './text-table.ts';

/** The first node (in graph order) that matches, with a readable error when none does. */
export function findNode(graph: Graph, what: string, pred: (n: Node) => boolean): Node {
  const node = graph.nodes.find(pred);
  if (!node) throw new Error(`generate: no node for ${what}`);
  return node;
}
export const inputId = (graph: Graph, name: string): number => graph.inputs.find((i) => i.name === name)!.id;
export const outputId = (graph: Graph, name: string): number => graph.outputs.find((o) => o.name === name)!.id;

/** Everything page 1 (and the annotated book code) says about sizes, measured on the real objects. */
export function bookSizes() {
  const text = corpusText();
  const lines = splitLines(text);
  const { corpus, vocab, totalTokens } = loadCorpusTimeMachine(text, BOOK_DEFAULTS.maxTokens);
  const V = vocab.length;
  const { numHiddens: H, batchSize: B, numSteps: T } = BOOK_DEFAULTS;
  const config = { vocabSize: V, numHiddens: H, batchSize: B, numSteps: T };
  const g = buildTrainStep(config);
  const oneHotGraph = buildTrainStep({ ...config, inputEncoding: 'one-hot' });
  const X = inputId(g, 'X');
  const Y = inputId(g, 'Y');
  const Wxh = inputId(g, 'W_xh');
  const Whq = inputId(g, 'W_hq');
  const shape = (n: Node) => formatType(n.dtype, n.shape);
  const input = (name: string) => shape(g.nodes[inputId(g, name)]);
  const gather = findNode(g, 'gather', (n) => n.op === 'gather' && n.inputs[0] === Wxh);
  const logitsMatmul = findNode(g, 'H W_hq', (n) => n.op === 'matmul' && n.inputs[1] === Whq);
  const yT = findNode(g, 'Y^T', (n) => n.op === 'transpose' && n.inputs[0] === Y);
  const loader = new SeqDataLoader({ text, batchSize: B, numSteps: T, seed: 0 });
  const counts = opCounts(g);
  return {
    V,
    H,
    B,
    T,
    chars: text.length,
    lines: lines.length,
    totalTokens,
    corpusLength: corpus.length,
    batchesPerEpoch: loader.numBatches.max,
    numParams: numParams({ vocabSize: V, numHiddens: H }),
    graphNodes: g.nodes.length,
    matmuls: counts.matmul,
    tanhs: counts.tanh,
    shapes: {
      X: input('X'),
      Y: input('Y'),
      state: input('state'),
      params: Object.fromEntries(PARAM_NAMES.map((p) => [p, input(p)])) as Record<(typeof PARAM_NAMES)[number], string>,
      xT: shape(findNode(g, 'X^T', (n) => n.op === 'transpose' && n.inputs[0] === X)),
      oneHot: shape(
        findNode(oneHotGraph, 'one-hot', (n) => n.op === 'oneHot' && oneHotGraph.nodes[n.inputs[0]].op === 'reshape'),
      ),
      gather: shape(gather),
      xt: shape(findNode(g, 'X_t W_xh', (n) => n.op === 'slice' && n.inputs[0] === gather.id)),
      h: shape(findNode(g, 'H_1', (n) => n.op === 'tanh')),
      allH: shape(findNode(g, 'all H', (n) => n.op === 'concat' && n.shape[0] === T * B && n.shape[1] === H)),
      logits: shape(findNode(g, 'logits', (n) => n.op === 'add' && n.inputs[0] === logitsMatmul.id)),
      y: shape(findNode(g, 'y', (n) => n.op === 'reshape' && n.inputs[0] === yT.id)),
      loss: shape(g.nodes[outputId(g, 'loss')]),
      norm: shape(g.nodes[outputId(g, 'gradNorm')]),
    },
  };
}

export type BookSizes = ReturnType<typeof bookSizes>;

const fmt = (x: number) => x.toLocaleString('en-US');

function shapeTable(s: BookSizes, lang: Lang): string {
  const t = (zh: string, en: string) => tr(lang, zh, en);
  const { V, H, B, T } = s;
  const rows: [string, string, string][] = [
    [
      t('文本', 'text'),
      'text',
      t(`${fmt(s.chars)} 个字符，${fmt(s.lines)} 行`, `${fmt(s.chars)} characters, ${fmt(s.lines)} lines`),
    ],
    [
      t('词元', 'tokens'),
      'tokens',
      t(`${fmt(s.totalTokens)} 个字符（空格和 a–z）`, `${fmt(s.totalTokens)} characters (space and a–z)`),
    ],
    [
      t('语料（索引）', 'corpus (ids)'),
      'corpus',
      t(
        `${fmt(s.corpusLength)} 个索引（max_tokens：只用书的开头）`,
        `${fmt(s.corpusLength)} ids (max_tokens: the start of the book only)`,
      ),
    ],
    [
      t('小批量', 'minibatch'),
      'X, Y',
      t(
        `${s.shapes.X} ${s.shapes.Y}，每轮 ${s.batchesPerEpoch} 个小批量（${fmt(s.batchesPerEpoch * B * T)} 个标签词元）`,
        `${s.shapes.X} ${s.shapes.Y}, ${s.batchesPerEpoch} minibatches per epoch (${fmt(s.batchesPerEpoch * B * T)} label tokens)`,
      ),
    ],
    [t('转置', 'transpose'), 'X.T', s.shapes.xT],
    [
      t('独热', 'one-hot'),
      'one_hot(X.T)',
      t(
        `${s.shapes.oneHot} = (T·B, V)；书里是 (T, B, V) = (${T}, ${B}, ${V})`,
        `${s.shapes.oneHot} = (T·B, V); the book: (T, B, V) = (${T}, ${B}, ${V})`,
      ),
    ],
    [
      t('输入投影', 'input projection'),
      'X W_xh',
      t(
        `${s.shapes.gather}（gather = one_hot @ W_xh，所有时间步一次算完）`,
        `${s.shapes.gather} (gather = one_hot @ W_xh, all time steps at once)`,
      ),
    ],
    [t('第 t 步的输入', 'input of step t'), 'X_t W_xh', s.shapes.xt],
    [
      t('隐状态', 'hidden state'),
      'H_t',
      t(`${s.shapes.h}（输入的状态：${s.shapes.state}）`, `${s.shapes.h} (incoming state: ${s.shapes.state})`),
    ],
    [t('所有隐状态', 'all states'), 'cat(H_1..H_T)', s.shapes.allH],
    [
      t('输出', 'outputs'),
      'logits',
      t(`${s.shapes.logits} = (T·B, V)，第 t·B + b 行`, `${s.shapes.logits} = (T·B, V), row t·B + b`),
    ],
    [t('标签', 'labels'), 'Y.T.reshape(-1)', s.shapes.y],
    [
      t('损失', 'loss'),
      'loss',
      t(`${s.shapes.loss}（${fmt(T * B)} 个位置的平均）`, `${s.shapes.loss} (mean over ${fmt(T * B)} positions)`),
    ],
    [t('梯度', 'gradients'), 'grads', PARAM_NAMES.map((p) => `${p} ${s.shapes.params[p]}`).join(', ')],
    [
      t('裁剪', 'clipping'),
      'norm',
      t(`${s.shapes.norm} → 乘以 min(1, θ/norm)`, `${s.shapes.norm} → multiply by min(1, θ/norm)`),
    ],
    [
      t('更新', 'update'),
      'p -= lr * g',
      t(`形状不变；共 ${fmt(s.numParams)} 个参数`, `same shapes; ${fmt(s.numParams)} parameters in all`),
    ],
  ];
  const head = t(
    `| 阶段 | 值 | 形状（书中大小 V=${V}, H=${H}, B=${B}, T=${T}） |`,
    `| stage | value | shape (book sizes V=${V}, H=${H}, B=${B}, T=${T}) |`,
  );
  const lines = [head, '|---|---|---|', ...rows.map(([a, b, c]) => `| ${a} | \`${b}\` | ${c} |`)];
  lines.push(
    '',
    t(
      `整个训练步是一张有 ${s.graphNodes} 个节点的图，其中 ${s.matmuls} 个 matmul、${s.tanhs} 个 tanh（每个时间步一个）。`,
      `The whole train step is one graph of ${s.graphNodes} nodes: ${s.matmuls} matmuls and ${s.tanhs} tanh (one per time step).`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

export function pipeline(): Record<string, string> {
  const text = corpusText();
  const rawLine = splitLines(text)[0];
  const clean = preprocessLine(rawLine);
  const { vocab } = loadCorpusTimeMachine(text, BOOK_DEFAULTS.maxTokens);
  const tokens = tokenize([clean], 'char')[0];
  const ids = vocab.toIndices(tokens);
  const q = (s: string) => `'${s}'`;
  const sizes = bookSizes();
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const rows: [string, string][] = [
      [t('原始的第一行', 'raw line'), q(rawLine)],
      [t('预处理之后', 'preprocessed'), q(clean)],
      [t('字符词元', 'char tokens'), `[${tokens.map(q).join(', ')}]`],
      [t('索引', 'ids'), `[${ids.join(', ')}]`],
      [
        t(`词表（${vocab.length} 个）`, `vocab (${vocab.length})`),
        vocab
          .toTokens([...Array(vocab.length).keys()])
          .map((c) => (c === ' ' ? "' '" : c))
          .join(' '),
      ],
    ];
    out[`pipeline-text.${lang}.txt`] = `${padCells(rows).join('\n')}\n`;
    out[`pipeline-shapes.${lang}.md`] = shapeTable(sizes, lang);
  }
  return out;
}

/**
 * Where a word fusion of the corpus comes from: `load_corpus_time_machine` joins the preprocessed lines with
 * no separator, so the last word of one line and the first word of the next become one "word" (the book's
 * predictions show them). For each fused string: the original lines and the corpus around it.
 */
export function corpusJoins(): Record<string, string> {
  const text = corpusText();
  const raw = splitLines(text);
  const clean = raw.map((l) => preprocessLine(l));
  const starts: number[] = [];
  let corpus = '';
  for (const line of clean) {
    starts.push(corpus.length);
    corpus += line;
  }
  const lineAt = (pos: number) => {
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1] <= pos) i++;
    return i;
  };
  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    const parts: string[] = [];
    for (const fused of ['himwas', 'travelleryou']) {
      const at = corpus.indexOf(fused);
      if (at < 0) throw new Error(`generate: '${fused}' is not in the corpus`);
      if (at + fused.length > BOOK_DEFAULTS.maxTokens)
        throw new Error(`generate: '${fused}' is outside the training text`);
      const first = lineAt(at);
      const last = lineAt(at + fused.length - 1);
      // The lines that end the first word and start the second, skipping empty ones in between.
      const shown = [
        first,
        ...Array.from({ length: last - first }, (_, k) => first + k + 1).filter((i) => clean[i] !== ''),
      ];
      parts.push(
        t(`${q(fused)}：训练文本的第 ${at} 个字符起`, `${q(fused)}: at character ${at} of the training text`),
        t('  原文：', '  the book:'),
        ...shown.map((i) => `    ${String(i + 1).padStart(4)}  ${raw[i]}`),
        t('  预处理、首尾相接之后：', '  preprocessed and joined:'),
        `    …${corpus.slice(Math.max(0, at - 24), at + fused.length + 24)}…`,
        '',
      );
    }
    out[`corpus-joins.${lang}.txt`] = `${parts.join('\n').trimEnd()}\n`;
  }
  return out;
}

const q = (s: string) => `'${s}'`;
