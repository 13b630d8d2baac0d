// A few helpers that write the docs' figures as plain SVG text. Every figure is generated from real
// computations by `npm run gen` and embedded inline in the page, so its text uses the page's fonts and its
// colours follow the light and dark themes (the classes are styled in .vitepress/theme/figures.css).
//
// Output must be byte-for-byte reproducible (the generator test compares it): numbers are written with a
// fixed number of decimals and nothing depends on the clock or the platform.

export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];

/** Pick the text of one language. */
export const tr = (lang: Lang, zh: string, en: string): string => (lang === 'zh' ? zh : en);

/** Escape text for SVG/HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most one decimal (stable text, small files). */
export const n = (x: number): string => {
  const r = Math.round(x * 10) / 10;
  return String(Object.is(r, -0) ? 0 : r);
};

/** A number for a label: fixed decimals, a real minus sign. */
export const num = (x: number, digits = 2): string => {
  const s = (Object.is(x, -0) ? 0 : x).toFixed(digits);
  return s.startsWith('-') ? `\u2212${s.slice(1)}` : s;
};

/** A vector for a label: [0.46, −0.10]. */
export const vecLabel = (xs: ArrayLike<number>, digits = 2): string =>
  `[${Array.from(xs, (x) => num(x, digits)).join(', ')}]`;

/** Rough text width in user units: CJK characters are about 1 em, others about 0.6 em (0.62 for mono). */
export function textWidth(s: string, size: number, mono = false): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]/.test(ch) ? 1 : mono ? 0.62 : 0.56;
  return w * size;
}

type Attrs = Record<string, string | number | undefined>;

const attrs = (a: Attrs): string =>
  Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? n(v) : esc(String(v))}"`)
    .join('');

export const el = (tag: string, a: Attrs, children?: string | string[]): string => {
  const inner = Array.isArray(children) ? children.join('') : (children ?? '');
  return inner === '' && tag !== 'text' && tag !== 'tspan'
    ? `<${tag}${attrs(a)}/>`
    : `<${tag}${attrs(a)}>${inner}</${tag}>`;
};

export const text = (x: number, y: number, s: string, a: Attrs = {}): string => el('text', { x, y, ...a }, esc(s));
export const line = (x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): string =>
  el('line', { x1, y1, x2, y2, ...a });
export const rect = (x: number, y: number, w: number, h: number, a: Attrs = {}): string =>
  el('rect', { x, y, width: w, height: h, ...a });
export const path = (d: string, a: Attrs = {}): string => el('path', { d, ...a });
export const group = (a: Attrs, children: string[]): string => el('g', a, children);

/** An arrow from (x1, y1) to (x2, y2), with its head at the end. */
export function arrow(x1: number, y1: number, x2: number, y2: number, cls = 'arrow'): string {
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const ux = (x2 - x1) / len;
  const uy = (y2 - y1) / len;
  const hx = x2 - ux * 7;
  const hy = y2 - uy * 7;
  const head = `M${n(x2)},${n(y2)} L${n(hx - uy * 3.5)},${n(hy + ux * 3.5)} L${n(hx + uy * 3.5)},${n(hy - ux * 3.5)} Z`;
  return group({ class: cls }, [line(x1, y1, hx, hy), path(head)]);
}

/** A curved or bent connector along `d`, with an arrow head at (x, y) pointing in direction (dx, dy). */
export function connector(d: string, end: { x: number; y: number; dx: number; dy: number }, cls = ''): string {
  const len = Math.hypot(end.dx, end.dy) || 1;
  const ux = end.dx / len;
  const uy = end.dy / len;
  const hx = end.x - ux * 7;
  const hy = end.y - uy * 7;
  const head = `M${n(end.x)},${n(end.y)} L${n(hx - uy * 3.5)},${n(hy + ux * 3.5)} L${n(hx + uy * 3.5)},${n(hy - ux * 3.5)} Z`;
  return group({ class: `arrow ${cls}`.trim() }, [path(d, { class: `link ${cls}`.trim() }), path(head)]);
}

export interface FigureOptions {
  /** Stable id: the file is `fig-<id>.<lang>.svg` and the figure carries data-fig="<id>". */
  readonly id: string;
  readonly lang: Lang;
  readonly width: number;
  readonly height: number;
  /** Short accessible title (read by screen readers, shown as a tooltip). */
  readonly title: string;
  /** The caption under the figure (HTML: escape it, `<code>` is allowed). */
  readonly caption: string;
  readonly body: string[];
  /** Largest width at which the figure is shown, in CSS px (default: the column's width). */
  readonly maxWidth?: number;
}

/**
 * A whole figure: `<figure>` with an inline SVG and a caption, on lines without blank lines, so that the
 * markdown include passes it through as one HTML block.
 */
