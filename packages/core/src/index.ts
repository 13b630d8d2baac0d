// @rnn-scratch/core: the op set, graph IR, autodiff, the reference backend, the data pipeline and
// every algorithm of d2l 8.5, written once for every backend.

export * from './ir/dtype.js';
export * from './ir/primitives.js';
export * from './ir/graph.js';
export { printGraph, opCounts, type PrintGraphOptions } from './ir/print-graph.js';
export { hashGraph } from './ir/hash.js';
export * from './ir/passes/index.js';
export * from './autodiff/grad.js';
export { vjpRules, type VjpRule, type VjpContext } from './autodiff/vjp-rules.js';
export * from './ops/composite.js';
export * from './backend/backend.js';
export * from './backend/interpret.js';
export * from './backend/gather-checks.js';
export { referenceKernels, stridesOf } from './backend/reference-kernels.js';
export { ReferenceBackend, runReference } from './backend/reference.js';
export * from './backend/registry.js';
export {
  softwareAdapterName,
  softwareGpuAdapter,
  type GpuAdapterInfoLike,
  type GpuAdapterLike,
} from './backend/software.js';
export { editDistance, firstLine, suggest } from './text.js';
export * from './data/index.js';
export * from './random.js';
export * from './book-defaults.js';
export * from './nn/cell.js';
export * from './nn/rnn.js';
export * from './nn/gru.js';
export * from './nn/lstm.js';
export * from './nn/model.js';
export * from './train/train-step.js';
export * from './train/sgd.js';
export * from './train/train-loop.js';
export * from './train/data-parallel.js';
export * from './train/run.js';
export * from './train/evaluate.js';
export * from './train/predict.js';
export * from './io/safetensors.js';
export * from './io/exchange.js';
export * from './checkpoint/index.js';
export * from './export/inference.js';
