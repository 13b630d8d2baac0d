// Structure and freshness of the pages themselves: both languages have the same pages, every page has
// a freshness date and (for pages 1-9) the house structure, every embedded listing and include points at
// a file and region that exist (VitePress silently embeds the WHOLE file when a region is missing),
// every graph equation the prose quotes is in the generated graph, and every API name the reference
// lists is really exported.

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

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
});
