// Runtime selection: the registry's plain `tfjs` picks what works here, an explicit device that cannot
// work fails with its reason and an install hint, failures are remembered (no second import), a package
// that loads is activated and smoke-tested (fake engines stand in for tfjs-node, tfjs-node-gpu and
// WebGPU, which cannot be installed everywhere), tfjs:cuda counts only when TensorFlow runs on a GPU, a
// software WebGPU adapter is flagged, and two tfjs backends on different runtimes share the one global
// tfjs engine safely.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  BackendUnavailableError,
  GraphBuilder,
  listBackends,
  resolveBackend,
  runReference,
  tensor,
} from '@rnn-scratch/core';
import { expectClose } from '@rnn-scratch/core/testing';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TFJS_DEVICES,
  TfjsBackend,
  TfjsRuntimeLoader,
  TfjsRuntimeUnavailableError,
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
/** A real WebGPU in this runtime (a browser, or Node with one installed globally): the fakes stay out of its way. */
const NAVIGATOR_GPU = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu != null;
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

describe('plain tfjs (the registry picks the device)', () => {
  it('resolveBackend("tfjs") opens an available runtime here, the best of cuda > node > webgpu > wasm > cpu', async () => {
    const backend = await resolveBackend('tfjs');
    const expected = HAS_NODE_GPU || HAS_NODE || HAS_WEBGPU ? undefined : 'wasm';
    if (expected) expect(backend.device).toBe(expected);
    expect(['cuda', 'node', 'webgpu', 'wasm', 'cpu']).toContain(backend.device);
    expect(backend).toBeInstanceOf(TfjsBackend);
    expect(backend.name).toBe('tfjs');
    expect(backend.specVersion).toBe('v1');
    expect(backend.floatPrecision).toBe(32);
    const exe = await backend.compile(tinyGraph());
    expectClose(
      (await exe.run(tinyFeeds)).y,
      (await runReference(tinyGraph(), tinyFeeds)).y,
      { rtol: 1e-5, atol: 1e-6 },
      'tfjs',
    );
    await backend.dispose();
  });

  it('TfjsBackend.create has no auto of its own: it needs a device', async () => {
    await expect(TfjsBackend.create({} as never)).rejects.toThrow(
      /unknown tfjs device; the devices are cuda, node, webgpu, wasm, cpu/,
    );
  });
});

describe('explicit devices', () => {
  it.skipIf(HAS_NODE)(
    `tfjs:node fails with the reason and the install command${skipNote(HAS_NODE, '@tensorflow/tfjs-node is installed here')}`,
    async () => {
      const err = await TfjsBackend.create({ device: 'node' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TfjsRuntimeUnavailableError);
      const e = err as TfjsRuntimeUnavailableError;
      expect(e.device).toBe('node');
      expect(e.reason).toBe('the package @tensorflow/tfjs-node is not installed');
      expect(e.hint).toMatch(/^npm install @tensorflow\/tfjs-node@4\.22\.0/);
      expect(e.message).toMatch(
        /^tfjs:node is unavailable: the package @tensorflow\/tfjs-node is not installed \(to fix: npm install/,
      );
    },
  );

  it.skipIf(HAS_NODE_GPU)(
    `tfjs:cuda names tfjs-node-gpu, CUDA 11.2 and cuDNN 8${skipNote(HAS_NODE_GPU, '@tensorflow/tfjs-node-gpu is installed here')}`,
    async () => {
      const err = (await TfjsBackend.create({ device: 'cuda' }).catch(
        (e: unknown) => e,
      )) as TfjsRuntimeUnavailableError;
      expect(err.reason).toBe('the package @tensorflow/tfjs-node-gpu is not installed');
      expect(err.hint).toMatch(/npm install @tensorflow\/tfjs-node-gpu@4\.22\.0.*CUDA 11\.2 and cuDNN 8/);
    },
  );

  it.skipIf(HAS_WEBGPU)(
    `tfjs:webgpu names the packages it needs${skipNote(HAS_WEBGPU, 'webgpu and @tensorflow/tfjs-backend-webgpu are installed here')}`,
    async () => {
      const err = (await TfjsBackend.create({ device: 'webgpu' }).catch(
        (e: unknown) => e,
      )) as TfjsRuntimeUnavailableError;
      expect(err.reason).toMatch(/the package (webgpu|@tensorflow\/tfjs-backend-webgpu) is not installed/);
      expect(err.hint).toMatch(/npm install webgpu @tensorflow\/tfjs-backend-webgpu@4\.22\.0/);
    },
  );

  it('an unknown device is an error that lists the devices', async () => {
    await expect(TfjsBackend.create({ device: 'tpu' as never })).rejects.toThrow(
      /unknown tfjs device; the devices are cuda, node, webgpu, wasm, cpu/,
    );
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
    await expect(loader.load('node')).rejects.toThrow(
      /loaded but registered no "tensorflow" backend with this copy of @tensorflow\/tfjs-core/,
    );
  });

  it('tfjs-node and tfjs-node-gpu exclude each other (both are tfjs\'s "tensorflow" backend)', async () => {
    const { loader, imports } = countingLoader({ '@tensorflow/tfjs-node': async () => ({}) });
    await loader.load('node').catch(() => undefined);
    await expect(loader.load('cuda')).rejects.toThrow(
      /tfjs:node already loaded @tensorflow\/tfjs-node in this process/,
    );
    expect(imports).toEqual(['@tensorflow/tfjs-node']);
  });

  describe('webgpu without an adapter', () => {
    // An earlier load in this process (the registry probing the real `webgpu` package) may have set
    // navigator.gpu: hide it for this test, and put back whatever was there.
    let saved: PropertyDescriptor | undefined;
    beforeEach(() => {
      saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
      Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
    });
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
      await expect(loader.load('webgpu')).rejects.toThrow(/no WebGPU adapter was found/);
      expect(created).toBe(1);
      expect(imports).toEqual(['webgpu']); // tfjs-backend-webgpu is never imported without an adapter
    });
  });
});

