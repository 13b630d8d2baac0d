// @rnn-scratch/backend-onnx: importing this module registers the `onnx` backend with core's registry
// (devices cpu, webgpu, cuda, on onnxruntime-node). Import `@rnn-scratch/backend-onnx/base` for the same
// API without that side effect. Browsers (the package's `browser` export condition) get browser.ts instead.

import { registerBackend } from '@rnn-scratch/core';
import { createOnnxBackend } from './backend.js';
import { ONNX_DEVICES, type OnnxDevice, deviceHint, webgpuSoftwareAdapter } from './devices.js';
import { onnxFactory } from './factory.js';

export * from './base.js';

export const onnxBackendFactory = onnxFactory({
  priority: 100,
  devices: ONNX_DEVICES,
  autoDevices: ['cuda', 'webgpu', 'cpu'],
  create: (device, options) => createOnnxBackend({ device: device as OnnxDevice, threads: options.threads }),
  hint: deviceHint,
  // From the installed Vulkan drivers: the same answer the opened backend gives as its `software`.
  software: (device) => (device === 'webgpu' ? webgpuSoftwareAdapter() : undefined),
});

registerBackend(onnxBackendFactory);
