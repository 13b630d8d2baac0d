// The browser entry (onnxruntime-web) in Node: the registry sees devices webgpu and wasm with reasons,
// wasm trains the book's step like onnxruntime-node does, and nothing the entry imports is Node-only.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Random,
  SeqDataLoader,
  buildGraph,
  buildTrainStep,
  getParams,
  listBackends,
  resolveBackend,
  trainEpoch,
  type Backend,
} from '@rnn-scratch/core';
import { readTimeMachineText } from '@rnn-scratch/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../src/backend.js';
import { onnxWebBackendFactory } from '../src/browser.js';
import { createOnnxWebBackend } from '../src/web-backend.js';
import { configureOnnxWeb, probeWebDevice } from '../src/web-devices.js';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const opened: Backend[] = [];
afterAll(async () => {
  for (const b of opened) await b.dispose();
});

describe('onnx on onnxruntime-web (Node)', () => {
  it('registers onnx with the browser devices, best first: webgpu, wasm', () => {
    expect(onnxWebBackendFactory.name).toBe('onnx');
    expect(onnxWebBackendFactory.devices).toEqual(['webgpu', 'wasm']);
  });

  it('lists wasm as available and webgpu as unavailable here, with the reason and a hint', async () => {
    const rows = (await listBackends()).filter((s) => s.name === 'onnx');
    expect(rows.map((s) => s.id)).toEqual(['onnx:webgpu', 'onnx:wasm']);
    const [webgpu, wasm] = rows;
    expect(wasm.available).toBe(true);
    expect(webgpu.available).toBe(false);
    expect(webgpu.reason).toBe('there is no WebGPU here (navigator.gpu is undefined)');
    expect(webgpu.hint).toMatch(/browser with WebGPU/);
  });

  it('plain onnx opens wasm when webgpu cannot run, and an explicit device fails in one line', async () => {
    const b = await resolveBackend('onnx');
    opened.push(b);
    expect(`${b.name}:${b.device}`).toBe('onnx:wasm');
    expect(b.floatPrecision).toBe(32);
    await expect(resolveBackend('onnx:webgpu')).rejects.toThrow(
      /^backend onnx:webgpu is unavailable: there is no WebGPU here \(navigator\.gpu is undefined\); to fix: /,
    );
    await expect(probeWebDevice('webgpu')).rejects.toThrow(/^onnx:webgpu is unavailable: there is no WebGPU here/);
  });

  it('a float64 graph is refused in one line (this build computes in float32)', async () => {
    const b = await createOnnxWebBackend({ device: 'wasm' });
    opened.push(b);
    const g = buildGraph((x) => x.output('y', x.input('x', 'float64', [2]).tanh()));
    await expect(b.compile(g)).rejects.toThrow(
      /^onnx:wasm cannot run this graph: input "x" is f64\[2\], and onnxruntime-web computes in float32/,
    );
  });

  it('wasm runs on one thread where the page is not cross-origin isolated, whatever was asked later', () => {
    const threading = configureOnnxWeb({ threads: 2 });
    expect(threading.threads).toBe(1);
    expect(threading.crossOriginIsolated).toBe(false);
  });

  it('trains the book step (H=32) like onnxruntime-node: the same loss at every step, parameters to rtol 1e-5', async () => {
    const [web, node] = [await createOnnxWebBackend({ device: 'wasm' }), await createOnnxBackend({ device: 'cpu' })];
    opened.push(web, node);
    const results = [];
    for (const backend of [web, node]) {
      const loader = new SeqDataLoader({
        text: readTimeMachineText(),
        batchSize: 4,
        numSteps: 8,
        maxTokens: 400,
        seed: 1,
      });
      const graph = buildTrainStep({ vocabSize: loader.vocab.length, numHiddens: 32, batchSize: 4, numSteps: 8 });
      const params = getParams(loader.vocab.length, 32, new Random(1));
      results.push(await trainEpoch(await backend.compile(graph), params, loader, { sampler: 'sequential', lr: 1 }));
    }
    const [a, b] = results;
    expect(a.losses.length).toBeGreaterThanOrEqual(10);
    a.losses.forEach((loss, i) => expect(Math.abs(loss - b.losses[i])).toBeLessThanOrEqual(1e-5 * b.losses[i]));
    for (const [name, t] of Object.entries(a.params)) {
      const want = (b.params as Record<string, { data: ArrayLike<number> }>)[name].data;
      t.data.forEach((v, i) => expect(Math.abs(v - want[i]), name).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]))));
    }
  });

  it('nothing the browser entry loads imports node: modules or onnxruntime-node', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(srcDir, file), 'utf8');
      expect(text, file).not.toMatch(/from\s+['"](node:[^'"]+|onnxruntime-node)['"]/);
      for (const [, rel] of text.matchAll(/from\s+['"]\.\/([^'"]+)\.js['"]/g)) visit(`${rel}.ts`);
    };
    visit('browser.ts');
    expect([...seen].sort()).toContain('session.ts');
    expect([...seen]).not.toContain('backend.ts');
  });
});
