// The reader's way in: each language's home page opens with its reading path (“从这里开始” / “Start
// here”), an ordered list that links every page of that language once, in the order of their numbers, each
// entry saying what the reader can do after the page and the one command that reproduces its numbers; that
// command exists (an npm script of the repository or of the docs, or a command of the CLI) and is the same
// in both languages. A page added without an entry fails here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { commands } from '@rnn-scratch/cli';
import { describe, expect, it } from 'vitest';

import { contentDir, docsRoot, pageFiles, repoRoot } from './helpers';

const read = (path: string) => readFileSync(path, 'utf8');
const scriptsOf = (dir: string): Record<string, string> => JSON.parse(read(join(dir, 'package.json'))).scripts ?? {};

/** Why `line` is not a command of this repository, or undefined when it is one. */
function unknownCommand(line: string): string | undefined {
  for (const part of line.split(/\s+&&\s+/)) {
    const words = part.trim().split(/\s+/);
    if (words[0] === 'npm') {
      if (words[1] === 'ci') continue;
      if (words[1] === 'start' || words[1] === 'test') {
        if (scriptsOf(repoRoot)[words[1]] === undefined) return `${part}: package.json has no "${words[1]}" script`;
        continue;
      }
      if (words[1] !== 'run') return `${part}: not an npm command the project uses`;
      const w = words.indexOf('-w');
      const dir = w < 0 ? repoRoot : words[w + 1] === '@rnn-scratch/docs' ? docsRoot : undefined;
      if (dir === undefined) return `${part}: unknown workspace ${words[w + 1]}`;
      if (scriptsOf(dir)[words[2]] === undefined) return `${part}: no script "${words[2]}" in ${dir}/package.json`;
    } else if (words[0] === 'npx' && words[1] === 'rnn-scratch') {
      if (words[2] !== '--help' && !commands.some((c) => c.name === words[2]))
        return `${part}: rnn-scratch has no command "${words[2]}"`;
    } else {
      return `${part}: not an npm or rnn-scratch command`;
    }
  }
  return undefined;
}

describe('the home page opens with the reading path', () => {
  const langs = [
    { lang: 'zh', dir: contentDir, heading: '从这里开始', can: '你能', reproduce: '复现' },
    { lang: 'en', dir: join(contentDir, 'en'), heading: 'Start here', can: 'you can', reproduce: 'Reproduce' },
  ] as const;
  const entriesOf = (l: (typeof langs)[number]) => {
    const text = read(join(l.dir, 'index.md'));
    const sections = text.split(/^## /m);
    const section = sections[1] ?? '';
    const entries = [
      ...section.matchAll(/^(\d+)\. \[([^\]]+)\]\(\.\/([\w-]+)\)[:：](.*)\\\n\s+(\S+)[:：] ?`([^`]+)`(.*)$/gm),
    ].map((m) => ({ n: Number(m[1]), title: m[2], slug: m[3], can: m[4], label: m[5], command: m[6] }));
    return { heading: section.split('\n')[0].trim(), section, entries };
  };

  for (const l of langs) {
    describe(l.lang, () => {
      const { heading, section, entries } = entriesOf(l);

      it(`its first section is “${l.heading}”`, () => {
        expect(heading).toBe(l.heading);
      });

      it('lists every page once, in the order of their numbers, each with its own number', () => {
        const pages = pageFiles(l.lang)
          .filter((f) => f !== 'index.md')
          .map((f) => f.replace(/\.md$/, ''));
        expect(entries.map((e) => e.slug)).toEqual(pages);
        for (const e of entries) expect(e.n, e.slug).toBe(Number(e.slug.split('-')[0]));
        // Nothing in the list that the pattern above did not read.
        const items = section.split('\n').filter((line) => /^\d+\. /.test(line));
        expect(items.length).toBe(entries.length);
      });

      it('says for each page what the reader can do after it, and a command that exists', () => {
        for (const e of entries) {
          expect(e.can, `${e.slug}: what the reader can do`).toContain(l.can);
          expect(e.can.trim().length, e.slug).toBeGreaterThan(20);
          expect(e.label, e.slug).toBe(l.reproduce);
          expect(unknownCommand(e.command), e.slug).toBeUndefined();
        }
      });
    });
  }

  it('gives the same command for each page in both languages', () => {
    const [zh, en] = langs.map((l) => entriesOf(l).entries.map((e) => [e.slug, e.command]));
    expect(zh).toEqual(en);
  });

  it('the command check rejects what does not exist', () => {
    expect(unknownCommand('npm run gen -w @rnn-scratch/docs')).toBeUndefined();
    expect(unknownCommand('npm ci && npm run docs')).toBeUndefined();
    expect(unknownCommand('npx rnn-scratch corpus')).toBeUndefined();
    expect(unknownCommand('npm run nope')).toMatch(/no script "nope"/);
    expect(unknownCommand('npm run gen')).toMatch(/no script "gen"/); // it is the docs' script, not the root's
    expect(unknownCommand('npx rnn-scratch fly')).toMatch(/no command "fly"/);
    expect(unknownCommand('make docs')).toMatch(/not an npm or rnn-scratch command/);
  });
});