export function figure(o: FigureOptions): string {
  const style = o.maxWidth ? ` style="--fig-max: ${o.maxWidth}px"` : '';
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-labelledby="fig-${o.id}-title">`,
    `<title id="fig-${o.id}-title">${esc(o.title)}</title>`,
    ...o.body,
    '</svg>',
  ].join('\n');
  const out = [
    `<figure class="fig" data-fig="${o.id}"${style}>`,
    svg,
    `<figcaption>${o.caption}</figcaption>`,
    '</figure>',
  ].join('\n');
  if (/\n\s*\n/.test(out)) throw new Error(`figure ${o.id}: a blank line would end the HTML block`);
  if (out.includes('{{')) throw new Error(`figure ${o.id}: "{{" would be read as a Vue interpolation`);
  return `${out}\n`;
}

/** Round numbers for an axis from 0 (or lo) to about hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export interface Series {
  readonly label: string;
  /** y values at x = 1, 2, ... (epochs). */
  readonly values: readonly number[];
  /** Colour class: s0 .. s4 (themed), `bad` for the wrong one. */
  readonly cls: string;
  readonly dashed?: boolean;
}

export interface PlotOptions {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly series: readonly Series[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yMin?: number;
  readonly yMax?: number;
  /** A dashed horizontal reference line with its label (e.g. the uniform guess, theta). */
  readonly reference?: { readonly y: number; readonly label: string };
  /** Where the legend goes inside the plot. */
  readonly legend?: 'top-right' | 'bottom-left' | 'top-left';
}

/** A line plot of per-epoch values with axes, ticks, a legend and an optional reference line. */
export function linePlot(o: PlotOptions): string[] {
  const left = o.x + 44;
  const right = o.x + o.width - 8;
  const top = o.y + 26;
  const bottom = o.y + o.height - 34;
  const xsMax = Math.max(...o.series.map((s) => s.values.length));
  const all = o.series.flatMap((s) => s.values).concat(o.reference ? [o.reference.y] : []);
  const yMin = o.yMin ?? 0;
  const yMax = o.yMax ?? Math.max(...all) * 1.05;
  const sx = (e: number) => left + ((e - 1) / Math.max(xsMax - 1, 1)) * (right - left);
  const sy = (v: number) => bottom - ((v - yMin) / (yMax - yMin)) * (bottom - top);
  const out: string[] = [];
  for (const t of niceTicks(yMin, yMax, 5)) {
    out.push(line(left, sy(t), right, sy(t), { class: 'grid' }));
    out.push(text(left - 6, sy(t) + 4, String(t), { class: 'tick', 'text-anchor': 'end' }));
  }
  for (const t of [1, ...niceTicks(0, xsMax, 6).filter((v) => v >= 2 && Number.isInteger(v))]) {
    out.push(line(sx(t), bottom, sx(t), bottom + 4, { class: 'axis' }));
    out.push(text(sx(t), bottom + 16, String(t), { class: 'tick', 'text-anchor': 'middle' }));
  }
  out.push(line(left, bottom, right, bottom, { class: 'axis' }), line(left, top, left, bottom, { class: 'axis' }));
  out.push(text((left + right) / 2, o.y + o.height - 4, o.xLabel, { class: 'label', 'text-anchor': 'middle' }));
  out.push(text(o.x + 2, o.y + 12, o.yLabel, { class: 'label' }));
  if (o.reference) {
    out.push(line(left, sy(o.reference.y), right, sy(o.reference.y), { class: 'ref' }));
    out.push(text(right - 4, sy(o.reference.y) - 5, o.reference.label, { class: 'note', 'text-anchor': 'end' }));
  }
  for (const s of o.series) {
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${n(sx(i + 1))},${n(sy(v))}`).join(' ');
    out.push(path(d, { class: `curve ${s.cls}${s.dashed ? ' dashed' : ''}` }));
    const last = s.values.length;
    out.push(el('circle', { cx: sx(last), cy: sy(s.values[last - 1]), r: 3, class: `dot ${s.cls}` }));
  }
  // Legend: one line per series.
  const lw = Math.max(...o.series.map((s) => textWidth(s.label, 12))) + 34;
  const pos = o.legend ?? 'top-right';
  const lx = pos === 'top-right' ? right - lw - 4 : left + 10;
  const below = o.reference ? sy(o.reference.y) + 22 : top + 12;
  let ly = pos === 'bottom-left' ? bottom - 10 - 18 * o.series.length + 12 : Math.max(top + 12, below);
  out.push(rect(lx - 6, ly - 12, lw + 8, 18 * o.series.length + 6, { class: 'legend-box', rx: 4 }));
  for (const s of o.series) {
    out.push(line(lx, ly - 4, lx + 22, ly - 4, { class: `curve ${s.cls}${s.dashed ? ' dashed' : ''}` }));
    out.push(text(lx + 28, ly, s.label, { class: 'legend' }));
    ly += 18;
  }
  return out;
}
