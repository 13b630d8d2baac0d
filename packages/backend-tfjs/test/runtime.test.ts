// Runtime selection: plain `tfjs` picks what works here, an explicit device that cannot work fails with
// its reason and an install hint, failures are remembered (no second import), the registry sees all of
// it, and two tfjs backends on different runtimes share the one global tfjs engine safely.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BackendUnavailableError, GraphBuilder, listBackends, resolveBackend, runReference, tensor } from '@rnn-scratch/core';
import { expectClose } from '@rnn-scratch/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TFJS_BACKEND_SPEC_VERSION,
  TFJS_DEVICES,
  TfjsBackend,
  TfjsRuntimeLoader,
  TfjsRuntimeUnavailableError,
  listTfjsRuntimes,
  tfjsBackendFactory,
} from '../src/index.js';

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

const HAS_NODE = installed('@tensorflow/tfjs-node');
const HAS_NODE_GPU = installed('@tensorflow/tfjs-node-gpu');
const HAS_WEBGPU = installed('webgpu') && installed('@tensorflow/tfjs-backend-webgpu');
/** ` [skipped: why]` in a test title when `skipped`, else nothing. */
const skipNote = (skipped: boolean, why: string) => (skipped ? ` [skipped: ${why}]` : '');

/** A loader whose imports are counted (and can be faked per package name). */
function countingLoader(fakes: Record<string, () => Promise<unknown>> = {}) {
  const imports: string[] = [];
  const loader = new TfjsRuntimeLoader(async (name) => {
    imports.push(name);
    const fake = fakes[name];
    return fake ? fake() : import(/* @vite-ignore */ name);
  });
  return { loader, imports };
}

function tinyGraph() {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [2, 3]);
  const w = b.input('w', 'float32', [3, 3]);
  b.output('y', x.matmul(w, { transB: true }).tanh().sum(1));
  return b.build();
}
const tinyFeeds = {
  x: tensor('float32', [2, 3], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]),
  w: tensor('float32', [3, 3], [1, 2, 3, -1, 0.5, 0.25, 0, 1, -2]),
};

