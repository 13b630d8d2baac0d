// A small SVG line plot for the generated figures: several named series over epochs 1..n, linear axes with
// round ticks, a legend. Deterministic output (fixed decimals), so the generator test can compare files.

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 2'];

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n = (v: number) => v.toFixed(1);

/** An SVG line chart of `series` (x = epoch 1..n) with a title, axis labels and a legend. */
export function linePlot(o: { series: readonly Series[]; title: string; xLabel: string; yLabel: string }): string {
  const [W, H, left, right, top, bottom] = [640, 360, 56, 150, 36, 44];
  const epochs = Math.max(...o.series.map((s) => s.values.length));
  const all = o.series.flatMap((s) => s.values);
  const yTicks = ticks(Math.min(0, ...all), Math.max(...all));
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const x = (e: number) => left + ((e - 1) / Math.max(1, epochs - 1)) * (W - left - right);
  const y = (v: number) => H - bottom - ((v - y0) / (y1 - y0)) * (H - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - right / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
  ];
  for (const t of yTicks) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${n(y(t))}" y2="${n(y(t))}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 6}" y="${n(y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  for (const e of ticks(1, epochs).filter((e) => e >= 1 && e <= epochs)) {
    parts.push(`<text x="${n(x(e))}" y="${H - bottom + 16}" text-anchor="middle">${e}</text>`);
  }
  parts.push(`<text x="${W / 2 - right / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${n(x(i + 1))},${n(y(v))}`).join(' ');
    const dash = DASHES[k % DASHES.length] ? ` stroke-dasharray="${DASHES[k % DASHES.length]}"` : '';
    const color = COLORS[k % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"/>`);
    const ly = top + 10 + 20 * k;
    parts.push(
      `<line x1="${W - right + 12}" x2="${W - right + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${W - right + 42}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
