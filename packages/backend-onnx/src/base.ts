// Side-effect-free entry: the classes and functions, without registering anything.
// (`index.ts` re-exports all of this AND registers the backend with core's registry.)

export {
  OnnxBackend,
  OnnxExecutable,
  createOnnxBackend,
  floatPrecisionOf,
  type OnnxBackendOptions,
} from './backend.js';
export {
  type OnnxDevice,
  ONNX_DEVICES,
  OnnxDeviceUnavailableError,
  deviceHint,
  isOnnxDevice,
  probeDevice,
  webgpuSoftwareAdapter,
} from './devices.js';
export { softwareVulkanAdapter, vulkanDrivers, type VulkanDriver, type VulkanLookup } from './vulkan.js';
export {
  lowerGraph,
  lowerToOnnx,
  MAX_CONCAT_INPUTS,
  onnxDataType,
  type LoweredGraph,
  type LowerOptions,
} from './lower.js';
export * from './onnx-model.js';
export { ProtoWriter, WireType, littleEndianBytes } from './protobuf.js';
export {
  EXPORT_IR_VERSION,
  EXPORT_OPSET_VERSION,
  OP_SINCE,
  OnnxExportError,
  exportOnnx,
  exportOnnxModel,
  type ExportOptions,
} from './export.js';
