// The Backend contract around the lowering: session caching, feed checking, devices, the registry.

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeedError, buildGraph, hashGraph, listBackends, resolveBackend, tensor } from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxBackend, OnnxExecutable, createOnnxBackend } from '../src/backend.js';
import { ONNX_DEVICES, OnnxDeviceUnavailableError, probeDevice } from '../src/devices.js';

/** Each device's probe result: available, or the reason and hint it failed with. */
function deviceStatus() {
  return Promise.all(
    ONNX_DEVICES.map((device) =>
      probeDevice(device).then(
        () => ({ device, available: true as const }),
        (e: OnnxDeviceUnavailableError) => ({ device, available: false as const, reason: e.reason, hint: e.hint }),
      ),
    ),
  );
}
import { lowerToOnnx } from '../src/lower.js';

const graph = buildGraph((b) => {
  const x = b.input('x', 'float32', [2, 3]);
  const w = b.input('w', 'float32', [3, 2]);
  b.output('y', x.matmul(w).tanh());
});
const feeds = {
  x: tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
  w: tensor('float32', [3, 2], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
};

const backend = new OnnxBackend({ device: 'cpu' });
afterAll(() => backend.dispose());

describe('OnnxBackend', () => {
  it('implements the v1 spec on cpu with float64 support', () => {
    expect(backend.specVersion).toBe('v1');
    expect(backend.name).toBe('onnx');
    expect(backend.device).toBe('cpu');
    expect(backend.floatPrecision).toBe(64);
  });

  it('compiling the same graph twice reuses the cached session', async () => {
    const a = await backend.compile(graph);
    const again = buildGraph((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      const w = b.input('w', 'float32', [3, 2]);
      b.output('y', x.matmul(w).tanh());
    });
    expect(hashGraph(again)).toBe(hashGraph(graph));
    const b = await backend.compile(again);
    expect(b).toBe(a);
    expect((b as OnnxExecutable).session).toBe((a as OnnxExecutable).session);
    expect(backend.cachedSessions).toBe(1);
    // concurrent compiles of a new graph share one session too
    const other = buildGraph((bb) => bb.output('z', bb.input('x', 'float32', [2]).exp()));
    const [c, d] = await Promise.all([backend.compile(other), backend.compile(other)]);
    expect(c).toBe(d);
    expect(backend.cachedSessions).toBe(2);
    // one dispose per compile: the session lives until the last one
    await a.dispose();
    expect((await b.run(feeds)).y.shape).toEqual([2, 2]);
    await b.dispose();
    expect(backend.cachedSessions).toBe(1);
    await expect(b.run(feeds)).rejects.toThrow(/disposed/);
    await c.dispose();
    await d.dispose();
    expect(backend.cachedSessions).toBe(0);
  });

  it('runs with the IR dtype and shape on the outputs', async () => {
    const exe = await backend.compile(graph);
    expect(exe.inputNames).toEqual(['x', 'w']);
    expect(exe.outputNames).toEqual(['y']);
    const { y } = await exe.run(feeds);
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 2]);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(y.data[0]).toBeCloseTo(Math.tanh(1 * 0.1 + 2 * 0.3 + 3 * 0.5), 6);
    // inputs are not modified, and running again gives the same numbers
    expect(Array.from((await exe.run(feeds)).y.data)).toEqual(Array.from(y.data));
    await exe.dispose();
  });

  it('a wrong shape, dtype, missing or unknown feed throws a FeedError naming the input', async () => {
    const exe = await backend.compile(graph);
    const bad = [
      [
        { ...feeds, x: tensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]) },
        /input "x" expects f32\[2,3\] but was fed f32\[3,2\]/,
      ],
      [
        { ...feeds, w: tensor('float64', [3, 2], [1, 2, 3, 4, 5, 6]) },
        /input "w" expects f32\[3,2\] but was fed f64\[3,2\]/,
      ],
      [{ x: feeds.x }, /missing feed for input "w"/],
      [{ ...feeds, extra: feeds.x }, /unknown feed "extra"/],
      [
        { ...feeds, x: { dtype: 'float32', shape: [2, 3], data: new Float64Array(6) } },
        /input "x": dtype says float32 but data is a Float64Array/,
      ],
    ] as const;
    for (const [f, msg] of bad) {
      const err = await exe.run(f as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FeedError);
      expect((err as Error).message).toMatch(msg);
    }
    await exe.dispose();
  });

  it('uses the documented session options (1 intra-op thread by default, no spinning with more, weights-first)', () => {
    const one = backend.sessionOptions();
    expect(one).toMatchObject({
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      executionProviders: ['cpu'],
    });
    const weightsFirst = { optimization: { disable_specified_optimizers: 'GemmTransposeFusion' } };
    expect(one.extra).toEqual(weightsFirst);
    const two = new OnnxBackend({ threads: 2 }).sessionOptions();
    expect(two.intraOpNumThreads).toBe(2);
    expect(two.extra).toEqual({ ...weightsFirst, session: { intra_op: { allow_spinning: '0' } } });
    expect(() => new OnnxBackend({ threads: 0 })).toThrow(/threads/);
  });

  it('threads > 1 (with allow_spinning off) gives the same results', async () => {
    const b2 = await createOnnxBackend({ device: 'cpu', threads: 2 });
    const exe = await b2.compile(graph);
    const ref = await backend.compile(graph);
    expect(Array.from((await exe.run(feeds)).y.data)).toEqual(Array.from((await ref.run(feeds)).y.data));
    await ref.dispose();
    await b2.dispose();
  });

  it('dumps the .onnx file when asked, and the dump loads in ONNX Runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-dump-'));
    try {
      const b = new OnnxBackend({ dumpDir: dir });
      await b.compile(graph);
      const file = join(dir, `${hashGraph(graph)}.onnx`);
      expect(existsSync(file)).toBe(true);
      expect(readdirSync(dir)).toHaveLength(1);
      const s = await ort.InferenceSession.create(file);
      expect([...s.inputNames]).toEqual(['x', 'w']);
      await s.release();
      await b.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lowerToOnnx returns the model bytes', () => {
    const bytes = lowerToOnnx(graph);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBeGreaterThan(50);
  });

  it('a disposed backend refuses to compile', async () => {
    const b = new OnnxBackend();
    const exe = await b.compile(graph);
    await b.dispose();
    await expect(exe.run(feeds)).rejects.toThrow(/disposed/);
    await expect(b.compile(graph)).rejects.toThrow(/disposed/);
  });
});

