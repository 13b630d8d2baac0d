// The shared backend conformance suite on onnx:webgpu, on SwiftShader: a Vulkan driver that computes on
// the CPU, so ONNX Runtime's WebGPU execution provider (Dawn) is tested on every machine, GPU or not
// (CI installs chromium, which ships it, and libvulkan1). Its own process: the Vulkan loader is pointed at
// SwiftShader before the first adapter is created. WebGPU computes in float32, so the suite skips the
// float64 cases by itself (floatPrecision 32).

import { type SkipEntry, defineConformanceSuite, useSwiftShader } from '@rnn-scratch/core/testing';
import { describe, it, vi } from 'vitest';
import { createOnnxBackend } from '../src/backend.js';

/** Known differences from the reference on ONNX Runtime's WebGPU execution provider. */
const SKIPS: readonly SkipEntry[] = [
  {
    id: 'op/log/vector/float32',
    reason:
      'log(0): the Log kernel on SwiftShader returns -88.03 (ln 2^-127) where the reference gives -Infinity; the ' +
      'other three elements agree. The train step never takes log(0): it takes the log of a sum of exponentials >= 1',
  },
];

// SwiftShader computes on the CPU: each end-to-end case (30 train steps, ~500 kernels each) takes tens of
// seconds, more on a busy machine.
vi.setConfig({ testTimeout: 300_000 });

const swiftShader = useSwiftShader();
if (swiftShader.available) {
  defineConformanceSuite({
    name: 'onnx (webgpu, SwiftShader)',
    create: () => createOnnxBackend({ device: 'webgpu' }),
    skip: SKIPS,
  });
} else {
  describe('conformance: onnx (webgpu, SwiftShader)', () => {
    it.skip(`runtime/onnx:webgpu [skipped: ${swiftShader.reason}]`, () => {});
  });
}
