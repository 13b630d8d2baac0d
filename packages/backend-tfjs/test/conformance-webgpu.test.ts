// The shared backend conformance suite on tfjs:webgpu (the npm `webgpu` package, Dawn, with
// @tensorflow/tfjs-backend-webgpu), on SwiftShader: a Vulkan driver that computes on the CPU, so the
// WebGPU runtime is tested on every machine, GPU or not (CI installs chromium, which ships it, and
// libvulkan1). Its own process: the Vulkan loader is pointed at SwiftShader before Dawn starts.

import { type SkipEntry, defineConformanceSuite, useSwiftShader } from '@rnn-scratch/core/testing';
import { describe, it, vi } from 'vitest';
import { TfjsBackend } from '../src/index.js';

/** Known differences from the reference on tfjs-backend-webgpu. */
const SKIPS: readonly SkipEntry[] = [];

// SwiftShader computes on the CPU: each end-to-end case (30 train steps, ~500 kernels each) takes tens of
// seconds, more on a busy machine.
vi.setConfig({ testTimeout: 300_000 });

const swiftShader = useSwiftShader();
if (swiftShader.available) {
  defineConformanceSuite({
    name: 'tfjs:webgpu (SwiftShader)',
    create: () => TfjsBackend.create({ device: 'webgpu' }),
    skip: SKIPS,
  });
} else {
  describe('conformance: tfjs:webgpu (SwiftShader)', () => {
    it.skip(`runtime/tfjs:webgpu [skipped: ${swiftShader.reason}]`, () => {});
  });
}
