// The conformance suite on the reference backend itself. It computes in float64, so both the float32
// and the float64 cases run, and the hand-written expectations check the reference kernels.

import { ReferenceBackend } from '../src/index.js';
import { defineConformanceSuite } from '../src/testing/index.js';

defineConformanceSuite({ name: 'reference', create: async () => new ReferenceBackend() });
