import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ReferenceBackend, listBackends, registerBackend, resolveBackend } from '../src/index.js';

describe('backend registry', () => {
  let created: string[] = [];
  registerBackend({
    name: 'fake',
    priority: -1,
    devices: ['gpu', 'fast', 'slow'],
    autoDevices: ['gpu', 'fast', 'slow'],
    async create(device) {
      created.push(device);
      if (device === 'gpu') throw new Error('no GPU here');
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

  it('an explicit unavailable device fails with one error naming the reason and the hint', async () => {
    const err = await resolveBackend('fake:gpu').catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toContain('fake:gpu: no GPU here (install a GPU driver)');
    expect(err.statuses).toHaveLength(1);
  });

  it('names the known backends for an unknown name and the devices for an unknown device', async () => {
    await expect(resolveBackend('nope')).rejects.toThrow(/unknown backend "nope"; known backends: .*reference/);
    await expect(resolveBackend('fake:tpu')).rejects.toThrow(/has no device "tpu"; its devices are gpu, fast, slow/);
  });

  it('lists every device with its availability and reason', async () => {
    const list = await listBackends();
    const gpu = list.find((s) => s.id === 'fake:gpu')!;
    expect(gpu.available).toBe(false);
    expect(gpu.reason).toBe('no GPU here');
    expect(list.find((s) => s.id === 'reference:cpu')!.available).toBe(true);
  });
});
