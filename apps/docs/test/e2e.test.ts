// Browser test of the built docs: serves .vitepress/dist with `vitepress preview` on 127.0.0.1 and a free
// port, opens every page in both languages in headless Chromium (playwright-core driving Debian's
// `chromium`), and fails on any console error, page error, failed request or HTTP error. Then it trains
// the live demo for a few epochs, checks that the perplexity falls and a prediction appears, that typing
// a prefix re-predicts, and that Stop stops it.
//
// Needs `vitepress build .` first (turbo's `build` task runs it before tests). Without Chromium the test
// FAILS when CI is set and is skipped (id docs/e2e/no-chromium) otherwise.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { distDir, docsRoot, listPages } from './helpers';

const SKIP_ID = 'docs/e2e/no-chromium';

function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
    return found || undefined;
  } catch {
    return undefined;
  }
}

const chromiumPath = findChromium();
const missingChromium =
  chromiumPath === undefined
    ? 'no Chromium: `command -v chromium` found nothing and CHROMIUM_PATH is not set (install Debian `chromium`, as .ci/run does, or set CHROMIUM_PATH)'
    : !existsSync(chromiumPath)
      ? `CHROMIUM_PATH=${chromiumPath} does not exist`
      : undefined;

if (missingChromium === undefined) {
  defineE2E();
} else if (process.env.CI) {
  describe('docs e2e', () => {
    it('has Chromium to drive (required when CI is set)', () => {
      throw new Error(`docs e2e: CI is set but ${missingChromium}`);
    });
  });
} else {
  describe('docs e2e', () => {
    it.skip(`[skipped ${SKIP_ID}: ${missingChromium}]`, () => {});
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`vitepress preview exited with code ${server.exitCode}:\n${log()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vitepress preview did not answer at ${url} within ${timeoutMs / 1000} s:\n${log()}`);
}

/** Collects everything that counts as a problem on a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? '?'})`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

function defineE2E(): void {
  describe('docs e2e (headless Chromium)', () => {
    let server: ChildProcess | undefined;
    let context: BrowserContext | undefined;
    let profileDir: string | undefined;
    let base = '';
    let serverLog = '';

    beforeAll(async () => {
      if (!existsSync(join(distDir, 'index.html'))) {
        throw new Error(
          `docs e2e: ${distDir} has no build; run \`npx vitepress build .\` in apps/docs first (turbo's build task does)`,
        );
      }
      // A page added since the last build would only show up as a 404 below; say what to do instead.
      const unbuilt = listPages().filter(
        ({ url }) => !existsSync(join(distDir, url.endsWith('/') ? `${url}index.html` : url)),
      );
      if (unbuilt.length > 0) {
        throw new Error(
          `docs e2e: not in the build: ${unbuilt.map((p) => p.file).join(', ')}; rebuild with \`npx vitepress build .\` in apps/docs`,
        );
      }

      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      const vitepressBin = join(
        createRequire(import.meta.url).resolve('vitepress/package.json'),
        '..',
        'bin',
        'vitepress.js',
      );
      server = spawn(process.execPath, [vitepressBin, 'preview', '.', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: docsRoot,
        detached: true, // its own process group, so that afterAll can end it and anything it started
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server.stdout?.on('data', (d) => (serverLog += String(d)));
      server.stderr?.on('data', (d) => (serverLog += String(d)));
      await waitForServer(`${base}/`, server, () => serverLog);

      profileDir = mkdtempSync(join(tmpdir(), 'docs-e2e-'));
      context = await chromium.launchPersistentContext(profileDir, {
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });

    afterAll(async () => {
      await context?.close();
      if (server?.pid !== undefined && server.exitCode === null) {
        try {
          process.kill(-server.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    });

    for (const { lang, url, file } of listPages()) {
      it(`page ${lang} ${url} loads without errors`, async () => {
        const page = await context!.newPage();
        const problems = watch(page);
        try {
          const res = await page.goto(`${base}${url}`, { waitUntil: 'networkidle' });
          expect(res?.status(), `${url} (${file})`).toBe(200);
          await expect.poll(() => page.locator('.vp-doc h1').count()).toBeGreaterThan(0);
          // Every page but the home page carries the freshness marker in its own language.
          const marker = page.getByTestId('freshness');
          await expect.poll(() => marker.count(), { message: `${url}: freshness marker` }).toBe(1);
          const text = await marker.innerText();
          expect(text).toMatch(lang === 'zh' ? /核对于 \d{4}-\d{2}-\d{2}/ : /Checked on \d{4}-\d{2}-\d{2}/);
          expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en-US');
          expect(problems, `${url}: ${problems.join('\n')}`).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }

    it('live demo trains in a Web Worker: perplexity falls, predictions appear, Stop stops', async () => {
      const page = await context!.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${base}/11-live-demo.html`, { waitUntil: 'networkidle' });
        const demo = page.getByTestId('demo');
        const epochText = async () => Number(await page.getByTestId('demo-epoch').innerText());
        const values = async (): Promise<number[]> =>
          JSON.parse((await page.getByTestId('demo-chart').getAttribute('data-values')) ?? '[]');

        await page.getByTestId('demo-epochs').fill('200');
        await page.getByTestId('demo-start').click();
        await expect.poll(() => demo.getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
        expect(await demo.getAttribute('data-runner')).toBe('worker');
        await expect.poll(epochText, { timeout: 90_000, message: 'epochs completed' }).toBeGreaterThanOrEqual(4);

        // The perplexity shown falls: the latest value is below the first, and the display matches the curve.
        const curve = await values();
        expect(curve.length).toBeGreaterThanOrEqual(4);
        expect(curve.every(Number.isFinite)).toBe(true);
        expect(curve[0]).toBeGreaterThan(10); // close to a uniform guess over 28 characters at first
        expect(curve[curve.length - 1]).toBeLessThan(curve[0]);
        const shown = Number(await page.getByTestId('demo-perplexity').innerText());
        expect(shown).toBeLessThan(curve[0]);

        // A prediction appears: the prefix followed by 40 generated tokens of the vocabulary (a predicted
        // <unk> would print as the 5 characters '<unk>', as in the book).
        const prediction = await page.getByTestId('demo-prediction').innerText();
        expect(prediction.startsWith('time traveller')).toBe(true);
        expect(prediction.length).toBeGreaterThanOrEqual('time traveller'.length + 40);
        expect(prediction).toMatch(/^[a-z <>]+$/);
        // The shapes of the current train step are listed (B=8, T=16, H=64 by default).
        const shapes = await page.getByTestId('demo-shapes').innerText();
        expect(shapes).toContain('i32[8,16]');
        expect(shapes).toContain('f32[8,64]');
        expect(shapes).toContain('f32[128,28]');

        // Stop: the status becomes 'stopped' and no further epoch arrives.
        await page.getByTestId('demo-stop').click();
        await expect.poll(() => demo.getAttribute('data-status'), { timeout: 20_000 }).toBe('stopped');
        const stoppedAt = await epochText();
        expect(stoppedAt).toBeLessThan(200);
        await page.waitForTimeout(1500);
        expect(await epochText()).toBe(stoppedAt);
        expect((await values()).length).toBe(stoppedAt);
        expect(await page.getByTestId('demo-start').isEnabled()).toBe(true);

        // After stopping, the trained model still predicts for a new prefix.
        await page.getByTestId('demo-prefix').fill('the time');
        const predictionBox = page.getByTestId('demo-prediction');
        await expect.poll(() => predictionBox.getAttribute('data-prefix'), { timeout: 10_000 }).toBe('the time');
        expect((await predictionBox.innerText()).startsWith('the time')).toBe(true);

        expect(problems, problems.join('\n')).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });
}
