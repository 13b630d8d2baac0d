// Computes every number, graph, figure and command output that the docs show, with the real core code, and
// writes them to apps/docs/generated/. The pages include those files, so no number is typed by hand.
//
//   npm run gen -w @rnn-scratch/docs      (after `npx tsc -b` at the repository root)
//
// test/generated.test.ts runs `generate()` again and fails if a file on disk differs: a change in core
// (or in the CLI's --help, or in BENCHMARKS.md) that changes what the docs show cannot go unnoticed.
//
// Each page's outputs come from a module of its own (pipeline.ts, minibatch.ts, rnn-step.ts, runs.ts and
// small-runs-text.ts, benchmarks.ts, book-code/, figures/); this file lists them and keeps the smaller ones.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  BOOK_DEFAULTS,
  type HostTensor,
  PARAM_NAMES,
  Random,
  SeqDataLoader,
  buildForward,
  buildTrainStep,
  getParams,
  initRnnState,
  interpret,
  numParams,
  opCounts,
  paramShapes,
  printGraph,
  referenceKernels,
  runReference,
  tensor,
} from '@rnn-scratch/core';

import { demo as scalarAutodiffDemo } from '../snippets/scalar-autodiff.ts';
import { benchmarks } from './benchmarks.ts';
import { cellPages } from './cells.ts';
import { exercisePages } from './exercises.ts';
import { bookCodeCheck } from './book-code/check.ts';
import { renderBookCode } from './book-code/render.ts';
import { figures } from './figures/index.ts';
import { LANGS, type Lang, tr } from './figures/svg.ts';
import { oneHotExample } from './minibatch.ts';
import { docsRoot, generatedDir, repoRoot } from './paths.ts';
import { corpusJoins, inputId, outputId, pipeline } from './pipeline.ts';
import { rnnStepExample, tinyParams } from './rnn-step.ts';
import { corpusText } from './runs.ts';
import { sweepPage } from './sweeps.ts';
import { batchSizeText, clippingText, predictionText } from './small-runs-text.ts';
import { padCells } from './text-table.ts';

export { docsRoot, generatedDir, repoRoot };

const fmt = (x: number, digits = 4) => (Object.is(x, -0) ? 0 : x).toFixed(digits).replace(/^(?!-)/, ' ');

// ---------------------------------------------------------------------------------------------------
// Page 3: the parameters at the book's sizes, and the perplexity of an untrained model.

async function paramsExample(): Promise<Record<string, string>> {
  const V = 28;
  const H = BOOK_DEFAULTS.numHiddens;
  const shapes = paramShapes({ vocabSize: V, numHiddens: H });
  const total = numParams({ vocabSize: V, numHiddens: H });
  const table = (lang: Lang) =>
    padCells([
      ...PARAM_NAMES.map((p) => {
        const n = shapes[p].reduce((a, d) => a * d, 1);
        return [
          p,
          `(${shapes[p].join(', ')})`,
          n.toLocaleString('en-US').padStart(7),
          `${((100 * n) / total).toFixed(1).padStart(5)}%`,
        ];
      }),
      [tr(lang, '合计', 'total'), '', total.toLocaleString('en-US').padStart(7), '100.0%'],
    ]);

  // Untrained (randn * 0.01) model on 4 x 35 real characters: every prediction is nearly uniform.
  const B = 4;
  const T = 35;
  const loader = new SeqDataLoader({ text: corpusText(), batchSize: B, numSteps: T, seed: 0 });
  const first = loader[Symbol.iterator]().next();
  if (first.done) throw new Error('generate: no minibatch');
  const params = getParams(V, H, new Random(0));
  const out = await runReference(buildForward({ vocabSize: V, numHiddens: H, batchSize: B, numSteps: T }), {
    X: tensor('int32', [B, T], first.value.X),
    Y: tensor('int32', [B, T], first.value.Y),
    state: initRnnState(B, H),
    ...params,
  });
  const row0 = Array.from(out.logits.data.slice(0, V));
  const spread = Math.max(...row0) - Math.min(...row0);
  const loss = out.loss.data[0];
  const files: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    files[`params.${lang}.txt`] = `${table(lang).join('\n')}\n`;
    files[`untrained.${lang}.txt`] = `${[
      t(
        `未训练的模型（randn * 0.01，种子 0），H=${H}，一个 ${B} × ${T} 个真实字符的小批量：`,
        `untrained model (randn * 0.01, seed 0), H=${H}, one minibatch of ${B} x ${T} real characters:`,
      ),
      t(
        `  第一个位置的 28 个分数：最小 ${fmt(Math.min(...row0))}，最大 ${fmt(Math.max(...row0))}（相差 ${spread.toFixed(4)}）`,
        `  logits of the first position: min ${fmt(Math.min(...row0))}, max ${fmt(Math.max(...row0))} (spread ${spread.toFixed(4)})`,
      ),
      t(
        `  损失 ${loss.toFixed(4)}（每个字符，单位 nat）；ln(28) = ${Math.log(28).toFixed(4)}`,
        `  loss ${loss.toFixed(4)} nats per character; ln(28) = ${Math.log(28).toFixed(4)}`,
      ),
      t(
        `  困惑度 exp(loss) = ${Math.exp(loss).toFixed(3)}（在 28 个词元里均匀瞎猜：28）`,
        `  perplexity exp(loss) = ${Math.exp(loss).toFixed(3)}  (a uniform guess over 28 tokens: 28)`,
      ),
    ].join('\n')}\n`;
  }
  return files;
}

