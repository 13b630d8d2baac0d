// @rnn-scratch/backend-onnx in browsers (and at `@rnn-scratch/backend-onnx/web` anywhere): importing this
// module registers the `onnx` backend with core's registry, on onnxruntime-web, with devices webgpu and
// wasm. Call `configureOnnxWeb` first to set the wasm files' location or threads. Import
// `@rnn-scratch/backend-onnx/web-base` for the same API without that side effect.

import { registerBackend } from '@rnn-scratch/core';
import { onnxFactory } from './factory.js';
import { createOnnxWebBackend } from './web-backend.js';
import { ONNX_WEB_DEVICES, type OnnxWebDevice, webDeviceHint } from './web-devices.js';

export * from './browser-base.js';

export const onnxWebBackendFactory = onnxFactory({
  devices: ONNX_WEB_DEVICES,
  autoDevices: ONNX_WEB_DEVICES,
  create: (device, options) => createOnnxWebBackend({ device: device as OnnxWebDevice, threads: options.threads }),
  hint: webDeviceHint,
});

registerBackend(onnxWebBackendFactory);
