import { describe, expect, it } from 'vitest';
import {
  type Backend,
  BackendIdError,
  BackendUnavailableError,
  ReferenceBackend,
  autoChoice,
  checkBackendId,
  firstLine,
  listBackends,
  parseBackendId,
  registerBackend,
  registerUnavailableBackend,
  resolveBackend,
  softwareAdapterName,
} from '../src/index.js';

/** A working backend on `device`, optionally a software GPU; counts disposals. */
function fakeBackend(device: string, software?: string, disposed?: string[]): Backend {
  const b = new ReferenceBackend();
  return Object.assign(b, {
    device,
    ...(software !== undefined ? { software } : {}),
    dispose: async () => {
      disposed?.push(device);
    },
  });
}

describe('backend registry', () => {
  let created: string[] = [];
  registerBackend({
    name: 'fake',
    priority: -1,
    devices: ['gpu', 'fast', 'slow'],
    autoDevices: ['gpu', 'fast', 'slow'],
    async create(device) {
      created.push(device);
      if (device === 'gpu') throw new Error('no GPU here\n    at some engine frame');
      return Object.assign(new ReferenceBackend(), { device });
    },
    hint: (d) => (d === 'gpu' ? 'install a GPU driver' : undefined),
  });

  it('a bare name tries its default device, then the best of its devices that works', async () => {
    created = [];
    const b = await resolveBackend('fake');
    expect(b.device).toBe('fast');
    expect(created).toEqual(['gpu', 'fast']);
    created = [];
    await resolveBackend('fake');
    expect(created).toEqual(['fast']); // the gpu failure is remembered, not probed again
  });

  it('an explicit unavailable device fails with one line naming the reason and the hint', async () => {
    const err = await resolveBackend('fake:gpu').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toBe('backend fake:gpu is unavailable: no GPU here; to fix: install a GPU driver');
    expect(err.statuses).toEqual([
      {
        id: 'fake:gpu',
        name: 'fake',
        device: 'gpu',
        available: false,
        reason: 'no GPU here',
        hint: 'install a GPU driver',
      },
    ]);
  });

  it('a bare name whose every device fails names every reason in one line', async () => {
    registerBackend({
      name: 'broken',
      priority: -2,
      devices: ['a', 'b'],
      async create(device) {
        throw new Error(`${device} is broken`);
      },
      hint: (d) => (d === 'b' ? 'fix b' : undefined),
    });
    const err = await resolveBackend('broken').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toBe(
      'backend broken is unavailable on every device: broken:a: a is broken; broken:b: b is broken (to fix: fix b)',
    );
    expect(err.statuses.map((s: { id: string }) => s.id)).toEqual(['broken:a', 'broken:b']);
  });

  it('unknown names and devices are BackendIdErrors with a suggestion or the list', async () => {
    await expect(resolveBackend('nope')).rejects.toThrow(BackendIdError);
    await expect(resolveBackend('nope')).rejects.toThrow(/^unknown backend 'nope' \(backends: auto, .*reference.*\)$/);
    await expect(resolveBackend('refrence')).rejects.toThrow(
      /^unknown backend 'refrence'; did you mean 'reference'\?$/,
    );
    await expect(resolveBackend('fake:tpu')).rejects.toThrow(
      /^backend 'fake' has no device 'tpu'; its devices are gpu, fast, slow; did you mean 'fake:gpu'\?$/,
    );
    await expect(resolveBackend('fake:quantum')).rejects.toThrow(
      /^backend 'fake' has no device 'quantum'; its devices are gpu, fast, slow$/,
    );
    await expect(resolveBackend('fake:fsat')).rejects.toThrow(/; did you mean 'fake:fast'\?$/);
  });

  it('lists every device with its availability and one-line reason', async () => {
    const list = await listBackends();
    const gpu = list.find((s) => s.id === 'fake:gpu')!;
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toBe('no GPU here');
    expect(gpu.hint).toBe('install a GPU driver');
    expect(list.find((s) => s.id === 'reference:cpu')).toEqual({
      id: 'reference:cpu',
      name: 'reference',
      device: 'cpu',
      available: true,
    });
  });
});

describe('backend ids', () => {
  it('parseBackendId is the one parser: name, or name and device', () => {
    expect(parseBackendId('onnx')).toEqual({ name: 'onnx' });
    expect(parseBackendId('onnx:webgpu')).toEqual({ name: 'onnx', device: 'webgpu' });
    expect(parseBackendId('auto')).toEqual({ name: 'auto' });
    for (const bad of ['', ':cpu', 'onnx:', 'onnx:cpu:x', ' ']) {
      expect(() => parseBackendId(bad), bad).toThrow(BackendIdError);
    }
    expect(() => parseBackendId('onnx:cpu:x')).toThrow(
      /^'onnx:cpu:x' is not a backend id; write a name or name:device/,
    );
  });

  it('checkBackendId accepts names that are not registered yet when told about them, and rejects auto:device', () => {
    expect(checkBackendId('later:gpu', ['later'])).toEqual({ name: 'later', device: 'gpu' });
    expect(() => checkBackendId('latr', ['later'])).toThrow(/^unknown backend 'latr'; did you mean 'later'\?$/);
    expect(checkBackendId('auto')).toEqual({ name: 'auto' });
    expect(() => checkBackendId('auto:cpu')).toThrow(/^'auto' takes no device/);
    expect(() => checkBackendId('atuo')).toThrow(/did you mean 'auto'\?$/);
  });
});