// ---------------------------------------------------------------------------------------------------
// Page 9: what a backend does: run the equations of the graph in order (the forward graph of page 4).

async function interpreterTrace(): Promise<Record<string, string>> {
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const graph = buildForward(config);
  const printed = printGraph(graph).split('\n');
  const eqns = printed.slice(1, -1); // one line per equation, in node order
  const values: HostTensor[] = [];
  const recording = Object.fromEntries(
    Object.entries(referenceKernels).map(([op, kernel]) => [
      op,
      (inputs: readonly HostTensor[], attrs: never, out: never) => {
        const v = (kernel as (i: readonly HostTensor[], a: never, o: never) => HostTensor)(inputs, attrs, out);
        values.push(v);
        return v;
      },
    ]),
  ) as unknown as typeof referenceKernels;
  const feeds: Record<string, HostTensor> = {
    X: tensor('int32', [1, 2], [0, 1]),
    Y: tensor('int32', [1, 2], [1, 2]),
    state: initRnnState(1, 2),
    ...tinyParams(),
  };
  interpret(graph, recording, feeds, { constant: (n) => n.value });
  const show = (t: HostTensor) =>
    t.dtype === 'int32'
      ? `[${Array.from(t.data).join(', ')}]`
      : `[${Array.from(t.data, (x) => x.toFixed(4)).join(', ')}]`;
  if (values.length !== eqns.length) throw new Error(`generate: ${values.length} values for ${eqns.length} equations`);
  const width = Math.max(...eqns.map((e) => e.length));
  const lines = eqns.map((e, i) => `${e.padEnd(width)}   -> ${show(values[i])}`);
  return { 'interpreter-trace.txt': `${lines.join('\n')}\n` };
}

// ---------------------------------------------------------------------------------------------------
// Page 8: the printed graph of two time steps, and which VJP rules fire.

