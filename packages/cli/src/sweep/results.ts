/**
 * A sweep's results: the runs ranked by held-out perplexity (by training perplexity when no run measured a
 * held-out one), as a text table for the terminal, as `results.json`, and as `results.svg`.
 */

import { formatDuration } from '../progress.js';
import type { GridAxis } from './grid.js';
import type { RunStatus, SweepManifest, SweepRunEntry } from './manifest.js';

export type SortKey = 'validPerplexity' | 'perplexity';

export interface ResultRow {
  /** 1-based rank; runs without a result have none. */
  readonly rank: number | null;
  readonly name: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly status: RunStatus;
  readonly perplexity: number | null;
  readonly validPerplexity: number | null;
  readonly epoch: number | null;
  readonly backend: string | null;
  readonly tokensPerSec: number | null;
  readonly wallSeconds: number;
  /** The run's checkpoint folder. */
  readonly checkpoint: string;
  readonly error: string | null;
  readonly history: ReadonlyArray<Readonly<Record<string, number>>>;
}

export interface SweepResults {
  readonly format: 'rnn-scratch-sweep-results';
  readonly version: 1;
  readonly sweep: string;
  /** What the ranking sorts by: held-out perplexity when any run has one, else training perplexity. */
  readonly sortedBy: SortKey;
  readonly grid: readonly GridAxis[];
  readonly args: readonly string[];
  readonly counts: Readonly<Record<RunStatus, number>>;
  readonly runs: readonly ResultRow[];
}

/** The order of statuses in the table: results first, then what has none. */
const STATUS_ORDER: readonly RunStatus[] = ['completed', 'diverged', 'failed', 'interrupted', 'running', 'pending'];

/** Which perplexity a ranking sorts by: held-out when any run with a result has one. */
export function sortKey(entries: readonly SweepRunEntry[]): SortKey {
  return entries.some((e) => typeof e.result?.validPerplexity === 'number') ? 'validPerplexity' : 'perplexity';
}

/**
 * Rank the runs: completed runs by the sort key (lowest first; runs without that value after), then diverged
 * runs, failed, interrupted and unstarted ones; ties keep the grid's order.
 */
export function rankRuns(
  manifest: SweepManifest,
  checkpointOf: (name: string) => string,
): { sortedBy: SortKey; rows: ResultRow[] } {
  const sortedBy = sortKey(manifest.runs);
  const value = (e: SweepRunEntry) => {
    const v = e.result?.[sortedBy];
    return typeof v === 'number' && Number.isFinite(v) ? v : Infinity;
  };
  const order = manifest.runs
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        STATUS_ORDER.indexOf(a.entry.status) - STATUS_ORDER.indexOf(b.entry.status) ||
        (a.entry.status === 'completed' || a.entry.status === 'diverged' ? value(a.entry) - value(b.entry) : 0) ||
        a.index - b.index,
    );
  let rank = 0;
  const rows = order.map(({ entry }): ResultRow => {
    const r = entry.result;
    const ranked = entry.status === 'completed' || entry.status === 'diverged';
    return {
      rank: ranked ? ++rank : null,
      name: entry.name,
      settings: entry.settings,
      status: entry.status,
      perplexity: r?.perplexity ?? null,
      validPerplexity: r?.validPerplexity ?? null,
      epoch: r?.epoch ?? null,
      backend: r?.backend ?? null,
      tokensPerSec: r?.tokensPerSec ?? null,
      wallSeconds: entry.seconds,
      checkpoint: checkpointOf(entry.name),
      error: entry.error ?? null,
      history: r?.history ?? [],
    };
  });
  return { sortedBy, rows };
}

export function sweepResults(
  dir: string,
  manifest: SweepManifest,
  checkpointOf: (name: string) => string,
): SweepResults {
  const { sortedBy, rows } = rankRuns(manifest, checkpointOf);
  const counts = Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const run of manifest.runs) counts[run.status]++;
  return {
    format: 'rnn-scratch-sweep-results',
    version: 1,
    sweep: dir,
    sortedBy,
    grid: manifest.grid,
    args: manifest.args,
    counts,
    runs: rows,
  };
}

/** The line above the table that says what it is sorted by. */
export function sortedByLine(results: SweepResults): string {
  return results.sortedBy === 'validPerplexity'
    ? 'sorted by held-out perplexity (validPerplexity), lowest first'
    : 'sorted by training perplexity, lowest first (no run measured a held-out perplexity)';
}

/** A reason as the table shows it: up to its first `;` (train's messages go on with where it saved what). */
export function shortReason(error: string): string {
  const cut = error.indexOf('; ');
  return cut === -1 ? error : error.slice(0, cut);
}

/** `completed`, `diverged`, `failed: <reason>`. */
export function statusText(status: RunStatus, error: string | null | undefined): string {
  return status === 'failed' && error ? `failed: ${shortReason(error)}` : status;
}

const ppl = (v: number | null) => (v === null ? '-' : v.toFixed(v < 100 ? 3 : 1));

