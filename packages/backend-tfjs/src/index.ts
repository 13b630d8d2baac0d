// @rnn-scratch/backend-tfjs: importing this module registers the `tfjs` backend with core's registry
// (devices cuda, node, webgpu, wasm, cpu). Import `@rnn-scratch/backend-tfjs/base` for the same API
// without that side effect.

import { type BackendFactory, registerBackend } from '@rnn-scratch/core';
import { TfjsBackend } from './backend.js';
import { TFJS_DEVICES, TfjsRuntimeUnavailableError, isTfjsDevice, tfjsInstallHint } from './runtime.js';

export * from './base.js';

export const tfjsBackendFactory: BackendFactory = {
  name: 'tfjs',
  priority: 50,
  devices: TFJS_DEVICES,
  autoDevices: TFJS_DEVICES,
  async create(device) {
    if (!isTfjsDevice(device)) throw new Error(`unknown tfjs device "${device}"; the devices are ${TFJS_DEVICES.join(', ')}`);
    try {
      return await TfjsBackend.create({ device });
    } catch (err) {
      // The registry prints `reason (hint)`: give it the bare reason; the hint comes from `hint`.
      if (err instanceof TfjsRuntimeUnavailableError) throw new Error(err.reason, { cause: err });
      throw err;
    }
  },
  hint: tfjsInstallHint,
};

registerBackend(tfjsBackendFactory);
