// Structure and freshness of the pages themselves: both languages have the same pages, every page has
// a freshness date and (for pages 0-9) the house structure, every embedded listing and include points at
// a file and region that exist (VitePress silently embeds the WHOLE file when a region is missing),
// every graph equation the prose quotes is in the generated graph, and every API name the reference
// lists is really exported. Also: the Chinese pages use Chinese quotation marks, every figure is shown in
// its own language, the annotated book code covers every line of every function of 8.5, and no measured
// number in the prose is typed by hand (each must be one the generator wrote).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BOOK_FUNCTIONS, type Note } from '../scripts/book-code/annotations';
import { contentDir, docsRoot, pageFiles } from './helpers';

const langs = ['zh', 'en'] as const;
const pagePath = (lang: 'zh' | 'en', file: string) =>
  lang === 'zh' ? join(contentDir, file) : join(contentDir, 'en', file);
const read = (lang: 'zh' | 'en', file: string) => readFileSync(pagePath(lang, file), 'utf8');

const SECTIONS = {
  zh: ['## 目标', '## 数学：用大白话说', '## 代码', '## 例子：真实的数字', '## 动手运行', '## 小结', '## 练习'],
  en: [
    '## Goal',
    '## The math in plain words',
    '## The code',
    '## Worked example',
    '## Run it',
    '## Summary',
    '## Exercises',
  ],
};

/** `<<< @/path#region` and `<!--@include: @/path-->` references of a page (`@` is srcDir = content/). */
function references(text: string): { kind: 'snippet' | 'include'; raw: string; file: string; region?: string }[] {
  const out: { kind: 'snippet' | 'include'; raw: string; file: string; region?: string }[] = [];
  for (const m of text.matchAll(/^<<<\s+(\S+)/gm)) {
    const [path, region] = m[1].replace(/\{[^}]*\}$/, '').split('#');
    out.push({ kind: 'snippet', raw: m[1], file: resolve(path.replace(/^@/, contentDir)), region });
  }
  for (const m of text.matchAll(/<!--\s*@include:\s*(.*?)\s*-->/g)) {
    const path = m[1];
    out.push({
      kind: 'include',
      raw: path,
      file: path.startsWith('@') ? join(contentDir, path.slice(path[1] === '/' ? 2 : 1)) : path,
    });
  }
  return out;
}

const generatedDir = join(docsRoot, 'generated');

/** The prose of a page: without frontmatter, fenced code, embedded listings, includes and scripts. */
function prose(text: string): string {
  return text
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/^<<<.*$/gm, '')
    .replace(/<script[\s\S]*?<\/script>/g, '');
}

/** Numbers that look measured: with a decimal point, with thousands separators, percentages, and any
 * number of three digits or more. (Small whole numbers are settings and counts: 28, 35, page 7.) */
const MEASURED =
  /(?<![\w.])-?\d{1,3}(?:,\d{3})+(?!\d)|(?<![\w.])-?\d+\.\d+(?!\d)|(?<![\w.])\d+(?:\.\d+)?%|(?<![\w.,-])\d{3,}(?![\w.,-])/g;

const valueOf = (s: string): number => {
  const v = Number(s.replace(/,/g, '').replace('%', ''));
  return s.endsWith('%') ? v / 100 : v;
};

