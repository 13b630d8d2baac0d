// Each package's browser entry from a bundler, as a user gets it: Vite bundles a tiny app
// (fixtures/browser-app) that imports @rnn-scratch/core, @rnn-scratch/backend-onnx and
// @rnn-scratch/backend-tfjs by name, and headless Chromium runs it from 127.0.0.1 with WebGPU on
// SwiftShader. Checks: the bundle holds no Node-only code (node: modules, onnxruntime-node) and carries
// onnxruntime-web's wasm file itself; in the page every backend/device is listed with its availability,
// each available one computes the same number as the reference backend, the software WebGPU/WebGL
// devices are flagged, and `auto` takes a device that is not a software GPU.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WEBGPU_ARGS, launchChromium, missingChromium, serveStatic } from './browser';

const here = dirname(fileURLToPath(import.meta.url));
const missing = missingChromium();

interface Report {
  statuses: { id: string; available: boolean; reason?: string; software?: string }[];
  results: Record<string, number>;
  auto: string;
}

if (missing !== undefined && !process.env.CI) {
  describe('browser bundle', () => it.skip(`[skipped tools/browser-bundle/no-chromium: ${missing}]`, () => {}));
} else {
  describe('browser bundle (Vite + headless Chromium)', () => {
    const out = mkdtempSync(join(tmpdir(), 'rnn-scratch-bundle-'));
    let server: Server | undefined;
    let browser: Browser | undefined;
    let url = '';

    beforeAll(async () => {
      if (missing !== undefined) throw new Error(`browser bundle: CI is set but ${missing}`);
      await build({
        root: join(here, 'fixtures', 'browser-app'),
        logLevel: 'warn',
        build: { outDir: out, emptyOutDir: true, chunkSizeWarningLimit: 4000 },
      });
      // tfjs-backend-wasm cannot tell a bundler about its .wasm files: the app serves them (README).
      const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
      mkdirSync(join(out, 'tfjs-wasm'));
      for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm')))
        cpSync(join(wasmDir, f), join(out, 'tfjs-wasm', f));
      ({ url, server } = await serveStatic(out));
      browser = await launchChromium(WEBGPU_ARGS);
    }, 180_000);

    afterAll(async () => {
      await browser?.close();
      server?.close();
      rmSync(out, { recursive: true, force: true });
    });

    it('the bundle has no Node-only code and carries onnxruntime-web’s wasm', () => {
      const assets = readdirSync(join(out, 'assets'));
      const js = assets.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(out, 'assets', f), 'utf8'));
      // Module specifiers only (messages may name onnxruntime-node).
      expect(js.join('\n')).not.toMatch(/["'](onnxruntime-node|node:(fs|path|child_process|module|os))["']/);
      expect(assets.some((f) => /^ort-wasm-simd-threaded.*\.wasm$/.test(f))).toBe(true);
    });

    it('in Chromium: every device listed, each available one agrees with the reference, auto is not a software GPU', async () => {
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${url}/`);
        await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'running', null, {
          timeout: 120_000,
        });
        const text = (await page.locator('#out').textContent()) ?? '';
        expect(text).not.toMatch(/^error/);
        const report = JSON.parse(text) as Report;
        const ids = report.statuses.map((s) => s.id);
        // By priority in a browser: tfjs (50), onnx (40), reference (0).
        expect(ids).toEqual([
          'tfjs:webgpu',
          'tfjs:webgl',
          'tfjs:wasm',
          'tfjs:cpu',
          'onnx:webgpu',
          'onnx:wasm',
          'reference:cpu',
        ]);
        for (const s of report.statuses) if (!s.available) expect(s.reason, s.id).toBeTruthy();
        for (const id of ['onnx:wasm', 'tfjs:wasm', 'tfjs:cpu', 'reference:cpu'])
          expect(report.statuses.find((s) => s.id === id)?.available, id).toBe(true);
        // On this machine's SwiftShader, the GPU devices work and are flagged as software.
        for (const s of report.statuses.filter((x) => /webgpu|webgl/.test(x.id) && x.available))
          expect(s.software, s.id).toBe('SwiftShader');
        const want = report.results['reference:cpu'];
        for (const [id, got] of Object.entries(report.results))
          expect(Math.abs(got - want), id).toBeLessThanOrEqual(1e-5 * Math.abs(want));
        expect(report.auto).toBe('tfjs:wasm');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 180_000);
  });
}
