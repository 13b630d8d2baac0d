// @rnn-scratch/backend-onnx: importing this module registers the `onnx` backend with core's registry
// (devices cpu, webgpu, cuda). Import `@rnn-scratch/backend-onnx/base` for the same API without that
// side effect.

import { type BackendFactory, registerBackend } from '@rnn-scratch/core';
import { createOnnxBackend } from './backend.js';
import { OnnxDeviceUnavailableError, deviceHint, isOnnxDevice } from './devices.js';

export * from './base.js';

export const onnxBackendFactory: BackendFactory = {
  name: 'onnx',
  priority: 100,
  devices: ['cpu', 'webgpu', 'cuda'],
  autoDevices: ['cuda', 'webgpu', 'cpu'],
  async create(device, options) {
    if (!isOnnxDevice(device)) throw new Error(`unknown onnx device "${device}"`);
    try {
      return await createOnnxBackend({ device, threads: options.threads });
    } catch (err) {
      // The registry prints `reason (hint)`: give it the bare reason, the hint comes from `hint`.
      if (err instanceof OnnxDeviceUnavailableError) throw new Error(err.reason, { cause: err });
      throw err;
    }
  },
  hint: deviceHint,
};

registerBackend(onnxBackendFactory);
