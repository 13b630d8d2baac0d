// Browser test of the built docs: serves .vitepress/dist with `vitepress preview` on 127.0.0.1 and a free
// port, opens every page in both languages in headless Chromium (playwright-core driving Debian's
// `chromium`) at 1280 px and at 390 px, and fails on any console error, page error, failed request or
// HTTP error; on a figure or a formula that the page's source has but the page does not show with a real
// size; and on anything cut off: no element may stick out of the text column (of the screen at 390 px),
// and no scrolling box may hide part of its content (all `details` are opened first). Then it trains the
// live demo for a few epochs and checks what it teaches: the perplexity falls, a prediction appears with
// the probabilities behind each character, the gradient norm of every minibatch is shown with the number
// of clipped steps, the temperature changes the prediction, an earlier run stays on the chart for
// comparison, typing a prefix re-predicts, and Stop stops. The demo's backends: the selector lists every
// backend/device with its availability and reason and defaults to auto's choice, never a software GPU;
// two in-browser engines (tfjs:wasm, onnx:wasm) agree step by step (same initial weights, 10 steps, rtol
// 1e-5); each WebGPU backend (on SwiftShader: `--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader`)
// trains a few steps that agree with wasm; Stop then Resume continues; and checkpoints go both ways
// between the page and the CLI, which predict the same text.
//
// Needs `vitepress build .` first (turbo's `build` task runs it before tests). Without Chromium the test
// FAILS when CI is set and is skipped (id docs/e2e/no-chromium) otherwise.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WEBGPU_ARGS } from '../../../tools/browser';
import { freePort, launchChromium, watch, withChromium } from './browser';
import { distDir, docsRoot, listPages, repoRoot } from './helpers';

/** How long to wait for the page (or the demo's worker) to show something: generous, since other test
 * projects may be running on the same cores. */
const WAIT = { timeout: 30_000 };

withChromium('docs e2e', 'docs/e2e/no-chromium', defineE2E);

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

/** A page's markdown with its `<!--@include: ...-->` fragments (figures, generated tables) filled in. */
function sourceOf(file: string): string {
  const text = readFileSync(join(docsRoot, file), 'utf8');
  return text.replace(/<!--\s*@include:\s*@\/(.*?)\s*-->/g, (_, path: string) =>
    readFileSync(join(docsRoot, 'content', path), 'utf8'),
  );
}

/** What the source promises: how many figures and how many formulas (`$...$` and `$$...$$`). */
function expected(file: string): { figures: number; maths: number } {
  const text = sourceOf(file)
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  const figures = (text.match(/<figure class="fig"/g) ?? []).length;
  const display = text.match(/\$\$[\s\S]*?\$\$/g) ?? [];
  const inline = text.replace(/\$\$[\s\S]*?\$\$/g, '').match(/\$[^$\n]+\$/g) ?? [];
  return { figures, maths: display.length + inline.length };
}

interface Layout {
  figures: { width: number; height: number }[];
  maths: { width: number; height: number }[];
  cutOff: string[];
}

/**
 * Runs in the page: opens every `details`, measures every figure and formula, and lists everything cut off:
 * a scrolling box whose content is wider than the box, or an element outside the text column (at 390 px,
 * outside the screen: code blocks there reach the screen edges on purpose).
 */
