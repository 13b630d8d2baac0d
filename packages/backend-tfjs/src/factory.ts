// The `tfjs` entry of core's registry, for either entry point (Node or browser): its devices, how to
// create one, and the install hint. The registry decides which device `tfjs` and `auto` take.

import type { BackendFactory } from '@rnn-scratch/core';
import { TfjsBackend } from './backend.js';
import { type TfjsDevice, TfjsRuntimeUnavailableError, tfjsInstallHint } from './runtime.js';

export function tfjsFactory(devices: readonly TfjsDevice[], autoDevices = devices): BackendFactory {
  return {
    name: 'tfjs',
    priority: 50,
    devices,
    autoDevices,
    async create(device) {
      // The registry only asks for one of `devices`.
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
}