describe('docs content', () => {
  it('both languages have the same pages', () => {
    expect(pageFiles('en')).toEqual(pageFiles('zh'));
    expect(pageFiles('zh').length).toBeGreaterThanOrEqual(12);
  });

  for (const lang of langs) {
    for (const file of pageFiles(lang)) {
      describe(`${lang}/${file}`, () => {
        const text = read(lang, file);

        it('has a freshness date that is not in the future', () => {
          const m = /^---\n(?:.*\n)*?verified: '?(\d{4}-\d{2}-\d{2})'?\n(?:.*\n)*?---\n/.exec(text);
          expect(m, 'frontmatter `verified: YYYY-MM-DD`').not.toBeNull();
          const date = new Date(`${m![1]}T00:00:00Z`);
          expect(Number.isNaN(date.getTime())).toBe(false);
          expect(date.getTime()).toBeLessThanOrEqual(Date.now());
        });

        if (/^0\d-/.test(file)) {
          it('follows goal -> math -> code -> worked example -> run it -> summary -> exercises', () => {
            const positions = SECTIONS[lang].map((h) => text.indexOf(`\n${h}\n`));
            expect(
              positions.every((p) => p >= 0),
              `missing one of ${SECTIONS[lang].join(', ')}`,
            ).toBe(true);
            expect([...positions].sort((a, b) => a - b)).toEqual(positions);
          });
        }

        it('every embedded listing and include exists, with its region', () => {
          for (const ref of references(text)) {
            expect(existsSync(ref.file), `${ref.raw} -> ${ref.file}`).toBe(true);
            if (ref.region) {
              const lines = readFileSync(ref.file, 'utf8')
                .split('\n')
                .map((l) => l.trim());
              const start = lines.findIndex((l) => new RegExp(`^// ?#?region ${ref.region}$`).test(l));
              const end = lines.findIndex((l) => new RegExp(`^// ?#?endregion ${ref.region}$`).test(l));
              expect(start, `${ref.raw}: no "// #region ${ref.region}" in ${ref.file}`).toBeGreaterThanOrEqual(0);
              expect(end, `${ref.raw}: no "// #endregion ${ref.region}" in ${ref.file}`).toBeGreaterThan(start);
            }
          }
        });

        if (lang === 'en') {
          it('has no Chinese text left in the English page', () => {
            expect(text.match(/[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+/g) ?? []).toEqual([]);
          });
        } else {
          it('is written in Chinese', () => {
            expect((text.match(/[\u4e00-\u9fff]/g) ?? []).length).toBeGreaterThan(100);
          });
        }
      });
    }
  }

  it('page 8 quotes only equations that are in the generated train-step graph', () => {
    const graph = readFileSync(join(docsRoot, 'generated/graph-train-step.txt'), 'utf8');
    for (const lang of langs) {
      const quoted = [...read(lang, '08-autodiff.md').matchAll(/`([a-z]{1,2}:[fi]32\[[^`]*)`/g)].map((m) => m[1]);
      expect(quoted.length).toBeGreaterThanOrEqual(10);
      for (const eqn of quoted)
        expect(graph, `${lang}: "${eqn}" is not in generated/graph-train-step.txt`).toContain(`    ${eqn}\n`);
    }
  });

  it('page 10 lists only names its modules really export', async () => {
    const modules: Record<string, Record<string, unknown>> = {
      '@rnn-scratch/core': await import('@rnn-scratch/core'),
      '@rnn-scratch/core/node': await import('@rnn-scratch/core/node'),
      '@rnn-scratch/core/testing': await import('@rnn-scratch/core/testing'),
      '@rnn-scratch/core/conformance': await import('@rnn-scratch/core/conformance'),
    };
    for (const lang of langs) {
      const sections = read(lang, '10-cli-api.md')
        .split(/\n### /)
        .slice(1);
      let checked = 0;
      for (const section of sections) {
        const mod = /^`(@rnn-scratch\/core[^`]*)`/.exec(section)?.[1];
        if (!mod) continue;
        const names = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
        expect(names.length, `${lang}: table of ${mod}`).toBeGreaterThan(0);
        for (const name of names) {
          expect(modules[mod][name], `${lang}: ${mod} does not export ${name}`).toBeDefined();
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
    }
  });

  it('the Chinese pages quote with “…”, not with ASCII double quotes', () => {
    for (const file of pageFiles('zh')) {
      const text = prose(read('zh', file))
        .replace(/`[^`\n]*`/g, '') // inline code
        .replace(/<[^>]+>/g, '') // HTML tags and their attributes
        .replace(/\$\$[\s\S]*?\$\$|\$[^$\n]+\$/g, ''); // maths
      const lines = text.split('\n').filter((l) => l.includes('"'));
      expect(lines, `zh/${file}`).toEqual([]);
    }
  });

  it('every measured number in the prose is one that the generator computed (none typed by hand)', () => {
    const minus = (s: string) => s.replace(/\u2212/g, '-');
    const generated = readdirSync(generatedDir)
      .map((f) => minus(readFileSync(join(generatedDir, f), 'utf8')))
      .join('\n');
    const known = [...generated.matchAll(/-?\d[\d,]*(?:\.\d+)?%?/g)].map((m) => valueOf(m[0]));
    const unchecked: string[] = [];
    let checked = 0;
    for (const lang of langs) {
      for (const file of pageFiles(lang)) {
        const text = minus(prose(read(lang, file)));
        for (const m of text.matchAll(MEASURED)) {
          const s = m[0];
          const decimals = (s.split('.')[1] ?? '').replace('%', '').length + (s.endsWith('%') ? 2 : 0);
          const v = valueOf(s);
          // The same number, or the same one rounded to the decimals the prose shows.
          if (
            !known.some((k) => Math.abs(k - v) < 0.5 * 10 ** -decimals + 1e-12 && (decimals > 0 || Number.isInteger(k)))
          ) {
            unchecked.push(
              `${lang}/${file}: ${s} in "…${text.slice(Math.max(0, m.index - 30), m.index + 20).replace(/\n/g, ' ')}…"`,
            );
          }
          checked++;
        }
      }
    }
    expect(unchecked, 'numbers in the prose that no generated file contains').toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('at least 8 generated figures per language, each shown on a page of its own language', () => {
    for (const lang of langs) {
      const figures = readdirSync(generatedDir).filter((f) => f.startsWith('fig-') && f.endsWith(`.${lang}.svg`));
      expect(figures.length, lang).toBeGreaterThanOrEqual(8);
      const pages = pageFiles(lang).map((f) => read(lang, f));
      for (const fig of figures) {
        expect(
          pages.some((p) => p.includes(`<!--@include: @/../generated/${fig}-->`)),
          `${fig} is not included by any ${lang} page`,
        ).toBe(true);
      }
      for (const [i, page] of pages.entries()) {
        for (const m of page.matchAll(/generated\/fig-[\w-]+\.(\w+)\.svg/g)) {
          expect(m[1], `${lang}/${pageFiles(lang)[i]} shows a figure of the other language`).toBe(lang);
        }
      }
    }
  });

  describe('the annotated book code (page 0)', () => {
    const required = [
      'get_params',
      'init_rnn_state',
      'rnn',
      'RNNModelScratch',
      'predict_ch8',
      'grad_clipping',
      'train_epoch_ch8',
      'train_ch8',
      'd2l.sgd',
    ];

    it('covers every function of the book’s 8.5 code that the docs promise', () => {
      const names = BOOK_FUNCTIONS.map((f) => f.name);
      for (const name of required) expect(names, name).toContain(name);
    });

    for (const lang of langs) {
      it(`${lang}: shows every function, and explains every line of its code`, () => {
        const page = read(lang, '00-book-code.md');
        for (const fn of BOOK_FUNCTIONS) {
          const file = `book-code-${fn.id}.${lang}.md`;
          expect(page, `page 0 does not include ${file}`).toContain(`<!--@include: @/../generated/${file}-->`);
          const fragment = readFileSync(join(generatedDir, file), 'utf8');
          // The book's listing as shown, and the line numbers the notes cover.
          const listing = new RegExp(`\`\`\`python anchor=py-${fn.id}\n([\\s\\S]*?)\n\`\`\``).exec(fragment);
          expect(listing, `${file}: no Python listing`).not.toBeNull();
          const lines = listing![1].split('\n');
          const code = (n: Note) => (typeof n.py === 'string' ? [n.py] : [...n.py]);
          expect(lines, `${file}: the listing is not the book's code`).toEqual(fn.notes.flatMap(code));
          const covered = new Set<number>();
          for (const row of fragment.matchAll(
            /^\| \[(\d+)(?:–(\d+))?\]\(#py-[\w-]+-\d+\) `[^|]*` \| (.+?) \| (.+?) \|$/gm,
          )) {
            const [from, to] = [Number(row[1]), Number(row[2] ?? row[1])];
            expect(row[3].trim().length, `${file}: line ${from} has an empty note`).toBeGreaterThan(3);
            for (let n = from; n <= to; n++) covered.add(n);
          }
          const missing = lines.flatMap((l, i) => (l.trim() !== '' && !covered.has(i + 1) ? [`${i + 1}: ${l}`] : []));
          expect(missing, `${file}: lines without a note`).toEqual([]);
          // Every TypeScript link points at a line that the fragment's listings have.
          for (const link of fragment.matchAll(/\]\(#(ts-[\w-]+-\d+)\)/g)) {
            const [, id] = link;
            const all = readdirSync(generatedDir)
              .filter((f) => f.startsWith('book-code-') && f.endsWith(`.${lang}.md`))
              .map((f) => readFileSync(join(generatedDir, f), 'utf8'))
              .join('\n');
            const anchors = [...all.matchAll(/```ts anchor=(ts-[\w-]+)@(\d+)\n([\s\S]*?)\n```/g)].flatMap((m) =>
              m[3].split('\n').map((_, i) => `${m[1]}-${Number(m[2]) + i}`),
            );
            expect(anchors, `${file}: link to #${id}, which no listing has`).toContain(id);
          }
        }
      });
    }
  });
});