function measureLayout(): Layout {
  for (const d of document.querySelectorAll('.vp-doc details')) (d as HTMLDetailsElement).open = true;
  const doc = document.querySelector('.vp-doc');
  const size = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { width: r.width, height: r.height };
  };
  const figures = [...document.querySelectorAll('.vp-doc figure.fig > svg')].map(size);
  const maths = [...document.querySelectorAll('.vp-doc mjx-container')].map((m) =>
    size(m.querySelector(':scope > svg') ?? m),
  );
  const cutOff: string[] = [];
  if (!doc) return { figures, maths, cutOff: ['no .vp-doc'] };
  const vw = document.documentElement.clientWidth;
  const box = doc.getBoundingClientRect();
  const [left, right] = vw >= 640 ? [box.left - 1, box.right + 1] : [-0.5, vw + 0.5];
  const name = (el: Element) =>
    `<${el.tagName.toLowerCase()}${el.id ? ` id=${el.id}` : ''} class="${el.getAttribute('class') ?? ''}"> "${(el.textContent ?? '').trim().slice(0, 50)}"`;
  for (const el of doc.querySelectorAll('*')) {
    if (el.closest('.header-anchor, mjx-assistive-mml')) continue; // positioned on purpose / for screen readers
    if (el.parentElement?.closest('svg')) continue; // the inside of an SVG is not laid out by CSS
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const overflowX = getComputedStyle(el).overflowX;
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && overflowX !== 'visible') {
      cutOff.push(`hides ${el.scrollWidth - el.clientWidth}px of its content: ${name(el)}`);
    } else if (r.left < left || r.right > right) {
      cutOff.push(
        `sticks out (${Math.round(r.left)}..${Math.round(r.right)} of ${Math.round(left)}..${Math.round(right)}): ${name(el)}`,
      );
    }
  }
  if (document.documentElement.scrollWidth > vw + 1)
    cutOff.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw})`);
  return { figures, maths, cutOff: cutOff.slice(0, 10) };
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
      context = await launchChromium(profileDir, { args: WEBGPU_ARGS, acceptDownloads: true }); // the demo's WebGPU backends, on SwiftShader
      // The pages load a few at a time, while other test projects may be using the same cores.
      context.setDefaultNavigationTimeout(90_000);
      context.setDefaultTimeout(60_000);
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
      it.concurrent(
        `page ${lang} ${url}: loads without errors; figures and maths shown, nothing cut off at 1280 and 390 px`,
        async ({ expect }) => {
          const page = await context!.newPage();
          const problems = watch(page);
          try {
            await page.setViewportSize({ width: 1280, height: 900 });
            const res = await page.goto(`${base}${url}`, { waitUntil: 'networkidle' });
            expect(res?.status(), `${url} (${file})`).toBe(200);
            await expect.poll(() => page.locator('.vp-doc h1').count(), WAIT).toBeGreaterThan(0);
            // Every page but the home page carries the freshness marker in its own language.
            const marker = page.getByTestId('freshness');
            await expect.poll(() => marker.count(), { ...WAIT, message: `${url}: freshness marker` }).toBe(1);
            const text = await marker.innerText();
            expect(text).toMatch(lang === 'zh' ? /核对于 \d{4}-\d{2}-\d{2}/ : /Checked on \d{4}-\d{2}-\d{2}/);
            expect(await page.locator('html').getAttribute('lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en-US');

            const want = expected(file);
            for (const width of [1280, 390]) {
              await page.setViewportSize({ width, height: 900 });
              await page.waitForTimeout(50);
              const layout = await page.evaluate(measureLayout);
              expect(layout.figures.length, `${url} @${width}: figures`).toBe(want.figures);
              for (const [i, f] of layout.figures.entries()) {
                expect(f.width > 0 && f.height > 0, `${url} @${width}: figure ${i} has no size`).toBe(true);
              }
              expect(layout.maths.length, `${url} @${width}: rendered formulas`).toBe(want.maths);
              for (const [i, m] of layout.maths.entries()) {
                expect(m.width > 0 && m.height > 0, `${url} @${width}: formula ${i} has no size`).toBe(true);
              }
              expect(layout.cutOff, `${url} @${width}: cut off`).toEqual([]);
            }
            expect(problems, `${url}: ${problems.join('\n')}`).toEqual([]);
          } finally {
            await page.close();
          }
        },
      );
    }

    it('page 0: a note links to the TypeScript line that does the same, and that line is highlighted', async () => {
      const page = await context!.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${base}/00-book-code.html`, { waitUntil: 'networkidle' });
        const link = page.locator('.annotated a[href^="#ts-rnn-rnn-"]').first();
        const target = (await link.getAttribute('href'))!.slice(1);
        await link.click();
        const line = page.locator(`[id="${target}"]`);
        await expect.poll(() => line.getAttribute('class'), WAIT).toContain('line-target');
        expect(await line.innerText()).toMatch(/^\d+\s*\S/); // its number, then code
        await expect
          .poll(() =>
            line.evaluate(
              (el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().bottom <= innerHeight,
            ),
          )
          .toBe(true);
        expect(problems, problems.join('\n')).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('the pages have figures and formulas to check', () => {
      const total = listPages().reduce(
        (acc, { file }) => {
          const e = expected(file);
          return { figures: acc.figures + e.figures, maths: acc.maths + e.maths };
        },
        { figures: 0, maths: 0 },
      );
      expect(total.figures).toBeGreaterThanOrEqual(16);
      expect(total.maths).toBeGreaterThanOrEqual(100);
    });

    it('live demo trains in a Web Worker: perplexity falls, norms and probabilities shown, runs compared, Stop stops', async () => {
      const page = await context!.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${base}/11-live-demo.html`, { waitUntil: 'networkidle' });
        const demo = page.getByTestId('demo');
        const epochText = async () => Number(await page.getByTestId('demo-epoch').innerText());
        const values = async (): Promise<number[]> =>
          JSON.parse((await page.getByTestId('demo-chart').getAttribute('data-values')) ?? '[]');

        await waitForBackends(page);
        await page.getByTestId('demo-epochs').fill('200');
        await page.getByTestId('demo-start').click();
        await expect.poll(() => demo.getAttribute('data-status'), WAIT).toBe('running');
        expect(await demo.getAttribute('data-runner')).toBe('worker');
        await expect.poll(epochText, { timeout: 150_000, message: 'epochs completed' }).toBeGreaterThanOrEqual(4);

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

        // The gradient norm (before clipping) of every minibatch is plotted, and the clipped ones are counted.
        const norms: number[] = JSON.parse((await page.getByTestId('demo-norms').getAttribute('data-values')) ?? '[]');
        const epochsSoFar = await epochText();
        expect(norms.length).toBeGreaterThanOrEqual(4 * 15); // 15 minibatches per epoch at the default size
        expect(norms.length % 15).toBe(0);
        expect(norms.every((n) => Number.isFinite(n) && n > 0)).toBe(true);
        expect(norms.length).toBeGreaterThanOrEqual(epochsSoFar * 15 - 15);
        expect(await page.getByTestId('demo-clip').innerText()).toMatch(/\d+ \/ 15/);
        const clipped = Number(await page.getByTestId('demo-clipped').innerText());
        expect(clipped).toBeGreaterThanOrEqual(0);
        expect(clipped).toBeLessThanOrEqual(15);

        // The probabilities behind the prediction: bars for the selected character, most likely first; clicking
        // another character of the prediction shows its step.
        const probs = page.getByTestId('demo-probs');
        await expect.poll(() => probs.locator('.bar-row').count(), WAIT).toBe(8);
        const p = async () => (await probs.locator('.bar-value').allInnerTexts()).map(Number);
        const firstBars = await p();
        expect([...firstBars].sort((a, b) => b - a)).toEqual(firstBars);
        expect(firstBars.every((x) => x > 0 && x <= 1)).toBe(true);
        await page.getByTestId('demo-prediction').locator('.gen').nth(5).click();
        await expect.poll(() => probs.innerText(), WAIT).toMatch(/第 6 个生成的字符/);

        // Stop: the status becomes 'stopped' and no further epoch arrives.
        await page.getByTestId('demo-stop').click();
        await expect.poll(() => demo.getAttribute('data-status'), WAIT).toBe('stopped');
        const stoppedAt = await epochText();
        expect(stoppedAt).toBeLessThan(200);
        await page.waitForTimeout(1500);
        expect(await epochText()).toBe(stoppedAt);
        expect((await values()).length).toBe(stoppedAt);
        expect(await page.getByTestId('demo-start').isEnabled()).toBe(true);

        // After stopping, the trained model still predicts for a new prefix.
        await page.getByTestId('demo-prefix').fill('the time');
        const predictionBox = page.getByTestId('demo-prediction');
        await expect.poll(() => predictionBox.getAttribute('data-prefix'), WAIT).toBe('the time');
        expect((await predictionBox.innerText()).startsWith('the time')).toBe(true);

        // The temperature: 0 is greedy (the same text twice); above 0 the prediction is sampled from
        // softmax(o / τ), which the page says, with α = 1/τ.
        const greedy = await predictionBox.innerText();
        await page.getByTestId('demo-temperature').fill('1.5');
        await expect.poll(() => predictionBox.getAttribute('data-temperature'), WAIT).toBe('1.5');
        expect(await page.getByTestId('demo-temperature-text').innerText()).toContain('α = 1/τ = 0.67');
        expect((await predictionBox.innerText()).startsWith('the time')).toBe(true);
        expect(await predictionBox.innerText()).not.toBe(greedy);
        await page.getByTestId('demo-temperature').fill('0');
        await expect.poll(() => predictionBox.getAttribute('data-temperature'), WAIT).toBe('0');
        await expect.poll(() => predictionBox.innerText(), WAIT).toBe(greedy);

        // Two runs on one chart: the stopped sequential run stays, dashed, while book-random trains.
        await page.getByTestId('demo-sampler').selectOption('book-random');
        await page.getByTestId('demo-epochs').fill('2');
        await page.getByTestId('demo-start').click();
        await expect.poll(() => demo.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
        const runs: { label: string; values: number[] }[] = JSON.parse(
          (await page.getByTestId('demo-chart').getAttribute('data-runs')) ?? '[]',
        );
        expect(runs).toHaveLength(1);
        expect(runs[0].label).toContain('sequential');
        expect(runs[0].values).toHaveLength(stoppedAt);
        expect(await values()).toHaveLength(2);
        expect(await page.getByTestId('demo-legend').innerText()).toContain('book-random');

        expect(problems, problems.join('\n')).toEqual([]);
      } finally {
        await page.close();
      }
    }, 400_000);

    it('the backend selector lists every backend/device with its status and defaults to the fastest that is not a software GPU', async () => {
      const page = await context!.newPage();
      const problems = watch(page);
      try {
        await page.goto(`${base}/en/11-live-demo.html`, { waitUntil: 'networkidle' });
        const rows = await waitForBackends(page);
        expect(rows.map((r) => r.id)).toEqual([
          'tfjs:webgpu',
          'tfjs:webgl',
          'tfjs:wasm',
          'tfjs:cpu',
          'onnx:webgpu',
          'onnx:wasm',
          'reference:cpu',
        ]);
        for (const r of rows) expect(r.text, r.id).toMatch(r.available ? /: available/ : /: unavailable: \S/);
        // SwiftShader serves WebGPU (and WebGL) here: listed as software, never the default.
        const software = rows.filter((r) => r.software !== '');
        expect(software.map((r) => r.id)).toEqual(expect.arrayContaining(['tfjs:webgpu', 'onnx:webgpu']));
        const chosen = await page.getByTestId('demo-backend').inputValue();
        expect(chosen).toBe('tfjs:wasm');
        expect(rows.find((r) => r.id === chosen)?.text).toMatch(/fastest, the default/);
        expect(await page.getByTestId('demo-threads').innerText()).toMatch(/not cross-origin isolated/);
        expect(problems, problems.join('\n')).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('two in-browser engines agree step by step: tfjs:wasm and onnx:wasm, same initial weights, 10 steps, rtol 1e-5', async () => {
      const page = await context!.newPage();
      try {
        await page.goto(`${base}/en/11-live-demo.html`, { waitUntil: 'networkidle' });
        await waitForBackends(page);
        const a = await trainSteps(page, 'tfjs:wasm');
        const b = await trainSteps(page, 'onnx:wasm');
        expect(a.length).toBeGreaterThanOrEqual(10);
        for (let i = 0; i < 10; i++)
          expect(relDiff(a[i], b[i]), `step ${i + 1}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(1e-5);
      } finally {
        await page.close();
      }
    }, 300_000);

    it('each WebGPU backend (SwiftShader) trains a few steps that agree with wasm', async () => {
      const page = await context!.newPage();
      try {
        await page.goto(`${base}/en/11-live-demo.html`, { waitUntil: 'networkidle' });
        await waitForBackends(page);
        const wasm = await trainSteps(page, 'onnx:wasm');
        for (const id of ['onnx:webgpu', 'tfjs:webgpu']) {
          const gpu = await trainSteps(page, id);
          for (let i = 0; i < 5; i++) expect(relDiff(gpu[i], wasm[i]), `${id} step ${i + 1}`).toBeLessThanOrEqual(1e-4);
        }
      } finally {
        await page.close();
      }
    }, 400_000);

    it('a checkpoint trained in the page predicts the same text in the CLI, Stop then Resume continues, and back', async () => {
      const page = await context!.newPage();
      const problems = watch(page);
      const dir = mkdtempSync(join(tmpdir(), 'docs-e2e-checkpoints-'));
      try {
        await page.goto(`${base}/en/11-live-demo.html`, { waitUntil: 'networkidle' });
        await waitForBackends(page);
        const demo = page.getByTestId('demo');
        // Page -> CLI: train, Stop, Resume to the end (the curve goes on), download the checkpoint.
        const values = async () =>
          JSON.parse((await page.getByTestId('demo-chart').getAttribute('data-values')) ?? '[]') as number[];
        await page.getByTestId('demo-epochs').fill('12');
        await page.getByTestId('demo-start').click();
        await expect.poll(async () => (await values()).length, WAIT).toBeGreaterThanOrEqual(1);
        await page.getByTestId('demo-stop').click();
        await expect.poll(() => demo.getAttribute('data-status'), WAIT).toBe('stopped');
        const stoppedAt = Number(await page.getByTestId('demo-epoch').innerText());
        expect(stoppedAt).toBeLessThan(12);
        await page.getByTestId('demo-resume').click();
        await expect.poll(() => demo.getAttribute('data-status'), { timeout: 120_000 }).toBe('done');
        expect(await page.getByTestId('demo-epoch').innerText()).toBe('12');
        expect(await values()).toHaveLength(12);
        const pagePrediction = await page.getByTestId('demo-prediction').innerText();
        const trained = join(dir, 'from-page');
        mkdirSync(trained);
        const downloads: Promise<unknown>[] = [];
        page.on('download', (d) => downloads.push(d.saveAs(join(trained, d.suggestedFilename()))));
        await page.getByTestId('demo-download').click();
        await expect.poll(() => downloads.length, WAIT).toBe(2);
        await Promise.all(downloads);
        const fromCli = cliPredict(trained);
        expect(fromCli.epoch).toBe(12);
        expect(fromCli.text).toBe(pagePrediction);

        // CLI -> page: a run trained by the CLI, loaded in the page, predicts what the CLI predicts.
        const cliRun = join(dir, 'from-cli');
        cli([
          'train',
          '--backend',
          'reference',
          '--num-hiddens',
          '32',
          '--batch-size',
          '8',
          '--num-steps',
          '16',
          '--max-tokens',
          '2000',
          '--epochs',
          '2',
          '--out',
          cliRun,
          '--json',
        ]);
        await page
          .getByTestId('demo-upload')
          .setInputFiles([join(cliRun, 'checkpoint.json'), join(cliRun, 'params.safetensors')]);
        await expect.poll(() => demo.getAttribute('data-status'), WAIT).toBe('loaded');
        expect(await page.getByTestId('demo-loaded').innerText()).toMatch(
          /epoch 2, rnn, H = 32, trained on reference:cpu/,
        );
        expect(await page.getByTestId('demo-prediction').innerText()).toBe(cliPredict(cliRun).text);
        expect(problems, problems.join('\n')).toEqual([]);
      } finally {
        await page.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 400_000);
  });
}