describe('fake engines: a package that loads and registers its tfjs backend', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const undo of cleanups.splice(0).reverse()) undo();
  });

  /**
   * What tfjs-node(-gpu) or tfjs-backend-webgpu do when imported: register a tfjs backend `name`. This one
   * is tfjs's cpu backend under another name (every cpu kernel registered for `name` too), with `extra`
   * on its instance, e.g. tfjs-node's `isUsingGpuDevice`.
   */
  function registerFakeEngine(name: string, extra: Record<string, unknown>): void {
    tf.registerBackend(name, () => Object.assign(new MathBackendCPU(), extra));
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: name });
    cleanups.push(() => {
      for (const kernel of tf.getKernelsForBackend(name)) tf.unregisterKernel(kernel.kernelName, name);
      tf.removeBackend(name);
    });
  }

  /** A loader whose `pkg` import registers a fake engine `name` with `extra`. */
  function fakeLoader(pkg: string, name: string, extra: Record<string, unknown>) {
    return countingLoader({
      [pkg]: async () => {
        registerFakeEngine(name, extra);
        return {};
      },
    });
  }

  async function runsTinyGraph(backend: TfjsBackend): Promise<void> {
    const exe = await backend.compile(tinyGraph());
    expectClose(
      (await exe.run(tinyFeeds)).y,
      (await runReference(tinyGraph(), tinyFeeds)).y,
      { rtol: 1e-5, atol: 1e-6 },
      backend.id,
    );
    await backend.dispose();
  }

  it('tfjs:cuda loads, activates and runs when TensorFlow computes on a GPU', async () => {
    const { loader, imports } = fakeLoader('@tensorflow/tfjs-node-gpu', 'tensorflow', { isUsingGpuDevice: true });
    const runtime = await loader.load('cuda');
    expect(runtime).toMatchObject({ device: 'cuda', backendName: 'tensorflow' });
    expect(imports).toEqual(['@tensorflow/tfjs-node-gpu']);
    const backend = await TfjsBackend.create({ device: 'cuda', loader });
    expect(backend.id).toBe('tfjs:cuda');
    expect(tf.getBackend()).toBe('tensorflow'); // the smoke test ran on the fake engine
    await runsTinyGraph(backend);
  });

  it('tfjs:cuda is unavailable, with the reason, when tfjs-node-gpu fell back to the CPU', async () => {
    for (const isUsingGpuDevice of [false, undefined]) {
      const { loader } = fakeLoader(
        '@tensorflow/tfjs-node-gpu',
        'tensorflow',
        isUsingGpuDevice === undefined ? {} : { isUsingGpuDevice },
      );
      const err = (await loader.load('cuda').catch((e: unknown) => e)) as TfjsRuntimeUnavailableError;
      expect(err).toBeInstanceOf(TfjsRuntimeUnavailableError);
      expect(err.reason).toBe(
        `@tensorflow/tfjs-node-gpu loaded, but TensorFlow found no usable GPU and would compute on the CPU (its engine reports isUsingGpuDevice = ${String(isUsingGpuDevice)})`,
      );
      expect(err.hint).toMatch(/CUDA 11\.2 and cuDNN 8/);
      await expect(TfjsBackend.create({ device: 'cuda', loader })).rejects.toBe(err); // remembered
      for (const undo of cleanups.splice(0).reverse()) undo();
    }
  });

  it('tfjs:node loads, activates and runs on its (CPU) engine', async () => {
    const { loader } = fakeLoader('@tensorflow/tfjs-node', 'tensorflow', { isUsingGpuDevice: false });
    const backend = await TfjsBackend.create({ device: 'node', loader });
    expect(backend.runtime).toMatchObject({ device: 'node', backendName: 'tensorflow' });
    expect(backend.software).toBeUndefined();
    await runsTinyGraph(backend);
  });

  describe('webgpu adapters', () => {
    afterEach(() => {
      delete (globalThis as { navigator?: unknown }).navigator;
    });

    /** A WebGPU whose one adapter describes itself with `info`. */
    function fakeGpu(info: Record<string, unknown>): void {
      const gpu = { requestAdapter: async () => ({ info }) };
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }

    it.skipIf(NAVIGATOR_GPU)(
      `a SwiftShader adapter is flagged as software${skipNote(NAVIGATOR_GPU, 'this runtime has a real navigator.gpu')}`,
      async () => {
        fakeGpu({
          vendor: 'google',
          architecture: 'swiftshader',
          device: '',
          description: 'SwiftShader Device (Subzero)',
        });
        const { loader, imports } = fakeLoader('@tensorflow/tfjs-backend-webgpu', 'webgpu', {});
        const backend = await TfjsBackend.create({ device: 'webgpu', loader });
        expect(imports).toEqual(['@tensorflow/tfjs-backend-webgpu']); // navigator.gpu was there: no `webgpu` package needed
        expect(backend.runtime.software).toBe('SwiftShader');
        expect(backend.software).toBe('SwiftShader');
        await runsTinyGraph(backend);
      },
    );

    it.skipIf(NAVIGATOR_GPU)(
      `a hardware adapter is not${skipNote(NAVIGATOR_GPU, 'this runtime has a real navigator.gpu')}`,
      async () => {
        fakeGpu({ vendor: 'nvidia', architecture: 'ampere', device: '', description: 'NVIDIA GeForce RTX 3080' });
        const { loader } = fakeLoader('@tensorflow/tfjs-backend-webgpu', 'webgpu', {});
        const backend = await TfjsBackend.create({ device: 'webgpu', loader });
        expect(backend.software).toBeUndefined();
        await backend.dispose();
      },
    );

    it.skipIf(NAVIGATOR_GPU)(
      `a fallback or CPU-type adapter is software too${skipNote(NAVIGATOR_GPU, 'this runtime has a real navigator.gpu')}`,
      async () => {
        fakeGpu({ vendor: 'mesa', architecture: '', device: '', description: 'some rasteriser', adapterType: 'CPU' });
        const { loader } = fakeLoader('@tensorflow/tfjs-backend-webgpu', 'webgpu', {});
        expect((await loader.load('webgpu')).software).toBe('some rasteriser');
        for (const undo of cleanups.splice(0).reverse()) undo();
        fakeGpu({ vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: true });
        const { loader: l2 } = fakeLoader('@tensorflow/tfjs-backend-webgpu', 'webgpu', {});
        expect((await l2.load('webgpu')).software).toBe('a fallback adapter');
      },
    );
  });
});