function graphExample(): Record<string, string> {
  const config = { vocabSize: 3, numHiddens: 2, batchSize: 1, numSteps: 2 };
  const forward = buildForward(config);
  const trainStep = buildTrainStep(config);
  const out: Record<string, string> = {
    'graph-forward.txt': `${printGraph(forward)}\n`,
    'graph-train-step.txt': `${printGraph(trainStep)}\n`,
  };
  // The VJP rules that fire: one per forward primitive on a path from a parameter to the loss.
  const params = new Set(PARAM_NAMES.map((p) => inputId(forward, p)));
  const lossId = outputId(forward, 'loss');
  const fromParam = new Uint8Array(forward.nodes.length);
  for (const n of forward.nodes) if (params.has(n.id) || n.inputs.some((i) => fromParam[i])) fromParam[n.id] = 1;
  // A node gets a cotangent if the loss depends on it through differentiable edges: the walk stops at
  // stopGradient (its rule runs and returns null, so max, behind it, never gets a cotangent).
  const getsCotangent = new Uint8Array(forward.nodes.length);
  getsCotangent[lossId] = 1;
  for (let id = lossId; id >= 0; id--) {
    const n = forward.nodes[id];
    if (!getsCotangent[id] || n.op === 'stopGradient') continue;
    for (const i of n.inputs) getsCotangent[i] = 1;
  }
  const fired = new Map<string, number>();
  for (const n of forward.nodes) {
    if (n.op === 'input' || n.op === 'constant' || !fromParam[n.id] || !getsCotangent[n.id]) continue;
    fired.set(n.op, (fired.get(n.op) ?? 0) + 1);
  }
  const f = opCounts(forward);
  const t = opCounts(trainStep);
  const count = (c: Record<string, number>) =>
    Object.entries(c)
      .filter(([k]) => k !== 'input' && k !== 'constant')
      .reduce((s, [, v]) => s + v, 0);
  const firedList = [...fired].map(([op, n]) => `${op} x${n}`).join(', ');
  for (const lang of LANGS) {
    out[`vjp-fired.${lang}.txt`] = `${padCells([
      [tr(lang, '前向图：', 'forward graph:'), tr(lang, `${count(f)} 个等式`, `${count(f)} equations`)],
      [
        tr(lang, '训练步的图：', 'train-step graph:'),
        tr(
          lang,
          `${count(t)} 个等式（前向 + 反向 + 裁剪 + 更新）`,
          `${count(t)} equations (forward + backward + clipping + update)`,
        ),
      ],
      [tr(lang, '调用的求导规则：', 'VJP rules that fire:'), firedList],
    ]).join('\n')}\n`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Page 10: the CLI's own --help text.

export function cliHelp(): Record<string, string> {
  const bin = join(repoRoot, 'packages/cli/bin/rnn-scratch.js');
  const run = (args: string[]) =>
    execFileSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    })
      .split(repoRoot)
      .join('.');
  const global = run(['--help']);
  const commandsSection = global.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const commands = commandsSection
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((c) => c && c !== 'help');
  const parts = [`$ rnn-scratch --help\n${global.trimEnd()}`];
  for (const c of commands) parts.push(`$ rnn-scratch ${c} --help\n${run([c, '--help']).trimEnd()}`);
  const out: Record<string, string> = { 'cli-help.txt': `${parts.join('\n\n')}\n` };
  if (commands.includes('corpus')) out['cli-corpus.txt'] = `$ rnn-scratch corpus\n${run(['corpus'])}`;
  return out;
}

// ---------------------------------------------------------------------------------------------------

export async function generate(): Promise<Record<string, string>> {
  return {
    ...pipeline(),
    ...corpusJoins(),
    ...oneHotExample(),
    ...(await paramsExample()),
    ...(await rnnStepExample()),
    ...(await predictionText()),
    ...(await clippingText()),
    ...(await batchSizeText()),
    ...graphExample(),
    ...(await interpreterTrace()),
    ...cliHelp(),
    ...benchmarks(),
    ...renderBookCode(),
    ...(await bookCodeCheck()),
    ...(await figures()),
    ...(await cellPages()),
    ...(await exercisePages()),
    ...sweepPage(),
    'scalar-autodiff.out.txt': `${scalarAutodiffDemo()}\n`,
  };
}

/** Each generated file on disk, for the freshness test. */
export function readGenerated(name: string): string | undefined {
  try {
    return readFileSync(join(generatedDir, name), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes the generated files to generated/, only those whose content differs from what is on disk (so that an
 * unchanged file is never rewritten, e.g. while a test or a server reads it). Returns the names it wrote.
 */
export function writeGenerated(files: Record<string, string>): string[] {
  mkdirSync(generatedDir, { recursive: true });
  const changed = Object.keys(files).filter((name) => readGenerated(name) !== files[name]);
  for (const name of changed) writeFileSync(join(generatedDir, name), files[name]);
  return changed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await generate();
  const changed = writeGenerated(files);
  console.log(
    `${Object.keys(files).length} files in ${relative(repoRoot, generatedDir)}: ${changed.length === 0 ? 'none changed' : `wrote ${changed.join(', ')}`}`,
  );
}