/** The demo's backend selector once the worker has listed the backends. */
async function waitForBackends(
  page: Page,
): Promise<{ id: string; available: boolean; software: string; text: string }[]> {
  const options = page.getByTestId('demo-backend').locator('option');
  await expect.poll(() => options.count(), { timeout: 60_000 }).toBeGreaterThan(1);
  await expect.poll(() => page.getByTestId('demo-backend').inputValue(), WAIT).not.toBe('');
  const rows = [];
  for (const o of await options.all()) {
    rows.push({
      id: (await o.getAttribute('value')) ?? '',
      available: (await o.getAttribute('data-available')) === 'true',
      software: (await o.getAttribute('data-software')) ?? '',
      text: (await o.innerText()).trim(),
    });
  }
  return rows;
}

/** Train one epoch (15 minibatches) of the quick preset on `backend`; returns every minibatch's loss. */
async function trainSteps(page: Page, backend: string): Promise<number[]> {
  const demo = page.getByTestId('demo');
  await page.getByTestId('demo-backend').selectOption(backend);
  await page.getByTestId('demo-epochs').fill('1');
  await page.getByTestId('demo-start').click();
  await expect.poll(() => demo.getAttribute('data-status'), { timeout: 240_000 }).toMatch(/^(done|error)$/);
  expect(await demo.getAttribute('data-status'), backend).toBe('done');
  expect(await demo.getAttribute('data-backend')).toBe(backend);
  return JSON.parse((await demo.getAttribute('data-losses')) ?? '[]') as number[];
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** Run the CLI (built into packages/cli/dist) and return its stdout. */
function cli(args: string[]): string {
  return execFileSync(process.execPath, [join(repoRoot, 'packages/cli/bin/rnn-scratch.js'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/** `rnn-scratch predict` of a checkpoint folder, greedy, 40 characters after 'time traveller' (the demo's). */
function cliPredict(dir: string): { epoch: number; text: string } {
  return JSON.parse(cli(['predict', '--checkpoint', dir, '--num-preds', '40', '--json'])) as {
    epoch: number;
    text: string;
  };
}
