// The shared backend conformance suite (`@rnn-scratch/core/testing`) on every tfjs runtime: cpu and
// wasm always (they are dependencies); node and cuda when their optional packages load here, otherwise
// the suite shows up as skipped with the reason. webgpu has its own file (conformance-webgpu.test.ts).

import { listBackends } from '@rnn-scratch/core';
import { type SkipEntry, defineConformanceSuite } from '@rnn-scratch/core/testing';
import { describe, it } from 'vitest';
import { TfjsBackend, type TfjsDevice } from '../src/index.js';

/** Known differences from the reference, per Node runtime (webgl is browsers' only). Ids are the suite's stable case ids. */
const SKIPS: { readonly [D in Exclude<TfjsDevice, 'webgpu' | 'webgl'>]: readonly SkipEntry[] } = {
  cpu: [],
  wasm: [],
  node: [],
  cuda: [],
};

// Which runtimes work here, as the registry reports them (importing the package registered `tfjs`).
const statuses = (await listBackends()).filter((s) => s.name === 'tfjs');

for (const device of ['cpu', 'wasm'] as const) {
  defineConformanceSuite({
    name: `tfjs:${device}`,
    create: () => TfjsBackend.create({ device }),
    skip: SKIPS[device],
  });
}

for (const device of ['node', 'cuda'] as const) {
  const status = statuses.find((s) => s.device === device)!;
  if (status.available) {
    defineConformanceSuite({
      name: `tfjs:${device}`,
      create: () => TfjsBackend.create({ device }),
      skip: SKIPS[device],
    });
  } else {
    describe(`conformance: tfjs:${device}`, () => {
      it.skip(`runtime/tfjs:${device} [skipped: not available here: ${status.reason}]`, () => {});
    });
  }
}
