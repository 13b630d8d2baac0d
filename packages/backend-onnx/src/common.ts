// What the Node and the browser entries share: the lowering, the ONNX writer, the export and the
// session-running backend. No ONNX Runtime module is imported here.

export {
  OnnxExecutable,
  OnnxSessionBackend,
  type OrtModule,
  type SessionConfig,
  type SessionOptions,
} from './session.js';
export { OnnxDeviceUnavailableError, runTinyModel } from './probe.js';
export {
  lowerGraph,
  lowerToOnnx,
  MAX_CONCAT_INPUTS,
  onnxDataType,
  type LoweredGraph,
  type LowerOptions,
} from './lower.js';
export { CPU_TUNING, type LowerTuning, tuningFor } from './tuning.js';
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
