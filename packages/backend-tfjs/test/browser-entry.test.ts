// The browser entry in Node: it registers a browser's devices (webgpu, webgl, wasm, cpu), webgl says why
// it cannot run outside a browser, and the others work as in Node.

import { listBackends, resolveBackend } from '@rnn-scratch/core';
import { describe, expect, it } from 'vitest';
import { tfjsBrowserBackendFactory } from '../src/browser.js';

describe('tfjs browser entry', () => {
  it('registers tfjs with the browser devices, best first', () => {
    expect(tfjsBrowserBackendFactory.name).toBe('tfjs');
    expect(tfjsBrowserBackendFactory.devices).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('lists webgl as unavailable outside a browser, with the reason and a hint; wasm and cpu work', async () => {
    const rows = (await listBackends()).filter((s) => s.name === 'tfjs');
    expect(rows.map((s) => s.id)).toEqual(['tfjs:webgpu', 'tfjs:webgl', 'tfjs:wasm', 'tfjs:cpu']);
    const webgl = rows[1];
    expect(webgl.available).toBe(false);
    expect(webgl.reason).toBe('it needs a browser (WebGL); this is Node');
    expect(webgl.hint).toMatch(/WebGL/);
    expect(rows.slice(2).every((s) => s.available)).toBe(true);
    await expect(resolveBackend('tfjs:webgl')).rejects.toThrow(
      /^backend tfjs:webgl is unavailable: it needs a browser/,
    );
  });
});