/** The results as a text table: one column per grid key, the perplexities, epochs, time and status. */
export function resultsTable(results: SweepResults): string {
  const keys = results.grid.map((a) => a.key);
  const withValid = results.runs.some((r) => r.validPerplexity !== null);
  const header = ['#', ...keys, ...(withValid ? ['valid ppl'] : []), 'train ppl', 'epochs', 'time', 'status'];
  const rows = results.runs.map((r) => [
    r.rank === null ? '-' : String(r.rank),
    ...keys.map((k) => r.settings[k] ?? ''),
    ...(withValid ? [ppl(r.validPerplexity)] : []),
    ppl(r.perplexity),
    r.epoch === null ? '-' : String(r.epoch),
    r.wallSeconds > 0 ? formatDuration(r.wallSeconds) : '-',
    statusText(r.status, r.error),
  ]);
  const numeric = new Set([0, ...header.map((h, i) => (/ppl|epochs|time/.test(h) ? i : -1))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [sortedByLine(results), line(header), ...rows.map(line)].join('\n');
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

const STATUS_COLOR: Readonly<Record<RunStatus, string>> = {
  completed: '#1f77b4',
  diverged: '#d62728',
  failed: '#7f7f7f',
  interrupted: '#ff7f0e',
  running: '#ff7f0e',
  pending: '#bbbbbb',
};

/**
 * The results as a standalone SVG: the table's columns (rank, settings, perplexities, epochs, status) with a
 * bar per run whose length is its perplexity (the one sorted by) above 1, the least a perplexity can be.
 */
export function resultsSvg(results: SweepResults, options: { title?: string } = {}): string {
  const keys = results.grid.map((a) => a.key);
  const withValid = results.runs.some((r) => r.validPerplexity !== null);
  const charW = 7.4;
  const rowH = 24;
  const pad = 16;
  const columns = [
    { head: '#', cell: (r: ResultRow) => (r.rank === null ? '-' : String(r.rank)), right: true },
    ...keys.map((k) => ({ head: k, cell: (r: ResultRow) => r.settings[k] ?? '', right: false })),
    ...(withValid ? [{ head: 'valid ppl', cell: (r: ResultRow) => ppl(r.validPerplexity), right: true }] : []),
    { head: 'train ppl', cell: (r: ResultRow) => ppl(r.perplexity), right: true },
    { head: 'epochs', cell: (r: ResultRow) => (r.epoch === null ? '-' : String(r.epoch)), right: true },
  ];
  const widths = columns.map((c) => Math.max(c.head.length, ...results.runs.map((r) => c.cell(r).length)) * charW);
  const barX = pad + widths.reduce((a, w) => a + w + 14, 0);
  const barW = 220;
  const statusX = barX + barW + 14;
  const statusW = Math.min(60, Math.max(6, ...results.runs.map((r) => statusText(r.status, r.error).length)));
  const width = Math.ceil(statusX + statusW * charW + pad);
  const title = options.title ?? `${results.runs.length} runs, ${sortedByLine(results)}`;
  const top = 44;
  const height = top + rowH * (results.runs.length + 1) + pad;
  const values = results.runs.map((r) => r[results.sortedBy]).filter((v): v is number => v !== null && isFinite(v));
  const max = values.length > 0 ? Math.max(...values) : 1;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad}" y="24" font-size="14" font-family="sans-serif">${escapeXml(title)}</text>`,
  ];
  const cellsAt = (y: number, texts: string[], weight = 'normal') => {
    let x = pad;
    columns.forEach((c, i) => {
      const anchor = c.right ? 'end' : 'start';
      const tx = c.right ? x + widths[i] : x;
      parts.push(
        `<text x="${tx.toFixed(1)}" y="${y}" text-anchor="${anchor}" font-weight="${weight}">${escapeXml(texts[i])}</text>`,
      );
      x += widths[i] + 14;
    });
  };
  const headY = top + rowH - 8;
  cellsAt(
    headY,
    columns.map((c) => c.head),
    'bold',
  );
  const sortedHead = results.sortedBy === 'validPerplexity' ? 'valid ppl' : 'train ppl';
  parts.push(`<text x="${barX}" y="${headY}" font-weight="bold">${sortedHead} (bar from 1)</text>`);
  parts.push(`<text x="${statusX}" y="${headY}" font-weight="bold">status</text>`);
  parts.push(
    `<line x1="${pad}" x2="${width - pad}" y1="${top + rowH - 2}" y2="${top + rowH - 2}" stroke="#888" stroke-width="1"/>`,
  );
  results.runs.forEach((r, k) => {
    const y = top + rowH * (k + 2) - 8;
    if (k % 2 === 1) {
      parts.push(
        `<rect x="${pad - 4}" y="${y - rowH + 7}" width="${width - 2 * pad + 8}" height="${rowH}" fill="#f3f3f3"/>`,
      );
    }
    cellsAt(
      y,
      columns.map((c) => c.cell(r)),
    );
    const v = r[results.sortedBy];
    if (v !== null && isFinite(v)) {
      const w = Math.max(1, ((v - 1) / Math.max(1e-9, max - 1)) * barW);
      parts.push(
        `<rect x="${barX}" y="${y - 12}" width="${w.toFixed(1)}" height="14" fill="${STATUS_COLOR[r.status]}"/>`,
      );
    }
    const status = statusText(r.status, r.error);
    const shown = status.length > statusW ? `${status.slice(0, statusW - 1)}…` : status;
    parts.push(
      `<text x="${statusX}" y="${y}" fill="${r.status === 'completed' ? '#222' : STATUS_COLOR[r.status]}">${escapeXml(shown)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
