// The backends the live demo can train on, registered with core's registry: ONNX Runtime Web (webgpu,
// wasm) and TensorFlow.js (webgpu, webgl, wasm, cpu), next to core's own reference backend. The docs site
// serves tfjs-backend-wasm's .wasm files at <base>tfjs-wasm/ (see config.mts); Vite emits onnxruntime-web's
// with the bundle by itself.

import { configureOnnxWeb } from '@rnn-scratch/backend-onnx/web';
import { configureTfjs } from '@rnn-scratch/backend-tfjs/web';

/** Register and configure; returns why onnx's wasm device runs on one thread here, when it is the page's doing. */
export function setUpBackends(): string | undefined {
  configureTfjs({ wasmPaths: new URL(`${import.meta.env.BASE_URL}tfjs-wasm/`, self.location.href).href });
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
  return configureOnnxWeb({ threads: Math.min(4, cores) }).note;
}
