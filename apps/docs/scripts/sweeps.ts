// Page 15 (sweeps on many machines): a real small sweep, run with the real CLI, its ranked result table as
// text and as a figure. The sweep runs locally (child processes); test/sweeps.test.ts runs the very same
// sweep through a redis-server and two `rnn-scratch worker` processes and checks that it gives this table.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { LANGS, type Lang, esc, figure, group, line, rect, text, tr } from './figures/svg.ts';
import { repoRoot } from './paths.ts';

/** The sweep the page shows: the grid, and the flags every run gets (small, on the reference backend). */
export const SWEEP_GRID = ['--grid', 'lr=0.5,1,2', '--grid', 'num-hiddens=16,32'] as const;
export const SWEEP_FLAGS = [
  ...['--epochs', '20', '--max-tokens', '2000', '--valid-tokens', '500'],
  ...['--batch-size', '8', '--num-steps', '10', '--backend', 'reference'],
] as const;

/** The rows of `results.json` that the page shows. */
export interface SweepRow {
  readonly rank: number | null;
  readonly settings: Readonly<Record<string, string>>;
  readonly validPerplexity: number | null;
  readonly perplexity: number | null;
  readonly epoch: number | null;
  readonly status: string;
}

export interface SweepResultsJson {
  readonly sortedBy: string;
  readonly runs: readonly SweepRow[];
}

export const BIN = join(repoRoot, 'packages/cli/bin/rnn-scratch.js');

/** Run the page's sweep with the real CLI, here, with extra flags (`--jobs 2`, or `--queue URL`). */
export function runPageSweep(extra: readonly string[], env: NodeJS.ProcessEnv = process.env): SweepResultsJson {
  const out = mkdtempSync(join(tmpdir(), 'rnn-scratch-docs-sweep-'));
  try {
    const args = [BIN, 'sweep', ...SWEEP_GRID, ...SWEEP_FLAGS, ...extra, '--out', join(out, 's'), '--json'];
    return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', env })) as SweepResultsJson;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const ppl = (v: number | null) => (v === null ? '-' : v.toFixed(3));

/** The ranked table as text (the CLI's table without its time column, which differs from run to run). */
export function sweepTable(results: SweepResultsJson): string {
  const head = ['#', 'lr', 'num-hiddens', 'valid ppl', 'train ppl', 'epochs', 'status'];
  const rows = results.runs.map((r) => [
    r.rank === null ? '-' : String(r.rank),
    r.settings.lr,
    r.settings['num-hiddens'],
    ppl(r.validPerplexity),
    ppl(r.perplexity),
    String(r.epoch ?? '-'),
    r.status,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const right = new Set([0, 3, 4, 5]);
  const cells = (row: string[]) =>
    row
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[`sorted by ${results.sortedBy}, lowest first`, cells(head), ...rows.map(cells)].join('\n')}\n`;
}

/** The command as a person types it, through a queue. */
function commandText(): string {
  const flags = [...SWEEP_GRID, ...SWEEP_FLAGS].join(' ').replace(/ --(?=batch-size)/, ' \\\n    --');
  return `rnn-scratch sweep ${flags} \\\n    --queue redis://127.0.0.1:6379/sweeps --out sweeps/lr-h\n`;
}

/** The result table as a figure: a bar per run from 1 (the least a perplexity can be) to its held-out one. */
export function sweepFigure(results: SweepResultsJson, lang: Lang): string {
  const rows = results.runs;
  const width = 640;
  const rowH = 26;
  const top = 34;
  const height = top + rowH * rows.length + 34;
  const barX = 250;
  const barW = 260;
  const values = rows.map((r) => r.validPerplexity ?? 1);
  const max = Math.max(...values);
  // The bars start a whole number below the smallest value (the header says where), so differences show.
  const from = Math.max(1, Math.floor(Math.min(...values)) - 1);
  const x = (v: number) => barX + ((v - from) / (max - from)) * barW;
  const bestTrain = Math.min(...rows.map((r) => r.perplexity ?? Infinity));
  const bestTrainFirst = rows[0]?.perplexity === bestTrain;
  const head = group({ class: 'head' }, [
    text(20, 22, '#', { class: 'label' }),
    text(50, 22, 'lr', { class: 'label' }),
    text(100, 22, 'num-hiddens', { class: 'label' }),
    text(barX, 22, tr(lang, `留出困惑度（条形从 ${from} 画起）`, `held-out perplexity (bars from ${from})`), {
      class: 'label',
    }),
    text(width - 20, 22, tr(lang, '训练困惑度', 'training ppl'), { class: 'label', 'text-anchor': 'end' }),
  ]);
  const body = rows.map((r, i) => {
    const y = top + i * rowH;
    const v = r.validPerplexity ?? 1;
    const best = r.perplexity === bestTrain;
    return group({ class: 'row' }, [
      text(20, y + 17, String(r.rank ?? '-'), { class: 'mono' }),
      text(50, y + 17, r.settings.lr, { class: 'mono' }),
      text(100, y + 17, r.settings['num-hiddens'], { class: 'mono' }),
      rect(barX, y + 5, Math.max(1, x(v) - barX), rowH - 10, { class: i === 0 ? 'solid0' : 'fill0' }),
      text(x(v) + 6, y + 17, ppl(r.validPerplexity), { class: 'mono small' }),
      text(width - 20, y + 17, ppl(r.perplexity), {
        class: best ? 'mono strong c1' : 'mono',
        'text-anchor': 'end',
      }),
    ]);
  });
  const foot = text(
    20,
    height - 10,
    bestTrainFirst
      ? tr(
          lang,
          '按留出困惑度排名；训练困惑度最低的一次（橙色）也排在第一。',
          'Ranked by held-out perplexity; the run with the lowest training perplexity (orange) is also the first.',
        )
      : tr(
          lang,
          '按留出困惑度排名；训练困惑度最低的一次（橙色）并不是排名第一的一次。',
          'Ranked by held-out perplexity; the run with the lowest training perplexity (orange) is not the first.',
        ),
    { class: 'note' },
  );
  return figure({
    id: 'sweep-results',
    lang,
    width,
    height,
    title: tr(lang, `一次 ${rows.length} 个运行的扫描的结果表`, `The result table of a ${rows.length}-run sweep`),
    body: [head, line(20, top - 2, width - 20, top - 2, { class: 'grid' }), ...body, foot],
    caption: tr(
      lang,
      `<code>${esc(`rnn-scratch sweep ${SWEEP_GRID.join(' ')}`)}</code>，每次运行都带 <code>${esc(SWEEP_FLAGS.join(' '))}</code>。本地跑，和经由 Redis 交给两个 worker 跑，得到的是同一张表（有测试检查）。`,
      `<code>${esc(`rnn-scratch sweep ${SWEEP_GRID.join(' ')}`)}</code>, every run with <code>${esc(SWEEP_FLAGS.join(' '))}</code>. Run locally, and through Redis on two workers, it gives the same table (a test checks it).`,
    ),
  });
}

/** The page's generated files: the command, the table and the figure in both languages. */
export function sweepPage(): Record<string, string> {
  const results = runPageSweep(['--jobs', '2']);
  const out: Record<string, string> = {
    'sweep-command.txt': commandText(),
    'sweep-results.txt': sweepTable(results),
  };
  for (const lang of LANGS) out[`fig-sweep-results.${lang}.svg`] = sweepFigure(results, lang);
  return out;
}
