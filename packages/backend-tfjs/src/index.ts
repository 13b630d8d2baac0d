// @rnn-scratch/backend-tfjs: importing this module registers the `tfjs` backend with core's registry
// (devices cuda, node, webgpu, wasm, cpu). Import `@rnn-scratch/backend-tfjs/base` for the same API
// without that side effect. Browsers (the package's `browser` export condition) get browser.ts instead.

import { registerBackend } from '@rnn-scratch/core';
import { tfjsFactory } from './factory.js';
import { TFJS_DEVICES } from './runtime.js';

export * from './base.js';

export const tfjsBackendFactory = tfjsFactory(TFJS_DEVICES);

registerBackend(tfjsBackendFactory);
