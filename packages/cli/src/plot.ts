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

/** The perplexity curve as a standalone SVG document. */
export function perplexitySvg(history: readonly Point[], options: { title?: string } = {}): string {
  const W = 640;
  const H = 400;
  const m = { left: 64, right: 24, top: options.title ? 40 : 20, bottom: 52 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const epochs = history.map((p) => p.epoch);
  const ppl = history.map((p) => p.perplexity);
  const x0 = history.length > 0 ? Math.min(...epochs) : 0;
  const x1 = history.length > 0 ? Math.max(...epochs) : 1;
  const xlo = x0 === x1 ? x0 - 1 : x0;
  const xhi = x0 === x1 ? x1 + 1 : x1;
  const ymaxData = history.length > 0 ? Math.max(...ppl) : 1;
  const yminData = history.length > 0 ? Math.min(...ppl) : 0;
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
  if (options.title)
    out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`);
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
    `<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">epoch</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">perplexity</text>`,
  );
  // The curve (a single epoch is a dot).
  if (history.length === 1) {
    out.push(`<circle cx="${f(sx(epochs[0]))}" cy="${f(sy(ppl[0]))}" r="3" fill="#1f77b4"/>`);
  } else if (history.length > 1) {
    const points = history.map((p) => `${f(sx(p.epoch))},${f(sy(p.perplexity))}`).join(' ');
    out.push(`<polyline points="${points}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`);
  }
  // Legend, like the animator's `legend=['train']`.
  out.push(
    `<line x1="${m.left + pw - 70}" y1="${m.top + 14}" x2="${m.left + pw - 50}" y2="${m.top + 14}" stroke="#1f77b4" stroke-width="1.5"/>`,
    `<text x="${m.left + pw - 44}" y="${m.top + 14}" dominant-baseline="middle">train</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
