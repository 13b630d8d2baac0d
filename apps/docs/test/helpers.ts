// Paths and page lists shared by the docs tests.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const docsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(docsRoot, '../..');
export const contentDir = join(docsRoot, 'content');
export const distDir = join(docsRoot, '.vitepress', 'dist');

export type Lang = 'zh' | 'en';

/** Markdown pages of one language: file names relative to its folder (content/ or content/en/). */
export function pageFiles(lang: Lang): string[] {
  const dir = lang === 'zh' ? contentDir : join(contentDir, 'en');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort();
}

/** Every page in both languages, with the URL it is served at (cleanUrls is off: `.html`). */
export function listPages(): { lang: Lang; file: string; url: string }[] {
  const out: { lang: Lang; file: string; url: string }[] = [];
  for (const lang of ['zh', 'en'] as const) {
    const prefix = lang === 'zh' ? '/' : '/en/';
    for (const f of pageFiles(lang)) {
      const url = f === 'index.md' ? prefix : `${prefix}${f.replace(/\.md$/, '.html')}`;
      out.push({ lang, file: join(lang === 'zh' ? 'content' : 'content/en', f), url });
    }
  }
  return out;
}
