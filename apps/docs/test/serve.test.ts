// `npm run docs` (scripts/serve.ts), as a reader runs it from the repository root:
// - on a free port it builds what is missing, prints the addresses of the two home pages, and serves them:
//   headless Chromium (the docs e2e harness) opens the printed Chinese address and finds the Chinese home
//   page, opening with its “从这里开始” path that lists every page; the printed English address shows
//   “Start here”. Ctrl-C (SIGINT to the process group, as a terminal sends it) stops it cleanly: the
//   script's "stopped" line, exit code 0 or 130, nothing left running, no error or stack trace on stderr;
// - on a port that is in use it fails at once, with one line;
// - the pieces it decides with: which file a request path is served from (base path, `.html`, folders,
//   404, no way out of the build folder), when the generated pages are stale, and its options.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';

import { answer, parseOptions, sha256, staleness } from '../scripts/serve';
import { freePort, launchChromium, watch, withChromium } from './browser';
import { pageFiles, repoRoot } from './helpers';

/** The environment of a reader's shell: without what vitest sets, without a base path or port of its own. */
function readerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('VITEST') || key === 'NODE_ENV' || key === 'TEST' || key.startsWith('DOCS_')) delete env[key];
  }
  return env;
}

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm run docs -- <args>` at the repository root, in a process group of its own (as in a terminal). */
function npmRunDocs(args: string[]): Run {
  const proc = spawn('npm', ['run', 'docs', '--', ...args], {
    cwd: repoRoot,
    env: readerEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d) => (stdout += String(d)));
  proc.stderr?.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { proc, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits until the output shows both addresses; fails with the output if the run ends first. */
async function printedUrls(run: Run, timeoutMs: number): Promise<{ zh: string; en: string }> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void run.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    const zh = /^\s*中文\s+(http:\/\/\S+)\s*$/m.exec(run.stdout())?.[1];
    const en = /^\s*English\s+(http:\/\/\S+)\s*$/m.exec(run.stdout())?.[1];
    if (zh && en) return { zh, en };
    if (ended) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm run docs printed no addresses:\n${run.stdout()}\n${run.stderr()}`);
}

const STACK_TRACE = /^\s+at .+[:(]\d+/m;

/**
 * The processes of group `pgid` still running, as "pid command". A process that has exited but is not yet
 * reaped (a zombie, state Z) does not count: when npm and its children exit together, the orphans are
 * reaped by the machine's init whenever it gets to it.
 */
function runningInGroup(pgid: number): string[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [`group ${pgid}`];
    } catch {
      return [];
    }
  }
  const running: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses, so read after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z')
      running.push(`${pid} ${stat.slice(stat.indexOf('('), stat.lastIndexOf(')') + 1)}`);
  }
  return running;
}

/** Waits up to `ms` for group `pgid` to have nothing running; returns what is still running then. */
async function groupEnded(pgid: number, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const running = runningInGroup(pgid);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((r) => setTimeout(r, 100));
  }
}

