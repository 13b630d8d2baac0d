// The `onnx` entry of core's registry, for either entry point (Node or browser): its devices, how to
// create one, and the hint for an unavailable one. The registry decides what `onnx` and `auto` take.

import type { Backend, BackendFactory, BackendOptions } from '@rnn-scratch/core';
import { OnnxDeviceUnavailableError } from './probe.js';

export function onnxFactory(spec: {
  readonly priority: number;
  readonly devices: readonly string[];
  readonly autoDevices: readonly string[];
  readonly create: (device: string, options: BackendOptions) => Promise<Backend>;
  readonly hint: (device: string) => string | undefined;
  readonly software?: (device: string) => string | undefined;
}): BackendFactory {
  return {
    name: 'onnx',
    priority: spec.priority,
    devices: spec.devices,
    autoDevices: spec.autoDevices,
    async create(device, options) {
      // The registry only asks for one of `devices`.
      try {
        return await spec.create(device, options);
      } catch (err) {
        // The registry adds the hint itself: give it the bare reason.
        if (err instanceof OnnxDeviceUnavailableError) throw new Error(err.reason, { cause: err });
        throw err;
      }
    },
    hint: spec.hint,
    ...(spec.software ? { software: spec.software } : {}),
  };
}
