// The shared backend conformance suite (@rnn-scratch/core/testing) on onnx:cpu.
// Skips are stable case ids with the reason ONNX Runtime differs; a stale skip fails the suite.
// Today every case passes on ONNX Runtime 1.30 cpu, so the skip list is empty.

import { defineConformanceSuite } from '@rnn-scratch/core/testing';
import { createOnnxBackend } from '../src/backend.js';

defineConformanceSuite({
  name: 'onnx (cpu)',
  create: () => createOnnxBackend({ device: 'cpu' }),
  skip: [],
});
