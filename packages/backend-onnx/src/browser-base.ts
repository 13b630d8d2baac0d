// Side-effect-free browser entry (onnxruntime-web): the classes and functions, without registering
// anything. (`browser.ts` re-exports all of this AND registers the backend with core's registry.)

export * from './common.js';
export { OnnxWebBackend, createOnnxWebBackend, type OnnxWebBackendOptions } from './web-backend.js';
export {
  type OnnxWebDevice,
  type OnnxWebOptions,
  type WasmThreading,
  ONNX_WEB_DEVICES,
  configureOnnxWeb,
  isOnnxWebDevice,
  probeWebDevice,
  webDeviceHint,
} from './web-devices.js';