withChromium('npm run docs', 'docs/serve/no-chromium', () => {
  describe('npm run docs (headless Chromium)', () => {
    let run: Run | undefined;
    let context: BrowserContext | undefined;
    let profileDir: string | undefined;

    afterAll(async () => {
      await context?.close();
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
      if (run?.proc.pid !== undefined && run.proc.exitCode === null && run.proc.signalCode === null) {
        try {
          process.kill(-run.proc.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    });

    it('serves the site: the printed Chinese address is the Chinese home page, the English one says Start here; Ctrl-C stops it cleanly', async () => {
      const port = await freePort();
      run = npmRunDocs(['--port', String(port)]);
      // The first run on a machine may compute the generated pages, or build the site.
      const urls = await printedUrls(run, 600_000);
      expect(urls).toEqual({ zh: `http://127.0.0.1:${port}/`, en: `http://127.0.0.1:${port}/en/` });

      profileDir = mkdtempSync(join(tmpdir(), 'docs-serve-'));
      context = await launchChromium(profileDir);
      context.setDefaultNavigationTimeout(90_000);
      context.setDefaultTimeout(60_000);
      const pages = pageFiles('zh').filter((f) => f !== 'index.md').length;
      for (const [lang, url, heading, htmlLang] of [
        ['zh', urls.zh, '从这里开始', 'zh-CN'],
        ['en', urls.en, 'Start here', 'en-US'],
      ] as const) {
        const page = await context.newPage();
        const problems = watch(page);
        try {
          const res = await page.goto(url, { waitUntil: 'networkidle' });
          expect(res?.status(), url).toBe(200);
          expect(await page.locator('html').getAttribute('lang')).toBe(htmlLang);
          const h1 = await page.locator('.vp-doc h1').first().innerText();
          if (lang === 'zh') expect((h1.match(/[\u4e00-\u9fff]/g) ?? []).length, h1).toBeGreaterThan(5);
          else expect(h1).not.toMatch(/[\u4e00-\u9fff]/);
          // The home page opens with the reading path: its first section, listing every page.
          const first = page.locator('.vp-doc h2').first();
          expect((await first.innerText()).replace(/\u200b/g, '').trim()).toBe(heading);
          const links = await page
            .locator('.vp-doc h2:first-of-type ~ ol')
            .first()
            .locator(':scope > li > a:first-child')
            .count();
          expect(links, `${url}: pages listed under ${heading}`).toBe(pages);
          expect(problems, problems.join('\n')).toEqual([]);
        } finally {
          await page.close();
        }
      }

      process.kill(-run.proc.pid!, 'SIGINT');
      const stopped = await Promise.race([
        run.exited,
        new Promise<undefined>((resolve) => setTimeout(resolve, 30_000, undefined)),
      ]);
      expect(stopped, `still running 30 s after Ctrl-C:\n${run.stdout()}\n${run.stderr()}`).toBeDefined();
      const { code, signal } = stopped!;
      // Nothing of it is left running: its process group empties within seconds of npm's exit.
      expect(await groupEnded(run.proc.pid!, 10_000)).toEqual([]);
      // The script exits 0; npm, which gets the same SIGINT, ends by it (a shell reports 130).
      expect(code === 0 || code === 130 || signal === 'SIGINT', `exit code ${code}, signal ${signal}`).toBe(true);
      expect(run.stdout()).toMatch(/^docs: stopped$/m);
      expect(run.stderr()).not.toMatch(STACK_TRACE);
      expect(run.stderr()).not.toMatch(/error/i);
    }, 900_000);

    it('on a port that is in use, fails at once with one line', async () => {
      const busy = createServer();
      const port = await new Promise<number>((resolve) =>
        busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
      );
      try {
        const started = Date.now();
        const failed = npmRunDocs(['--port', String(port)]);
        const { code } = await failed.exited;
        expect(code).toBe(1);
        expect(failed.stderr()).toBe(`docs: port ${port} on 127.0.0.1 is in use; choose another with --port N\n`);
        expect(failed.stdout()).not.toMatch(/building/); // it did not start building first
        expect(Date.now() - started).toBeLessThan(60_000);
      } finally {
        busy.close();
      }
    }, 120_000);
  });
});

describe('npm run docs: how it decides', () => {
  const dist = mkdtempSync(join(tmpdir(), 'docs-dist-'));
  mkdirSync(join(dist, 'en'));
  for (const f of ['index.html', '404.html', '01-pipeline.html', 'en/index.html', 'favicon.svg'])
    writeFileSync(join(dist, f), f);
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  it('serves a request path from the build folder, under the base path', () => {
    const file = (f: string) => ({ file: join(dist, f), status: 200 });
    const notFound = { file: join(dist, '404.html'), status: 404 };
    expect(answer('/', '/', dist)).toEqual(file('index.html'));
    expect(answer('/en/', '/', dist)).toEqual(file('en/index.html'));
    expect(answer('/en', '/', dist)).toEqual({ redirect: '/en/' });
    expect(answer('/01-pipeline.html', '/', dist)).toEqual(file('01-pipeline.html'));
    expect(answer('/01-pipeline', '/', dist)).toEqual(file('01-pipeline.html'));
    expect(answer('/favicon.svg', '/', dist)).toEqual(file('favicon.svg'));
    expect(answer('/nope.html', '/', dist)).toEqual(notFound);
    expect(answer('/../package.json', '/', dist)).toEqual({ status: 400 });
    expect(answer('/%2e%2e/package.json', '/', dist)).toEqual({ status: 400 });
    expect(answer('/%E0%A4%A', '/', dist)).toEqual({ status: 400 });
    // Under a base path: the same files, and nothing outside it.
    expect(answer('/rnn-scratch/', '/rnn-scratch/', dist)).toEqual(file('index.html'));
    expect(answer('/rnn-scratch/en/', '/rnn-scratch/', dist)).toEqual(file('en/index.html'));
    expect(answer('/rnn-scratch', '/rnn-scratch/', dist)).toEqual({ redirect: '/rnn-scratch/' });
    expect(answer('/', '/rnn-scratch/', dist)).toEqual({ redirect: '/rnn-scratch/' });
    expect(answer('/01-pipeline.html', '/rnn-scratch/', dist)).toEqual(notFound);
  });

  it('computes the generated pages again when never checked, when their inputs changed, or when one was changed or removed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-generated-'));
    try {
      writeFileSync(join(dir, 'a.txt'), 'A');
      writeFileSync(join(dir, 'b.txt'), 'B');
      const stamp = { inputs: 'h1', outputs: { 'a.txt': sha256('A'), 'b.txt': sha256('B') } };
      expect(staleness(stamp, 'h1', dir)).toBeUndefined();
      expect(staleness(undefined, 'h1', dir)).toMatch(/not checked/);
      expect(staleness(stamp, 'h2', dir)).toMatch(/changed/);
      writeFileSync(join(dir, 'b.txt'), 'B, edited');
      expect(staleness(stamp, 'h1', dir)).toBe('b.txt was changed');
      rmSync(join(dir, 'a.txt'));
      expect(staleness(stamp, 'h1', dir)).toBe('a.txt is missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes --port or DOCS_PORT, else 5173 (which may move on when busy); one-line errors otherwise', () => {
    const saved = { port: process.env.DOCS_PORT, base: process.env.DOCS_BASE };
    try {
      delete process.env.DOCS_PORT;
      delete process.env.DOCS_BASE;
      expect(parseOptions([])).toEqual({ port: 5173, explicit: false, base: '/' });
      expect(parseOptions(['--port', '8080'])).toEqual({ port: 8080, explicit: true, base: '/' });
      expect(parseOptions(['--port=0'])).toEqual({ port: 0, explicit: true, base: '/' });
      expect(parseOptions(['--help'])).toBe('help');
      process.env.DOCS_PORT = '6000';
      process.env.DOCS_BASE = 'rnn-scratch';
      expect(parseOptions([])).toEqual({ port: 6000, explicit: true, base: '/rnn-scratch/' });
      expect(parseOptions(['--port', '7000'])).toMatchObject({ port: 7000 });
      expect(() => parseOptions(['--port', 'x'])).toThrow("--port: 'x' is not a port number (0-65535)");
      expect(() => parseOptions(['--port'])).toThrow('--port needs a number');
      expect(() => parseOptions(['--open'])).toThrow(/unknown option '--open'/);
    } finally {
      for (const [key, value] of [
        ['DOCS_PORT', saved.port],
        ['DOCS_BASE', saved.base],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
