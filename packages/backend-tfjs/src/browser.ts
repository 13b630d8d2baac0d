// @rnn-scratch/backend-tfjs in browsers (and at `@rnn-scratch/backend-tfjs/web` anywhere): importing this
// module registers the `tfjs` backend with core's registry with a browser's devices, webgpu, webgl, wasm
// and cpu. Call `configureTfjs({ wasmPaths })` first to say where the app serves tfjs-backend-wasm's
// `.wasm` files. `@rnn-scratch/backend-tfjs/base` is the same API without the registration.

import { registerBackend } from '@rnn-scratch/core';
import { tfjsFactory } from './factory.js';
import { TFJS_BROWSER_DEVICES } from './runtime.js';

export * from './base.js';

/**
 * `auto` never takes tfjs:cpu in a browser: plain JavaScript is slower than every other engine there (onnx,
 * whose priority is lower in a browser, comes after tfjs's other devices). It stays selectable by name.
 */
export const tfjsBrowserBackendFactory = tfjsFactory(
  TFJS_BROWSER_DEVICES,
  TFJS_BROWSER_DEVICES.filter((d) => d !== 'cpu'),
);

registerBackend(tfjsBrowserBackendFactory);
