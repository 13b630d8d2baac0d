// @rnn-scratch/backend-tfjs: importing this module registers the `tfjs` backend with core's registry
// (devices cuda, node, webgpu, wasm, cpu). Import `@rnn-scratch/backend-tfjs/base` for the same API
// without that side effect.

import { type BackendFactory, registerBackend } from '@rnn-scratch/core';
import { TfjsBackend } from './backend.js';
import { TFJS_DEVICES, type TfjsDevice, TfjsRuntimeUnavailableError, tfjsInstallHint } from './runtime.js';

export * from './base.js';

export const tfjsBackendFactory: BackendFactory = {
  name: 'tfjs',
  priority: 50,
  devices: TFJS_DEVICES,
  autoDevices: TFJS_DEVICES,
  async create(device) {
    // The registry only asks for one of `devices`, and decides which one plain `tfjs` and `auto` take.
    try {
      return await TfjsBackend.create({ device: device as TfjsDevice });
    } catch (err) {
      // The registry adds the hint (from `hint` below) itself: give it the bare reason.
      if (err instanceof TfjsRuntimeUnavailableError) throw new Error(err.reason, { cause: err });
      throw err;
    }
  },
  hint: tfjsInstallHint,
};

registerBackend(tfjsBackendFactory);
