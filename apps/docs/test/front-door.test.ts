// The reader's way in, from the README to the pages:
// - each language's home page opens with its reading path (“从这里开始” / “Start here”): an ordered list
//   that links every page of that language once, in the order of their numbers, each entry saying what the
//   reader can do after the page and the one command that reproduces its numbers; that command exists (an
//   npm script of the repository or of the docs, or a command of the CLI) and is the same in both languages.
//   A page added without an entry fails here;
// - README.md and README.zh-CN.md link to each other at the top; their shell commands are the same, in the
//   same order, and every one of them exists; both list `npm run docs` in the quick start and give the
//   address the site is published at (GitHub Pages of the repository the packages name); their layouts name
//   the same folders; every link to a file of the repository or to a page of the site leads somewhere.

import { existsSync, readFileSync } from 'node:fs';
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

describe('README.md and README.zh-CN.md', () => {
  const en = read(join(repoRoot, 'README.md'));
  const zh = read(join(repoRoot, 'README.zh-CN.md'));
  const top = (text: string) => text.split(/^## /m)[0];
  /** The lines of the ```sh / ```bash blocks, without their comments. */
  const shellCommands = (text: string) =>
    [...text.matchAll(/^```(?:sh|bash)\n([\s\S]*?)^```/gm)].flatMap((m) =>
      m[1]
        .split('\n')
        .map((line) => line.replace(/\s+#.*$/, '').trim())
        .filter((line) => line !== ''),
    );
  /** The folders the layout block names (`name/` at the start of a line). */
  const layout = (text: string) => {
    const block = /^```\n(packages\/[\s\S]*?)^```/m.exec(text)?.[1] ?? '';
    return [...block.matchAll(/^\s*([\w.-]+\/)/gm)].map((m) => m[1]);
  };
  const repository: string = JSON.parse(read(join(repoRoot, 'packages/core/package.json'))).repository.url;
  const [, owner, name] = /github\.com\/([^/]+)\/([^/.]+)/.exec(repository) ?? [];
  const site = `https://${owner}.github.io/${name}/`;

  it('link to each other before their first section', () => {
    expect(top(en)).toMatch(/\]\(README\.zh-CN\.md\)/);
    expect(top(zh)).toMatch(/\]\(README\.md\)/);
  });

  it('README.zh-CN.md is written in Chinese', () => {
    expect((zh.match(/[\u4e00-\u9fff]/g) ?? []).length).toBeGreaterThan(500);
  });

  it('have the same shell commands, in the same order, and every one exists', () => {
    const commandsEn = shellCommands(en);
    expect(commandsEn.length).toBeGreaterThanOrEqual(8);
    expect(shellCommands(zh)).toEqual(commandsEn);
    for (const line of commandsEn) expect(unknownCommand(line), line).toBeUndefined();
  });

  it('list `npm run docs` in the quick start, and say where the site is published', () => {
    for (const [which, text] of [
      ['README.md', en],
      ['README.zh-CN.md', zh],
    ]) {
      expect(shellCommands(text)[0], which).toBe('npm ci && npm run docs');
      expect(text, which).toContain(`<${site}>`);
    }
    // The workflow publishes that repository's site: its base path is the repository's name.
    expect(name).toBe('rnn-scratch');
  });

  it('name the same folders in their layout', () => {
    expect(layout(en).length).toBeGreaterThanOrEqual(7);
    expect(layout(zh)).toEqual(layout(en));
  });

  it('link only to files that exist and to pages the site has', () => {
    for (const [which, text] of [
      ['README.md', en],
      ['README.zh-CN.md', zh],
    ]) {
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)|<(https?:[^>\s]+)>/g)].map((m) => m[1] ?? m[2]);
      for (const target of targets) {
        if (target.startsWith(site)) {
          const path = target.slice(site.length).replace(/#.*$/, '');
          const file = path === '' || path.endsWith('/') ? `${path}index.md` : path.replace(/\.html$/, '.md');
          expect(existsSync(join(contentDir, file)), `${which}: ${target} is not a page of the site`).toBe(true);
        } else if (!/^[a-z]+:/.test(target) && !target.startsWith('#')) {
          expect(existsSync(join(repoRoot, target.replace(/#.*$/, ''))), `${which}: ${target}`).toBe(true);
        }
      }
    }
  });
});
