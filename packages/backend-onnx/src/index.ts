export const placeholder = 'backend-onnx';
