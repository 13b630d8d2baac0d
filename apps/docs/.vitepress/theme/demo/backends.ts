// The backends the live demo can train on, registered with core's registry: ONNX Runtime Web (webgpu,
// wasm) and TensorFlow.js (webgpu, webgl, wasm, cpu), next to core's own reference backend. The docs site
// serves tfjs-backend-wasm's .wasm files at <base>tfjs-wasm/ (see config.mts); Vite emits onnxruntime-web's
// with the bundle by itself.

import { configureOnnxWeb } from '@rnn-scratch/backend-onnx/web';
import { configureTfjs } from '@rnn-scratch/backend-tfjs/web';

/**
 * Register and configure; returns why WebAssembly runs on one thread here, when it is the page's doing.
 * (onnx's wasm gets one thread even in a cross-origin isolated page: its threads, started from the
 * bundle, did not come up in Chromium.)
 */
export function setUpBackends(): string | undefined {
  configureTfjs({ wasmPaths: new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, self.location.href).href });
  configureOnnxWeb({ threads: 1 });
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true
    ? undefined
    : 'this page is not cross-origin isolated (no SharedArrayBuffer), so WebAssembly runs on one thread';
}
