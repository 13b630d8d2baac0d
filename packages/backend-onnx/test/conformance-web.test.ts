// The shared backend conformance suite (@rnn-scratch/core/testing) on onnxruntime-web's wasm execution
// provider, in Node: the engine the browser entry runs, covered without a browser. (The browser's other
// device, webgpu, is checked in headless Chromium by the docs' browser test.) The build computes in
// float32, so the suite skips its float64 cases by itself (floatPrecision 32).

import { defineConformanceSuite } from '@rnn-scratch/core/testing';
import { createOnnxWebBackend } from '../src/web-backend.js';

defineConformanceSuite({
  name: 'onnx web (wasm, onnxruntime-web)',
  create: () => createOnnxWebBackend({ device: 'wasm' }),
  skip: [],
});
