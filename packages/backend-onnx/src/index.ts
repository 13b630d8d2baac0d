// @rnn-scratch/backend-onnx: importing this module registers the `onnx` backend with core's registry
// (devices cpu, webgpu, cuda). Import `@rnn-scratch/backend-onnx/base` for the same API without that
// side effect.

import { type BackendFactory, registerBackend } from '@rnn-scratch/core';
import { createOnnxBackend } from './backend.js';
import { ONNX_DEVICES, type OnnxDevice, OnnxDeviceUnavailableError, deviceHint } from './devices.js';

export * from './base.js';

export const onnxBackendFactory: BackendFactory = {
  name: 'onnx',
  priority: 100,
  devices: ONNX_DEVICES,
  autoDevices: ['cuda', 'webgpu', 'cpu'],
  async create(device, options) {
    // The registry only asks for one of `devices`.
    try {
      return await createOnnxBackend({ device: device as OnnxDevice, threads: options.threads });
    } catch (err) {
      // The registry adds the hint (from `hint` below) itself: give it the bare reason.
      if (err instanceof OnnxDeviceUnavailableError) throw new Error(err.reason, { cause: err });
      throw err;
    }
  },
  hint: deviceHint,
};

registerBackend(onnxBackendFactory);
