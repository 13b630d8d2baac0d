// Export: a core graph as a stand-alone `.onnx` file for other ONNX runtimes (Python's onnxruntime,
// onnxruntime-web, ...), not only the one this backend runs. Same lowering as the backend, with three
// differences:
// - an older opset and IR version (17 and 8, read by onnxruntime 1.12 and later), checked node by node
//   against the opset each emitted form of an op needs;
// - initializers that hold a named tensor (a parameter) carry its name (`W_xh`, `l2.b_f`, ...);
// - every tensor is stored inside the file (`raw_data`), so the file is all a runtime needs.
// This module imports no runtime: it runs in Node and in browsers.

import type { Graph, HostTensor } from '@rnn-scratch/core';
import { lowerGraph } from './lower.js';
import { type OnnxModel, type OnnxNode, encodeModel } from './onnx-model.js';

/** The opset of exported models. */
export const EXPORT_OPSET_VERSION = 17;
/** The IR version of exported models (the one that goes with opset 17). */
export const EXPORT_IR_VERSION = 8;

/**
 * The first opset (of the default domain) in which each op the lowering emits has the form it writes:
 * inputs rather than attributes for `axes`, `starts`/`ends` and shapes (13), `Reshape`'s `allowzero` (14),
 * `ReduceMax` with `axes` as an input (18).
 */
export const OP_SINCE: Readonly<Record<string, number>> = {
  Add: 13,
  Sub: 13,
  Mul: 13,
  Div: 13,
  Max: 13,
  Min: 13,
  GreaterOrEqual: 12,
  Neg: 13,
  Exp: 13,
  Log: 13,
  Tanh: 13,
  Sigmoid: 13,
  Sqrt: 13,
  Gemm: 13,
  ReduceSum: 13,
  ReduceMax: 18,
  Reshape: 14,
  Transpose: 13,
  Expand: 13,
  Slice: 13,
  Concat: 13,
  Gather: 13,
  Unsqueeze: 13,
  Equal: 13,
  Cast: 13,
  Identity: 13,
};

export interface ExportOptions {
  /** GraphProto.name (default `rnn_scratch`). */
  readonly name?: string;
  /**
   * Tensors to name: an initializer that holds one of these tensors (the same object, as a graph
   * constant built from it does) is called by its key here. E.g. the parameters of the model. (The lowering
   * stores equal small tensors once: such an initializer is named after the first of them.)
   */
  readonly names?: Readonly<Record<string, HostTensor>>;
  /** Written as `producer_version` (e.g. the package version). */
  readonly producerVersion?: string;
}

/** A graph needs an op at an opset the export does not write. */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/** The model `exportOnnx` encodes, as objects (for inspection and tests). */
export function exportOnnxModel(graph: Graph, options: ExportOptions = {}): OnnxModel {
  const { model } = lowerGraph(graph, { name: options.name });
  for (const node of model.graph.nodes) {
    const since = OP_SINCE[node.opType];
    if (since === undefined || since > EXPORT_OPSET_VERSION) {
      const need = since === undefined ? 'an op this export does not know' : `opset ${since}`;
      throw new OnnxExportError(
        `onnx export: node ${node.name} (${node.opType}) needs ${need}; exported models use opset ${EXPORT_OPSET_VERSION}`,
      );
    }
  }
  const renamed = nameInitializers(model, options.names ?? {});
  return {
    ...renamed,
    irVersion: EXPORT_IR_VERSION,
    opsetVersion: EXPORT_OPSET_VERSION,
    ...(options.producerVersion ? { producerVersion: options.producerVersion } : {}),
  };
}

/** Lower `graph` to the bytes of a self-contained `.onnx` file at opset 17 (see the top of this module). */
export function exportOnnx(graph: Graph, options: ExportOptions = {}): Uint8Array {
  return encodeModel(exportOnnxModel(graph, options));
}

/** Rename each initializer whose data is one of `names`' tensors' data; a name already in use is skipped. */
function nameInitializers(model: OnnxModel, names: Readonly<Record<string, HostTensor>>): OnnxModel {
  const g = model.graph;
  const byData = new Map<unknown, string>();
  for (const [name, t] of Object.entries(names)) if (!byData.has(t.data)) byData.set(t.data, name);
  const used = new Set<string>([
    ...g.inputs.map((v) => v.name),
    ...g.outputs.map((v) => v.name),
    ...g.initializers.map((t) => t.name),
    ...g.nodes.flatMap((n) => [...n.inputs, ...n.outputs]),
  ]);
  const rename = new Map<string, string>();
  for (const t of g.initializers) {
    const want = byData.get(t.data);
    if (want === undefined || used.has(want)) continue;
    used.add(want);
    rename.set(t.name, want);
  }
  const to = (name: string) => rename.get(name) ?? name;
  const nodes: OnnxNode[] = g.nodes.map((n) => ({ ...n, inputs: n.inputs.map(to) }));
  const initializers = g.initializers.map((t) => ({ ...t, name: to(t.name) }));
  return { ...model, graph: { ...g, nodes, initializers } };
}