describe('devices', () => {
  it('cpu is always available', async () => {
    await expect(probeDevice('cpu')).resolves.toBeUndefined();
    const b = await createOnnxBackend();
    expect(b.device).toBe('cpu');
    await b.dispose();
  });

  it('an unavailable device fails with a clear reason and a fix (webgpu/cuda on a machine without them)', async () => {
    const status = await deviceStatus();
    expect(status.find((s) => s.device === 'cpu')?.available).toBe(true);
    for (const s of status) {
      if (s.available) continue;
      const err = await createOnnxBackend({ device: s.device }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OnnxDeviceUnavailableError);
      const msg = (err as Error).message;
      expect(msg).toMatch(new RegExp(`^onnx:${s.device} is unavailable: `));
      expect(msg.split('\n')).toHaveLength(1);
      if (s.device === 'webgpu') {
        expect(msg).toMatch(/no WebGPU adapter|Vulkan|WebGPU/);
        expect(msg).toMatch(/libvulkan1/);
      }
      if (s.device === 'cuda') {
        expect(msg).toMatch(/CUDA/);
        expect(msg).toMatch(/CUDA 12 and cuDNN 9/);
      }
    }
  });

  it('webgpu without a GPU says why: no Vulkan loader, or no adapter', async (ctx) => {
    const webgpu = (await deviceStatus()).find((s) => s.device === 'webgpu')!;
    if (webgpu.available) return ctx.skip();
    expect(webgpu.reason).toMatch(
      /libvulkan\.so\.1 was not found|Failed to get a WebGPU adapter: No supported adapters/,
    );
    expect(webgpu.hint).toMatch(/GPU driver/);
  });

  it('an unknown device is refused', async () => {
    await expect(createOnnxBackend({ device: 'tpu' as never })).rejects.toThrow(/unknown device/);
  });
});

describe('registry', () => {
  it('importing the package registers onnx with core', async () => {
    await import('../src/index.js');
    const b = await resolveBackend('onnx:cpu');
    expect(b.name).toBe('onnx');
    expect(b.device).toBe('cpu');
    const exe = await b.compile(graph);
    expect((await exe.run(feeds)).y.shape).toEqual([2, 2]);
    await b.dispose();
    const all = await listBackends();
    const ids = all.map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['onnx:cpu', 'onnx:webgpu', 'onnx:cuda']));
    for (const s of all.filter((x) => x.name === 'onnx' && !x.available)) {
      expect(s.reason).toBeTruthy();
      expect(s.hint).toBeTruthy();
      expect(s.reason).not.toContain('Fix:'); // the registry prints the hint itself
    }
  });

  it('auto picks the best onnx device that works (cpu here unless a GPU path works)', async () => {
    await import('../src/index.js');
    const b = await resolveBackend('auto');
    expect(b.name).toBe('onnx');
    await b.dispose();
  });
});
