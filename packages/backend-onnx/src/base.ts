// Side-effect-free Node entry: the classes and functions, without registering anything.
// (`index.ts` re-exports all of this AND registers the backend with core's registry.)

export * from './common.js';
export { OnnxBackend, createOnnxBackend, floatPrecisionOf, type OnnxBackendOptions } from './backend.js';
export {
  type OnnxDevice,
  ONNX_DEVICES,
  deviceHint,
  isOnnxDevice,
  probeDevice,
  webgpuSoftwareAdapter,
} from './devices.js';
export { softwareVulkanAdapter, vulkanDrivers, type VulkanDriver, type VulkanLookup } from './vulkan.js';
