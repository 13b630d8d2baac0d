// Generated content of the GRU and LSTM pages (d2l 9.1, 9.2): the gates' parameters and shapes at the book's
// sizes, and the three cells trained on the same data with the same settings (perplexity per epoch, how often
// clipping fired), on the reference backend.

import {
  BOOK_DEFAULTS,
  type CellName,
  CELLS,
  type ModelSpec,
  initState,
  numParams,
  paramShapes,
  runConfig,
} from '@rnn-scratch/core';
import { lineChartSvg } from '@rnn-scratch/cli';
import { SMALL_RUN, epochCurve, smallRun } from './small-runs.ts';

/** The book's chapter-9 sizes: V = 28, H = 256, B = 32, T = 35. */
const BOOK9 = { vocabSize: 28, numHiddens: 256, batchSize: BOOK_DEFAULTS.batchSize, numSteps: BOOK_DEFAULTS.numSteps };

const count = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);
const shape = (s: readonly number[]) => `(${s.join(', ')})`;

/** The parameters of one cell at the book's sizes, and the shapes of one time step's values. */
function shapesText(cell: CellName): string {
  const spec: ModelSpec = { vocabSize: BOOK9.vocabSize, numHiddens: BOOK9.numHiddens, cell };
  const { batchSize: B, numHiddens: H } = BOOK9;
  const shapes = paramShapes(spec);
  const lines = [
    `${cell}, V=${BOOK9.vocabSize}, H=${H}, B=${B}, T=${BOOK9.numSteps}`,
    '',
    'parameter  shape        count',
  ];
  for (const [name, s] of Object.entries(shapes)) {
    lines.push(`${name.padEnd(10)} ${shape(s).padEnd(12)} ${count(s).toLocaleString('en-US').padStart(6)}`);
  }
  lines.push(`${'total'.padEnd(23)} ${numParams(spec).toLocaleString('en-US').padStart(7)}`, '');
  const gates = CELLS[cell].gates.map((g) => `X_t W_x${g}`).join(', ');
  lines.push(`one time step: ${gates}: each ${shape([B, H])} (a row of W_x* per token)`);
  const state = CELLS[cell].state;
  lines.push(
    `state (${state.join(', ')}${state.length === 1 ? ',' : ''}): ${state.map(() => shape([B, H])).join(' and ')}`,
  );
  lines.push(`the training loop carries it as one tensor of shape ${shape(initState(spec, B).shape)}`);
  return `${lines.join('\n')}\n`;
}

/** Train each cell with the same settings from the same seed; perplexity per epoch and clipping counts. */
async function trainCells(): Promise<Record<CellName, { history: number[]; norms: number[] }>> {
  const out = {} as Record<CellName, { history: number[]; norms: number[] }>;
  for (const cell of ['rnn', 'gru', 'lstm'] as const) {
    const r = await smallRun({ cell });
    out[cell] = { history: r.history, norms: r.norms.flat() };
  }
  return out;
}

export async function cellPages(): Promise<Record<string, string>> {
  const runs = await trainCells();
  const { numHiddens, batchSize, numSteps, maxTokens, numEpochs: epochs } = { ...runConfig(), ...SMALL_RUN };
  const { lr, theta, seed } = runConfig();
  const setting = `H=${numHiddens}, B=${batchSize}, T=${numSteps}, first ${maxTokens} characters, lr=${lr}, theta=${theta}, sequential, seed ${seed}, reference backend`;
  const shown = [1, 5, 10, 20, epochs];
  const cells = ['rnn', 'gru', 'lstm'] as const;
  const table = [
    setting,
    '',
    `epoch ${cells.map((c) => c.padStart(8)).join('')}`,
    ...shown.map(
      (e) => `${String(e).padStart(5)} ${cells.map((c) => runs[c].history[e - 1].toFixed(2).padStart(8)).join('')}`,
    ),
    '',
    `minibatches clipped (global norm > theta), of ${runs.rnn.norms.length}:`,
    ...cells.map((c) => {
      const n = runs[c].norms;
      return `  ${c.padEnd(5)} ${String(n.filter((x) => x > theta).length).padStart(4)}, largest norm ${Math.max(...n).toFixed(2)}`;
    }),
  ];
  const series = cells.map((c) => epochCurve(c, runs[c].history));
  return {
    'gru-shapes.txt': shapesText('gru'),
    'lstm-shapes.txt': shapesText('lstm'),
    'cells-training.txt': `${table.join('\n')}\n`,
    'cells-perplexity.en.svg': lineChartSvg(series, {
      title: `rnn, gru, lstm on the same data (H=${numHiddens}, B=${batchSize}, T=${numSteps})`,
      xLabel: 'epoch',
      yLabel: 'training perplexity',
    }),
    'cells-perplexity.zh.svg': lineChartSvg(series, {
      title: `同样的数据上的 rnn、gru、lstm（H=${numHiddens}，B=${batchSize}，T=${numSteps}）`,
      xLabel: '轮次',
      yLabel: '训练困惑度',
    }),
  };
}
