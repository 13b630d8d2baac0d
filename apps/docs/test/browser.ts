// The browser harness the docs' browser tests share: finding Debian's headless Chromium (CHROMIUM_PATH, or
// `chromium` on the PATH), launching it with playwright-core, a free port on 127.0.0.1, and the list of
// problems a page shows (console errors, page errors, failed requests, HTTP errors).
//
// Without Chromium, a browser test FAILS when CI is set and is skipped otherwise, with a stable id.

import { createServer } from 'node:net';

import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

import { QUIET_ARGS, findChromium, missingChromium as whyNoChromium } from '../../../tools/browser';

export const chromiumPath = findChromium();
const missingChromium = whyNoChromium(chromiumPath);

/** Defines the browser tests when Chromium is there; else one failing test (CI) or one skipped test. */
export function withChromium(name: string, skipId: string, define: () => void): void {
  if (missingChromium === undefined) {
    define();
  } else if (process.env.CI) {
    describe(name, () => {
      it('has Chromium to drive (required when CI is set)', () => {
        throw new Error(`${name}: CI is set but ${missingChromium}`);
      });
    });
  } else {
    describe(name, () => {
      it.skip(`[skipped ${skipId}: ${missingChromium}]`, () => {});
    });
  }
}

/** Headless Chromium with a profile of its own in `profileDir`. */
export async function launchChromium(
  profileDir: string,
  options: { args?: readonly string[]; acceptDownloads?: boolean } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...QUIET_ARGS, '--disable-gpu', ...(options.args ?? [])],
    acceptDownloads: options.acceptDownloads,
  });
}

export async function freePort(): Promise<number> {
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

/** Collects everything that counts as a problem on a page. */
export function watch(page: Page): string[] {
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