describe('software GPUs', () => {
  const disposed: string[] = [];
  // Outranks everything, but its GPU is a software rasteriser; its cpu device is real.
  registerBackend({
    name: 'soft',
    priority: 1000,
    devices: ['webgpu', 'cpu', 'vulkan'],
    autoDevices: ['webgpu', 'vulkan', 'cpu'],
    async create(device) {
      if (device === 'cpu') throw new Error('cpu disabled in this test');
      return fakeBackend(device, device === 'webgpu' ? 'SwiftShader' : 'lavapipe', disposed);
    },
  });

  it('auto never picks a software GPU while a hardware or CPU device works', async () => {
    disposed.length = 0;
    const b = await resolveBackend('auto');
    expect(`${b.name}:${b.device}`).toBe('reference:cpu');
    expect(b.software).toBeUndefined();
    expect(disposed).toEqual(['vulkan', 'webgpu']); // both were tried, found software, and let go
  });

  it('lists software GPUs as available, with the rasteriser, and autoChoice agrees with auto', async () => {
    const list = await listBackends();
    expect(list.find((s) => s.id === 'soft:webgpu')).toEqual({
      id: 'soft:webgpu',
      name: 'soft',
      device: 'webgpu',
      available: true,
      software: 'SwiftShader',
    });
    expect(autoChoice(list)?.id).toBe('reference:cpu');
    // With every hardware device gone, auto's choice is the best software GPU.
    expect(autoChoice(list.map((s) => (s.software ? s : { ...s, available: false })))?.id).toBe('soft:webgpu');
  });

  it('a device its factory knows to be a software GPU is not even opened while another device works', async () => {
    const created: string[] = [];
    registerBackend({
      name: 'known',
      priority: 2000,
      devices: ['webgpu'],
      async create(device) {
        created.push(device);
        return fakeBackend(device, 'SwiftShader');
      },
      software: () => 'SwiftShader',
    });
    const b = await resolveBackend('auto');
    expect(`${b.name}:${b.device}`).toBe('reference:cpu');
    expect(created).toEqual([]);
    // Asked for by name, when nothing else of it works, it is opened.
    expect(await resolveBackend('known')).toMatchObject({ device: 'webgpu', software: 'SwiftShader' });
    expect(created).toEqual(['webgpu']);
  });

  it('a bare name takes a software GPU when nothing else of it works; an explicit device is opened as asked', async () => {
    disposed.length = 0;
    const bare = await resolveBackend('soft');
    expect(bare).toMatchObject({ device: 'webgpu', software: 'SwiftShader' });
    expect(disposed).toEqual(['vulkan']); // the second software GPU is released, the first kept
    const explicit = await resolveBackend('soft:vulkan');
    expect(explicit).toMatchObject({ device: 'vulkan', software: 'lavapipe' });
  });
});

describe('backends that could not be loaded', () => {
  it('are known by name, listed last and reported with their reason and hint', async () => {
    registerUnavailableBackend('gone', 'its package is not installed\nmore detail', 'npm install gone');
    expect(checkBackendId('gone:gpu')).toEqual({ name: 'gone', device: 'gpu' });
    expect(() => checkBackendId('gon')).toThrow(/did you mean 'gone'\?$/);
    const list = await listBackends();
    expect(list.at(-1)).toEqual({
      id: 'gone',
      name: 'gone',
      available: false,
      reason: 'its package is not installed',
      hint: 'npm install gone',
    });
    await expect(resolveBackend('gone')).rejects.toThrow(
      /^backend gone is unavailable: its package is not installed; to fix: npm install gone$/,
    );
    await expect(resolveBackend('gone:gpu')).rejects.toThrow(
      /^backend gone:gpu is unavailable: its package is not installed; to fix: npm install gone$/,
    );
    const err = await resolveBackend('gone').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);

    // Registering it for real replaces the placeholder.
    registerBackend({ name: 'gone', priority: -5, devices: ['gpu'], create: async (d) => fakeBackend(d) });
    expect((await resolveBackend('gone')).device).toBe('gpu');
    expect((await listBackends()).filter((s) => s.name === 'gone').map((s) => s.id)).toEqual(['gone:gpu']);
  });
});

describe('message helpers', () => {
  it('firstLine: the first non-blank line of a text or an error message', () => {
    expect(firstLine('\n  ONNX failed  \n  at frame')).toBe('ONNX failed');
    expect(firstLine(new Error('bad\nstack'))).toBe('bad');
    expect(firstLine('')).toBe('');
  });

  it('softwareAdapterName recognises software rasterisers in adapter info and driver paths', () => {
    expect(softwareAdapterName('Google', 'swiftshader', 'SwiftShader Device (Subzero)')).toBe('SwiftShader');
    expect(softwareAdapterName('./libvk_swiftshader.so')).toBe('SwiftShader');
    expect(softwareAdapterName('/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so')).toBe('lavapipe');
    expect(softwareAdapterName(undefined, 'llvmpipe (LLVM 15.0.6, 256 bits)')).toBe('llvmpipe');
    expect(softwareAdapterName('Microsoft Basic Render Driver')).toBe('WARP');
    for (const hw of [
      'nvidia',
      'NVIDIA GeForce RTX 4090',
      'libvulkan_radeon.so',
      'libvulkan_intel.so',
      'libGLX_nvidia.so.0',
      'Apple M2',
      'slvpx',
    ]) {
      expect(softwareAdapterName(hw), hw).toBeUndefined();
    }
  });
});
