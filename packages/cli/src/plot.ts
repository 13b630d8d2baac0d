/**
 * The perplexity curve: an SVG like the book's animator (epoch vs perplexity, axes, ticks, labels), written
 * next to the checkpoint, and a one-line text sparkline for the terminal.
 */

export interface Point {
  readonly epoch: number;
  readonly perplexity: number;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A text sparkline of `values`, at most `width` characters (longer series are averaged into buckets). */
export function sparkline(values: readonly number[], width = 60): string {
  if (values.length === 0) return '';
  const n = Math.min(width, values.length);
  const buckets: number[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((i + 1) * values.length) / n));
    const slice = values.slice(from, to);
    buckets.push(slice.reduce((a, b) => a + b, 0) / slice.length);
  }
  const lo = Math.min(...buckets);
  const hi = Math.max(...buckets);
  return buckets
    .map((v) => BARS[hi === lo ? 0 : Math.min(BARS.length - 1, Math.floor(((v - lo) / (hi - lo)) * BARS.length))])
    .join('');
}

/** "Nice" tick values (1, 2, 5 x 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** One named curve of a line chart. */
export interface Series {
  readonly label: string;
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2'];

/**
 * A line chart as a standalone SVG document, like the book's animator: axes with round ticks, a grid, one
 * curve per series (a single point is a dot) and a legend. Deterministic output (fixed decimals).
 */
export function lineChartSvg(
  series: readonly Series[],
  options: { title?: string; xLabel?: string; yLabel?: string } = {},
): string {
  const { title, xLabel = 'epoch', yLabel = 'perplexity' } = options;
  const W = 640;
  const H = 400;
  const m = { left: 64, right: 24, top: title ? 40 : 20, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const x0 = all.length > 0 ? Math.min(...xs) : 0;
  const x1 = all.length > 0 ? Math.max(...xs) : 1;
  const [xlo, xhi] = x0 === x1 ? [x0 - 1, x1 + 1] : [x0, x1];
  const ymaxData = all.length > 0 ? Math.max(...ys) : 1;
  const yminData = all.length > 0 ? Math.min(...ys) : 0;
  // Like d2l's plots: a linear axis from (just under) the lowest value to the highest.
  const ylo = Math.max(0, Math.floor(yminData) - (yminData === ymaxData ? 1 : 0));
  const yhi = ymaxData === ylo ? ylo + 1 : ymaxData;
  const sx = (x: number) => m.left + ((x - xlo) / (xhi - xlo)) * pw;
  const sy = (y: number) => m.top + ph - ((y - ylo) / (yhi - ylo)) * ph;
  const f = (v: number) => v.toFixed(1);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  );
  if (title) out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`);
  // Grid and ticks.
  for (const t of niceTicks(xlo, xhi, 8).filter((t) => Number.isInteger(t))) {
    const x = f(sx(t));
    out.push(
      `<line x1="${x}" y1="${m.top}" x2="${x}" y2="${m.top + ph}" stroke="#e5e5e5"/>`,
      `<line x1="${x}" y1="${m.top + ph}" x2="${x}" y2="${m.top + ph + 5}" stroke="black"/>`,
      `<text x="${x}" y="${m.top + ph + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of niceTicks(ylo, yhi, 6)) {
    const y = f(sy(t));
    out.push(
      `<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="#e5e5e5"/>`,
      `<line x1="${m.left - 5}" y1="${y}" x2="${m.left}" y2="${y}" stroke="black"/>`,
      `<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
    );
  }
  // Axes and labels.
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const dash = DASHES[k % DASHES.length] ? ` stroke-dasharray="${DASHES[k % DASHES.length]}"` : '';
    if (s.points.length === 1) {
      out.push(`<circle cx="${f(sx(s.points[0].x))}" cy="${f(sy(s.points[0].y))}" r="3" fill="${color}"/>`);
    } else if (s.points.length > 1) {
      const points = s.points.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ');
      out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    }
    // Legend, like the animator's `legend=['train', ...]`, top right.
    const y = m.top + 14 + 18 * k;
    out.push(
      `<line x1="${m.left + pw - 110}" y1="${y}" x2="${m.left + pw - 90}" y2="${y}" stroke="${color}" stroke-width="1.5"${dash}/>`,
      `<text x="${m.left + pw - 84}" y="${y}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}

/** A run's perplexity curve (and its held-out perplexity, where the history has it) as an SVG document. */
export function perplexitySvg(
  history: ReadonlyArray<Point & { readonly validPerplexity?: number }>,
  options: { title?: string } = {},
): string {
  const series: Series[] = [{ label: 'train', points: history.map((p) => ({ x: p.epoch, y: p.perplexity })) }];
  const held = history.flatMap((p) => (p.validPerplexity === undefined ? [] : [{ x: p.epoch, y: p.validPerplexity }]));
  if (held.length > 0) series.push({ label: 'held-out', points: held });
  return lineChartSvg(series, options);
}
