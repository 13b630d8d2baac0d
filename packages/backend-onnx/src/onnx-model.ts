// The subset of ONNX's ModelProto this backend writes, as plain objects, and its protobuf encoding.
// Field numbers come from onnx/onnx.proto (IR version 10, opset 21). Only what lowering needs is here.

import { ProtoWriter, littleEndianBytes } from './protobuf.js';

/** TensorProto.DataType values. */
export const OnnxDataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxDataType = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export const IR_VERSION = 10;
export const OPSET_VERSION = 21;
export const PRODUCER_NAME = 'rnn-scratch';

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  /** Row-major element data; written as little-endian `raw_data`. */
  readonly data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'tensor'; readonly value: OnnxTensor };

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: readonly OnnxAttribute[];
  readonly domain?: string;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly dims: readonly number[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo?: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  readonly irVersion?: number;
  readonly opsetVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
}

// ---- field numbers (onnx.proto) ----
const Model = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 } as const;
const OpsetId = { domain: 1, version: 2 } as const;
const GraphF = { node: 1, name: 2, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NodeF = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const Attr = { name: 1, f: 2, i: 3, s: 4, t: 5, floats: 7, ints: 8, type: 20 } as const;
const TensorF = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfoF = { name: 1, type: 2 } as const;
const TypeF = { tensorType: 1 } as const;
const TensorTypeF = { elemType: 1, shape: 2 } as const;
const ShapeF = { dim: 1 } as const;
const DimF = { dimValue: 1 } as const;

export function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedVarints(TensorF.dims, t.dims);
  w.varint(TensorF.dataType, t.dataType);
  if (t.name) w.string(TensorF.name, t.name);
  w.bytes(TensorF.rawData, littleEndianBytes(t.data));
}

export function writeAttribute(w: ProtoWriter, a: OnnxAttribute): void {
  w.string(Attr.name, a.name);
  switch (a.type) {
    case 'int':
      w.varint(Attr.i, a.value);
      w.varint(Attr.type, AttributeType.INT);
      break;
    case 'ints':
      w.packedVarints(Attr.ints, a.value);
      w.varint(Attr.type, AttributeType.INTS);
      break;
    case 'float':
      w.float(Attr.f, a.value);
      w.varint(Attr.type, AttributeType.FLOAT);
      break;
    case 'floats':
      w.packedFloats(Attr.floats, a.value);
      w.varint(Attr.type, AttributeType.FLOATS);
      break;
    case 'string':
      w.string(Attr.s, a.value);
      w.varint(Attr.type, AttributeType.STRING);
      break;
    case 'tensor':
      w.message(Attr.t, (tw) => writeTensor(tw, a.value));
      w.varint(Attr.type, AttributeType.TENSOR);
      break;
  }
}

export function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(NodeF.input, i);
  for (const o of n.outputs) w.string(NodeF.output, o);
  if (n.name) w.string(NodeF.name, n.name);
  w.string(NodeF.opType, n.opType);
  for (const a of n.attributes ?? []) w.message(NodeF.attribute, (aw) => writeAttribute(aw, a));
  if (n.domain) w.string(NodeF.domain, n.domain);
}

export function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(ValueInfoF.name, v.name);
  w.message(ValueInfoF.type, (tw) =>
    tw.message(TypeF.tensorType, (tt) => {
      tt.varint(TensorTypeF.elemType, v.elemType);
      // A scalar has a shape with no dims; the (empty) shape message must still be present,
      // otherwise the rank would be unknown.
      tt.message(TensorTypeF.shape, (sw) => {
        for (const d of v.dims) sw.message(ShapeF.dim, (dw) => dw.varint(DimF.dimValue, d));
      });
    }),
  );
}

export function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(GraphF.node, (nw) => writeNode(nw, n));
  w.string(GraphF.name, g.name);
  for (const t of g.initializers) w.message(GraphF.initializer, (tw) => writeTensor(tw, t));
  for (const v of g.inputs) w.message(GraphF.input, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(GraphF.output, (vw) => writeValueInfo(vw, v));
  for (const v of g.valueInfo ?? []) w.message(GraphF.valueInfo, (vw) => writeValueInfo(vw, v));
}

/** Serialise a model to the bytes of an `.onnx` file. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const w = new ProtoWriter(1024);
  w.varint(Model.irVersion, model.irVersion ?? IR_VERSION);
  w.string(Model.producerName, model.producerName ?? PRODUCER_NAME);
  if (model.producerVersion) w.string(Model.producerVersion, model.producerVersion);
  w.message(Model.graph, (gw) => writeGraph(gw, model.graph));
  w.message(Model.opsetImport, (ow) => {
    ow.string(OpsetId.domain, '');
    ow.varint(OpsetId.version, model.opsetVersion ?? OPSET_VERSION);
  });
  return w.finish();
}
