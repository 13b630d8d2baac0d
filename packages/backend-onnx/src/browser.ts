// @rnn-scratch/backend-onnx in browsers (and at `@rnn-scratch/backend-onnx/web` anywhere): importing this
// module registers the `onnx` backend with core's registry, on onnxruntime-web, with devices webgpu and
// wasm. Call `configureOnnxWeb` first to set the wasm files' location or threads. Import
// `@rnn-scratch/backend-onnx/web-base` for the same API without that side effect.

import { registerBackend } from '@rnn-scratch/core';
import { onnxFactory } from './factory.js';
import { createOnnxWebBackend } from './web-backend.js';
import { ONNX_WEB_DEVICES, type OnnxWebDevice, webDeviceHint } from './web-devices.js';

export * from './browser-base.js';

/**
 * Below tfjs's 50 in a browser, where `auto` ranks backends by priority: there tfjs:wasm (XNNPACK) trains the
 * book's model faster than onnxruntime-web's wasm, and tfjs's GPU devices come first anyway (measured by
 * bench/browser.ts, recorded in BENCHMARKS.md). In Node onnx keeps 100.
 */
export const ONNX_WEB_PRIORITY = 40;

export const onnxWebBackendFactory = onnxFactory({
  priority: ONNX_WEB_PRIORITY,
  devices: ONNX_WEB_DEVICES,
  autoDevices: ONNX_WEB_DEVICES,
  create: (device, options) => createOnnxWebBackend({ device: device as OnnxWebDevice, threads: options.threads }),
  hint: webDeviceHint,
});

registerBackend(onnxWebBackendFactory);