describe('plain tfjs (auto)', () => {
  it('picks an available runtime here, the best of cuda > node > webgpu > wasm > cpu', async () => {
    const backend = await TfjsBackend.create();
    const expected = HAS_NODE_GPU || HAS_NODE || HAS_WEBGPU ? undefined : 'wasm';
    if (expected) expect(backend.device).toBe(expected);
    expect(['cuda', 'node', 'webgpu', 'wasm', 'cpu']).toContain(backend.device);
    expect(backend.name).toBe('tfjs');
    expect(backend.specVersion).toBe('v1');
    expect(TFJS_BACKEND_SPEC_VERSION).toBe('v1');
    expect(backend.floatPrecision).toBe(32);
    const exe = await backend.compile(tinyGraph());
    expectClose((await exe.run(tinyFeeds)).y, (await runReference(tinyGraph(), tinyFeeds)).y, { rtol: 1e-5, atol: 1e-6 }, 'auto');
    await backend.dispose();
  });

  it('best() skips what is missing and reports every reason when nothing works', async () => {
    const { loader } = countingLoader();
    const got = await loader.best({}, ['node', 'cpu']);
    expect(got.device).toBe(HAS_NODE ? 'node' : 'cpu');
    const { loader: l2 } = countingLoader({ '@tensorflow/tfjs-node': () => Promise.reject(Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node'"), { code: 'ERR_MODULE_NOT_FOUND' })) });
    await expect(l2.best({}, ['node'])).rejects.toThrow(/no TensorFlow\.js runtime works here: tfjs:node: the package @tensorflow\/tfjs-node is not installed/);
  });
});

describe('explicit devices', () => {
  it.skipIf(HAS_NODE)(`tfjs:node fails with the reason and the install command${skipNote(HAS_NODE, '@tensorflow/tfjs-node is installed here')}`, async () => {
    const err = await TfjsBackend.create({ device: 'node' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TfjsRuntimeUnavailableError);
    const e = err as TfjsRuntimeUnavailableError;
    expect(e.device).toBe('node');
    expect(e.reason).toBe('the package @tensorflow/tfjs-node is not installed');
    expect(e.hint).toMatch(/^npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(e.message).toMatch(/^tfjs:node is unavailable: the package @tensorflow\/tfjs-node is not installed \(to fix: npm install/);
  });

  it.skipIf(HAS_NODE_GPU)(`tfjs:cuda names tfjs-node-gpu, CUDA 11.2 and cuDNN 8${skipNote(HAS_NODE_GPU, '@tensorflow/tfjs-node-gpu is installed here')}`, async () => {
    const err = (await TfjsBackend.create({ device: 'cuda' }).catch((e: unknown) => e)) as TfjsRuntimeUnavailableError;
    expect(err.reason).toBe('the package @tensorflow/tfjs-node-gpu is not installed');
    expect(err.hint).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0.*CUDA 11\.2 and cuDNN 8/);
  });

  it.skipIf(HAS_WEBGPU)(`tfjs:webgpu names the packages it needs${skipNote(HAS_WEBGPU, 'webgpu and @tensorflow/tfjs-backend-webgpu are installed here')}`, async () => {
    const err = (await TfjsBackend.create({ device: 'webgpu' }).catch((e: unknown) => e)) as TfjsRuntimeUnavailableError;
    expect(err.reason).toMatch(/the package (webgpu|@tensorflow\/tfjs-backend-webgpu) is not installed/);
    expect(err.hint).toMatch(/npm install webgpu @tensorflow\/tfjs-backend-webgpu@4\.22\.0/);
  });

  it('an unknown device is an error that lists the devices', async () => {
    await expect(TfjsBackend.create({ device: 'tpu' as never })).rejects.toThrow(/unknown tfjs device; the devices are cuda, node, webgpu, wasm, cpu/);
  });

  it('remembers a failure: the second request does not import again', async () => {
    const { loader, imports } = countingLoader();
    const first = await loader.load('node').catch((e: unknown) => e);
    const second = await loader.load('node').catch((e: unknown) => e);
    expect(imports).toEqual(['@tensorflow/tfjs-node']);
    if (!HAS_NODE) {
      expect(first).toBeInstanceOf(TfjsRuntimeUnavailableError);
      expect(second).toBe(first);
    }
    // The same through TfjsBackend.create with that loader.
    await TfjsBackend.create({ device: 'node', loader }).catch(() => undefined);
    expect(imports).toEqual(['@tensorflow/tfjs-node']);
  });

  it('a package that loads but registers no tfjs backend is reported (a second @tensorflow/tfjs-core)', async () => {
    const { loader } = countingLoader({ '@tensorflow/tfjs-node': async () => ({}) });
    await expect(loader.load('node')).rejects.toThrow(/loaded but registered no "tensorflow" backend with this copy of @tensorflow\/tfjs-core/);
  });

  it('tfjs-node and tfjs-node-gpu exclude each other (both are tfjs\'s "tensorflow" backend)', async () => {
    const { loader, imports } = countingLoader({ '@tensorflow/tfjs-node': async () => ({}) });
    await loader.load('node').catch(() => undefined);
    await expect(loader.load('cuda')).rejects.toThrow(/tfjs:node already loaded @tensorflow\/tfjs-node in this process/);
    expect(imports).toEqual(['@tensorflow/tfjs-node']);
  });

  describe('webgpu without an adapter', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    afterEach(() => {
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
    });

    it('sets navigator.gpu from the webgpu package, finds no adapter, and says so', async () => {
      let created = 0;
      const { loader, imports } = countingLoader({
        webgpu: async () => ({
          globals: {},
          create: () => {
            created++;
            return { requestAdapter: async () => null };
          },
        }),
      });
      if (saved?.value?.gpu) return; // a real WebGPU: nothing to fake
      await expect(loader.load('webgpu')).rejects.toThrow(/no WebGPU adapter was found/);
      expect(created).toBe(1);
      expect(imports).toEqual(['webgpu']); // tfjs-backend-webgpu is never imported without an adapter
    });
  });
});

describe('listTfjsRuntimes', () => {
  it('lists every candidate with availability, reason and install hint', async () => {
    const list = await listTfjsRuntimes();
    expect(list.map((s) => s.id)).toEqual(TFJS_DEVICES.map((d) => `tfjs:${d}`));
    const byDevice = Object.fromEntries(list.map((s) => [s.device, s]));
    expect(byDevice.cpu).toMatchObject({ available: true, backendName: 'cpu' });
    expect(byDevice.wasm).toMatchObject({ available: true, backendName: 'wasm' });
    for (const s of list.filter((x) => !x.available)) {
      expect(s.reason).toBeTruthy();
      expect(s.hint).toMatch(/npm install/);
    }
    if (!HAS_NODE) expect(byDevice.node).toMatchObject({ available: false, reason: 'the package @tensorflow/tfjs-node is not installed' });
  });
});

describe('the registry', () => {
  it('registers tfjs with priority 50, the five devices and install hints', () => {
    expect(tfjsBackendFactory).toMatchObject({ name: 'tfjs', priority: 50, devices: ['cuda', 'node', 'webgpu', 'wasm', 'cpu'] });
    expect(tfjsBackendFactory.hint?.('node')).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect(tfjsBackendFactory.hint?.('cuda')).toMatch(/CUDA 11\.2 and cuDNN 8/);
  });

  it('resolveBackend("tfjs:wasm") and ("tfjs:cpu") give working backends', async () => {
    for (const device of ['wasm', 'cpu']) {
      const backend = await resolveBackend(`tfjs:${device}`);
      expect(`${backend.name}:${backend.device}`).toBe(`tfjs:${device}`);
      await backend.dispose();
    }
  });

  it.skipIf(HAS_NODE)(`resolveBackend("tfjs:node") fails with the reason and the hint${skipNote(HAS_NODE, '@tensorflow/tfjs-node is installed here')}`, async () => {
    const err = (await resolveBackend('tfjs:node').catch((e: unknown) => e)) as BackendUnavailableError;
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toMatch(/^backend tfjs:node is unavailable: the package @tensorflow\/tfjs-node is not installed; to fix: npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(err.statuses[0]).toMatchObject({ id: 'tfjs:node', available: false });
  });

  it('listBackends() shows the tfjs devices', async () => {
    const list = await listBackends();
    const tfjs = list.filter((s) => s.name === 'tfjs');
    expect(tfjs.map((s) => s.device)).toEqual(['cuda', 'node', 'webgpu', 'wasm', 'cpu']);
    expect(tfjs.find((s) => s.device === 'wasm')?.available).toBe(true);
  });
});

describe('one global tfjs engine', () => {
  it('two backends on different runtimes take turns safely, even interleaved', async () => {
    const cpu = await TfjsBackend.create({ device: 'cpu' });
    const wasm = await TfjsBackend.create({ device: 'wasm' });
    const g = tinyGraph();
    const want = (await runReference(g, tinyFeeds)).y;
    const [ec, ew] = await Promise.all([cpu.compile(g), wasm.compile(g)]);
    const before = tf.memory().numTensors;
    const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? ew : ec).run(tinyFeeds)));
    for (const r of runs) expectClose(r.y, want, { rtol: 1e-5, atol: 1e-6 }, 'interleaved');
    expect(tf.memory().numTensors).toBe(before);
    await cpu.dispose();
    await expect(cpu.compile(g)).rejects.toThrow(/tfjs:cpu: this backend has been disposed/);
    // The other backend is unaffected.
    expectClose((await ew.run(tinyFeeds)).y, want, { rtol: 1e-5, atol: 1e-6 }, 'after dispose');
    await wasm.dispose();
  });
});

describe('browser bundles', () => {
  it('no source file imports a node: module at top level (Node-only paths use guarded dynamic imports)', () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text, file).not.toMatch(/^\s*import\s[^;]*?from\s+['"](node:|fs['"]|path['"]|module['"])/m);
    }
  });
});
