// Renders the annotated book code (annotations.ts) into one markdown fragment per function and language:
// the book's Python and our TypeScript side by side (every line has an id, so the notes can link to it),
// then a table with a note for every line of the Python, its shapes at the book's sizes and a link to the
// TypeScript line that does the same. The TypeScript comes from the real source files, found by region.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from '../paths.ts';
import { LANGS, type Lang, tr } from '../figures/svg.ts';
import { bookSizes } from '../pipeline.ts';
import { BOOK_FUNCTIONS, type BookFunction, type Listing, type Note } from './annotations.ts';

interface RegionLines {
  readonly listing: Listing;
  /** 1-based line number of the first line shown. */
  readonly start: number;
  readonly lines: string[];
}

/** The lines between `// #region name` and `// #endregion name` of a core source file. */
export function readRegion(listing: Listing): RegionLines {
  const path = join(repoRoot, 'packages/core/src', listing.file);
  const all = readFileSync(path, 'utf8').split('\n');
  const open = all.findIndex((l) => l.trim() === `// #region ${listing.region}`);
  const close = all.findIndex((l) => l.trim() === `// #endregion ${listing.region}`);
  if (open < 0 || close < open) throw new Error(`book code: no region '${listing.region}' in ${listing.file}`);
  let lines = all.slice(open + 1, close);
  // Regions inside a class are indented: show them from their own indentation.
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  lines = lines.map((l) => l.slice(indent));
  return { listing, start: open + 2, lines };
}

const pyLines = (note: Note): readonly string[] => (typeof note.py === 'string' ? [note.py] : note.py);
const asList = <T>(x: T | readonly T[] | undefined): readonly T[] =>
  x === undefined ? [] : Array.isArray(x) ? x : [x as T];

/** The whole Python listing of a function: the notes' lines joined. */
export function pythonOf(fn: BookFunction): string {
  return fn.notes.flatMap(pyLines).join('\n');
}

function renderDims(dims: string, sizes: { B: number; T: number; V: number; H: number }): string {
  if (dims === '') return '()';
  const value = (term: string) =>
    term
      .split('·')
      .map((f) => {
        const v = f === 'B' ? sizes.B : f === 'T' ? sizes.T : f === 'V' ? sizes.V : f === 'H' ? sizes.H : Number(f);
        if (!Number.isFinite(v)) throw new Error(`book code: unknown size '${f}' in '${dims}'`);
        return v;
      })
      .reduce((a, b) => a * b, 1);
  const terms = dims.split(',').map((t) => t.trim());
  const symbolic = `(${terms.join(', ')}${terms.length === 1 ? ',' : ''})`;
  const numeric = `(${terms.map((t) => value(t).toLocaleString('en-US').replace(/,/g, '')).join(', ')}${terms.length === 1 ? ',' : ''})`;
  return symbolic === numeric ? numeric : `${symbolic} = ${numeric}`;
}

const escCell = (s: string) => s.replace(/\|/g, '\\|');

interface Located {
  readonly fnId: string;
  readonly file: string;
  readonly line: number;
}

/** The id prefix of a TypeScript listing's lines: ts-<function>-<file name>-<line>. */
const tsAnchor = (fnId: string, file: string) => `ts-${fnId}-${file.replace(/^.*\//, '').replace(/\.ts$/, '')}`;

export function renderBookCode(): Record<string, string> {
  const sizes = bookSizes();
  const regions = new Map<string, RegionLines[]>();
  for (const fn of BOOK_FUNCTIONS) regions.set(fn.id, fn.listings.map(readRegion));

  /** Where a TypeScript fragment is: first in the function's own listings, then in the page's others. */
  const locate = (fn: BookFunction, fragment: string): Located => {
    const order = [fn, ...BOOK_FUNCTIONS.filter((f) => f !== fn)];
    for (const f of order) {
      for (const r of regions.get(f.id)!) {
        // A line that starts with the fragment, else one that contains it.
        let hits = r.lines.flatMap((l, i) => (l.trim().startsWith(fragment) ? [i] : []));
        if (hits.length === 0) hits = r.lines.flatMap((l, i) => (l.includes(fragment) ? [i] : []));
        if (hits.length > 1)
          throw new Error(`book code: '${fragment}' is on several lines of ${r.listing.file}#${r.listing.region}`);
        if (hits.length === 1) return { fnId: f.id, file: r.listing.file, line: r.start + hits[0] };
      }
    }
    throw new Error(`book code (${fn.name}): no TypeScript line contains '${fragment}'`);
  };

  const out: Record<string, string> = {};
  for (const lang of LANGS) {
    for (const fn of BOOK_FUNCTIONS) {
      const t = (zh: string, en: string) => tr(lang, zh, en);
      const parts: string[] = [];
      parts.push('<div class="side-by-side">', '<div>', '');
      parts.push(t('**书里的代码**（d2l-zh，PyTorch）', '**The book’s code** (d2l-zh, PyTorch)'), '');
      parts.push(`\`\`\`python anchor=py-${fn.id}`, pythonOf(fn), '```', '', '</div>', '<div>', '');
      for (const r of regions.get(fn.id)!) {
        parts.push(
          t(
            `**我们的代码**：\`packages/core/src/${r.listing.file}\``,
            `**Our code**: \`packages/core/src/${r.listing.file}\``,
          ),
          '',
        );
        parts.push(
          `\`\`\`ts anchor=${tsAnchor(fn.id, r.listing.file)}@${r.start}`,
          r.lines.join('\n').trimEnd(),
          '```',
          '',
        );
      }
      parts.push('</div>', '</div>', '');
      // The notes, one row per line (or statement) of the Python.
      parts.push(
        '<div class="annotated">',
        '',
        t('| 书里的代码 | 这一行做什么 | 我们的代码 |', '| the book’s code | what the line does | our code |'),
        '|---|---|---|',
      );
      let lineNo = 1;
      for (const note of fn.notes) {
        const lines = pyLines(note);
        const first = lineNo;
        lineNo += lines.length;
        if (lines.every((l) => l.trim() === '')) continue;
        const text = lang === 'zh' ? note.zh : note.en;
        if (!text) throw new Error(`book code (${fn.name}): line ${first} has no ${lang} note`);
        const code = lines.map((l) => l.trim()).join(' ');
        const range = lines.length > 1 ? `${first}–${first + lines.length - 1}` : String(first);
        const shapes = (note.shapes ?? [])
          .map(([what, dims]) => `${what ? `\`${what}\` ` : ''}${renderDims(dims, sizes)}`)
          .join(t('；', '; '));
        const shapeText = shapes ? `<br>${t('形状：', 'shape: ')}${shapes}` : '';
        const links = asList(note.ts)
          .map((f) => locate(fn, f))
          .map((at) => `[${at.file.split('/').pop()}:${at.line}](#${tsAnchor(at.fnId, at.file)}-${at.line})`);
        const uniqueLinks = [...new Set(links)].join('<br>') || '–';
        parts.push(
          `| [${range}](#py-${fn.id}-${first}) \`${escCell(code)}\` | ${escCell(text)}${shapeText} | ${uniqueLinks} |`,
        );
      }
      parts.push('', '</div>', '');
      out[`book-code-${fn.id}.${lang}.md`] = parts.join('\n');
    }
  }
  return out;
}
