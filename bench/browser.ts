// The live demo's speed in headless Chromium: the built docs site (apps/docs/.vitepress/dist) is served on
// 127.0.0.1 and its demo page trains the book's preset (H=512, B=32, T=35, 10,000 characters) for
// --epochs epochs on every in-browser backend/device the page lists as available, the reference backend
// included, one after the other in ONE run. Each row is the median tokens/s over the epochs after the
// first (the first compiles and warms up). Software GPUs (WebGPU/WebGL on SwiftShader) are measured only
// with --software: they are functional stand-ins here, not something to time.
// `--book-run` instead trains the book's full preset (500 epochs) on the page's default backend and
// records the final perplexity and the wall time.
// The table is printed and appended to BENCHMARKS.md with the date, machine, browser and command.
//
//   npm run bench:browser                       (builds the docs first)
//   npx tsx bench/browser.ts --epochs 4 --backends tfjs:wasm,onnx:wasm,reference:cpu
//   npx tsx bench/browser.ts --book-run

import { appendFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { Page } from 'playwright-core';

import { WEBGPU_ARGS, launchChromium, serveStatic } from '../tools/browser.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    'reference-epochs': { type: 'string', default: '2' },
    backends: { type: 'string' },
    software: { type: 'boolean', default: false },
    'book-run': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    /** The built site to serve (a copy keeps a long run safe from rebuilds). */
    site: { type: 'string', default: join(root, 'apps/docs/.vitepress/dist') },
  },
});
const dist = values.site;

interface Listed {
  readonly id: string;
  readonly available: boolean;
  readonly software: string;
}

async function openDemo(page: Page, url: string): Promise<Listed[]> {
  await page.goto(`${url}/en/11-live-demo.html`);
  const options = page.getByTestId('demo-backend').locator('option');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=demo-backend] option').length > 0, null, {
    timeout: 120_000,
  });
  const rows: Listed[] = [];
  for (const o of await options.all()) {
    rows.push({
      id: (await o.getAttribute('value')) ?? '',
      available: (await o.getAttribute('data-available')) === 'true',
      software: (await o.getAttribute('data-software')) ?? '',
    });
  }
  return rows;
}

/** Train the book's preset for `epochs` epochs on `backend`; returns every epoch's tokens/s and perplexity. */
async function train(page: Page, backend: string, epochs: number, timeoutMs: number) {
  const demo = page.getByTestId('demo');
  await page.getByTestId('demo-backend').selectOption(backend);
  await page.getByTestId('demo-preset').selectOption('book');
  await page.getByTestId('demo-epochs').fill(String(epochs));
  const started = Date.now();
  await page.getByTestId('demo-start').click();
  await page.waitForFunction(
    () => ['done', 'error'].includes(document.querySelector('[data-testid=demo]')?.getAttribute('data-status') ?? ''),
    null,
    { timeout: timeoutMs, polling: 1000 },
  );
  if ((await demo.getAttribute('data-status')) === 'error')
    throw new Error(`${backend}: ${await page.getByTestId('demo-error').innerText()}`);
  const speeds = JSON.parse((await demo.getAttribute('data-speeds')) ?? '[]') as number[];
  const curve = JSON.parse((await page.getByTestId('demo-chart').getAttribute('data-values')) ?? '[]') as number[];
  return { speeds, curve, wallSeconds: (Date.now() - started) / 1000, used: await demo.getAttribute('data-backend') };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function machine(chromium: string): string {
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, ${gib} GiB; Chromium ${chromium} headless (${WEBGPU_ARGS.join(' ')}); load average at the end ${load}`;
}

function record(title: string, lines: string[]): void {
  const text = lines.join('\n');
  console.log(text);
  if (values['no-record']) return;
  const stamp = new Date().toISOString().slice(0, 16).replace('T', ' ');
  appendFileSync(join(root, 'BENCHMARKS.md'), `\n## ${title}, ${stamp} UTC\n\n${text}\n`);
}

async function main(): Promise<void> {
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no docs build in ${dist}: run npm run build first`);
  const { url, server } = await serveStatic(dist);
  const browser = await launchChromium(WEBGPU_ARGS);
  // The command as recorded: --site names a folder of this machine, so it is left out.
  const args = process.argv.slice(2).filter((a, i, all) => a !== '--site' && all[i - 1] !== '--site');
  const command = `npx tsx bench/browser.ts ${args.join(' ')}`.trim();
  try {
    const listing = await browser.newPage();
    const listed = await openDemo(listing, url);
    const auto = await listing.getByTestId('demo-backend').inputValue();
    await listing.close();
    if (values['book-run']) {
      const page = await browser.newPage();
      await openDemo(page, url);
      const run = await train(page, auto, 500, 6 * 3600_000);
      const prediction = await page.getByTestId('demo-prediction').innerText();
      record('Book run in the browser', [
        `- machine: ${machine(browser.version())}`,
        `- command: \`${command}\` (the live demo's "book's run" preset on its default backend, ${run.used})`,
        '',
        '| backend | epochs | final ppl | median tokens/s | wall s | greedy "time traveller" |',
        '|---|---|---|---|---|---|',
        `| ${run.used} | ${run.curve.length} | ${run.curve.at(-1)?.toFixed(3)} | ${median(run.speeds.slice(1)).toLocaleString('en-US')} | ${run.wallSeconds.toFixed(0)} | \`${prediction.replace(/\s+/g, ' ').trim()}\` |`,
      ]);
      return;
    }
    const wanted = values.backends?.split(',');
    const chosen = listed.filter(
      (b) => b.available && (wanted ? wanted.includes(b.id) : values.software || b.software === ''),
    );
    const rows: string[] = [];
    for (const b of chosen) {
      const epochs = Number(b.id.startsWith('reference') ? values['reference-epochs'] : values.epochs);
      const page = await browser.newPage();
      await openDemo(page, url);
      const run = await train(page, b.id, epochs, 3600_000);
      await page.close();
      const speed = median(run.speeds.slice(1).length > 0 ? run.speeds.slice(1) : run.speeds);
      const note = [b.id === auto ? "the page's default" : '', b.software ? `software GPU: ${b.software}` : '']
        .filter(Boolean)
        .join('; ');
      rows.push(`| ${b.id} | ${speed.toLocaleString('en-US')} | ${run.speeds.join(', ')} | ${note} |`);
      console.log(rows.at(-1));
    }
    const skipped = listed.filter((b) => !chosen.includes(b)).map((b) => b.id);
    record("Live demo in headless Chromium, the book's size", [
      `- machine: ${machine(browser.version())}`,
      `- command: \`${command}\` (the live demo page of the built docs; book preset H=512, B=32, T=35, 10,000 characters)`,
      `- tokens/s: the median over the epochs after the first; not measured here: ${skipped.join(', ') || 'none'}`,
      '',
      '| backend | tokens/s | every epoch | note |',
      '|---|---|---|---|',
      ...rows,
    ]);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