describe('listing the runtimes (the registry)', () => {
  it('lists every tfjs device with availability, reason and install hint', async () => {
    const list = (await listBackends()).filter((s) => s.name === 'tfjs');
    expect(list.map((s) => s.id)).toEqual(TFJS_DEVICES.map((d) => `tfjs:${d}`));
    const byDevice = Object.fromEntries(list.map((s) => [s.device, s]));
    expect(byDevice.cpu).toMatchObject({ available: true });
    expect(byDevice.wasm).toMatchObject({ available: true });
    for (const s of list.filter((x) => !x.available)) {
      expect(s.reason).toBeTruthy();
      expect(s.hint).toMatch(/npm install/);
    }
    if (!HAS_NODE)
      expect(byDevice.node).toMatchObject({
        available: false,
        reason: 'the package @tensorflow/tfjs-node is not installed',
      });
  });
});

describe('the registry', () => {
  it('registers tfjs with priority 50, the five devices and install hints', () => {
    expect(tfjsBackendFactory).toMatchObject({
      name: 'tfjs',
      priority: 50,
      devices: ['cuda', 'node', 'webgpu', 'wasm', 'cpu'],
    });
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

  it.skipIf(HAS_NODE)(
    `resolveBackend("tfjs:node") fails with the reason and the hint${skipNote(HAS_NODE, '@tensorflow/tfjs-node is installed here')}`,
    async () => {
      const err = (await resolveBackend('tfjs:node').catch((e: unknown) => e)) as BackendUnavailableError;
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect(err.message).toMatch(
        /^backend tfjs:node is unavailable: the package @tensorflow\/tfjs-node is not installed; to fix: npm install @tensorflow\/tfjs-node@4\.22\.0/,
      );
      expect(err.statuses[0]).toMatchObject({ id: 'tfjs:node', available: false });
    },
  );

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
