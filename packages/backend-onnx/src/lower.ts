// Lowering: a core Graph becomes ONE ONNX model (opset 21). Each primitive becomes one or a few ONNX
// nodes; constants become initializers; graph inputs and outputs keep their names (an output whose
// name is taken by an input gets a suffix, and the executable maps it back).
//
// Traps this file handles (each is a place where ONNX and our IR disagree):
// - An empty `axes` list means "no reduction" in our IR, but "reduce everything" in ReduceSum/ReduceMax:
//   it lowers to no node at all (the value is aliased).
// - Reshape treats a 0 in the target shape as "copy this dim" unless allowzero=1.
// - Concat nodes get at most 8 inputs (WebGPU kernels may bind at most 16 storage buffers), so wide
//   concats become a tree (unless the backend's tuning asks for flat ones).
// - ORT's OneHot has no kernel for int32 indices with float64 values, so oneHot is
//   Cast(Equal(Unsqueeze(indices, -1), [0, 1, ..., depth-1])).
// - A value with no elements is an empty initializer, whatever op computes it: WebGPU's reductions refuse
//   empty inputs even where the result is empty too.
// - Every graph output needs its own name: outputs that are graph inputs, constants, aliases of
//   those, or a value already output under another name go through an Identity.
//
// A backend may also ask for rewrites that suit its engine's kernels (LowerTuning, chosen in tuning.ts):
// products with few rows weights-first, a gather's gradient as a scatter-add, flat concats, products added
// into a Gemm's addend, a bias added to a stack before the products, time-step slices as Splits. Exported
// models never get them: they stay as written.

import {
  type DType,
  type Graph,
  type Node,
  type PrimitiveNode,
  type PrimitiveAttrs,
  type Stack,
  allocate,
  sameShape,
  sizeOf,
} from '@rnn-scratch/core';
import {
  type OnnxAttribute,
  OnnxDataType,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
  encodeModel,
} from './onnx-model.js';
import { type LowerTuning, MAX_SPLIT_OUTPUTS, type RowsFirst, type TunedNodes, tunedNodes } from './tuning.js';

/** The most inputs one Concat node gets; wider concats become a tree of Concats. */
export const MAX_CONCAT_INPUTS = 8;

/** Constants with at most this many elements are de-duplicated (the many `1`s and `0`s autodiff adds). */
const DEDUPE_CONSTANT_ELEMENTS = 64;

export function onnxDataType(dtype: DType): OnnxDataType {
  switch (dtype) {
    case 'float32':
      return OnnxDataType.FLOAT;
    case 'float64':
      return OnnxDataType.DOUBLE;
    case 'int32':
      return OnnxDataType.INT32;
  }
}

export interface LoweredGraph {
  readonly model: OnnxModel;
  /** ONNX input name of each `graph.inputs[i]` (the same as the IR name). */
  readonly inputNames: readonly string[];
  /** ONNX output name of each `graph.outputs[i]` (the IR name unless an input already has it). */
  readonly outputNames: readonly string[];
}

export interface LowerOptions extends LowerTuning {
  /** GraphProto.name (default `rnn_scratch`). */
  readonly name?: string;
}

/** Lower a core graph to an ONNX model (as objects; see `lowerToOnnx` for the bytes). */
export function lowerGraph(graph: Graph, options: LowerOptions = {}): LoweredGraph {
  const maxConcatInputs = options.flatConcat ? Infinity : MAX_CONCAT_INPUTS;
  return new Lowering(graph, tunedNodes(graph, options), maxConcatInputs).run(options.name ?? 'rnn_scratch');
}

/** Lower a core graph to the bytes of an `.onnx` file. */
export function lowerToOnnx(graph: Graph, options: LowerOptions = {}): Uint8Array {
  return encodeModel(lowerGraph(graph, options).model);
}

interface MutableNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: OnnxAttribute[];
}

class Lowering {
  private readonly used = new Set<string>();
  /** ONNX value name of each IR node, filled as nodes are lowered (constants lazily). */
  private readonly values: (string | undefined)[];
  private readonly nodes: MutableNode[] = [];
  private readonly initializers: OnnxTensor[] = [];
  /** Values written by an ONNX node (as opposed to graph inputs and initializers): these can be renamed. */
  private readonly produced = new Set<string>();
  private readonly constantKeys = new Map<string, string>();

  /** The Transpose of each value already transposed for a weights-first product (once per weight). */
  private readonly transposes = new Map<string, string>();
  /** The pieces of each stack + row already computed for rows-first Gemms. */
  private readonly rowsAdded = new Map<string, string[]>();

  constructor(
    private readonly graph: Graph,
    private readonly tuned: TunedNodes,
    private readonly maxConcatInputs: number,
  ) {
    this.values = new Array(graph.nodes.length);
  }

  run(name: string): LoweredGraph {
    const g = this.graph;
    const inputs: OnnxValueInfo[] = [];
    for (const i of g.inputs) {
      const n = g.nodes[i.id];
      if (this.used.has(i.name)) throw new Error(`onnx lowering: input name "${i.name}" is declared twice`);
      this.used.add(i.name);
      this.values[i.id] = i.name;
      inputs.push({ name: i.name, elemType: onnxDataType(n.dtype), dims: n.shape });
    }
    // Reserve the output names before any internal name is made, so nothing else can take them.
    const outputNames = g.outputs.map((o) => this.fresh(o.name, `${o.name}_out`));

    for (const node of g.nodes) {
      if (node.op === 'input' || node.op === 'constant' || this.tuned.unused.has(node.id)) continue;
      this.lowerNode(node as PrimitiveNode);
    }

    const rename = new Map<string, string>();
    const claimed = new Set<string>();
    const outputs: OnnxValueInfo[] = [];
    g.outputs.forEach((o, k) => {
      const n = g.nodes[o.id];
      const src = this.value(o.id);
      const dst = outputNames[k];
      if (this.produced.has(src) && !claimed.has(src)) {
        claimed.add(src);
        rename.set(src, dst);
      } else {
        this.nodes.push({ opType: 'Identity', name: `out${k}_identity`, inputs: [src], outputs: [dst] });
      }
      outputs.push({ name: dst, elemType: onnxDataType(n.dtype), dims: n.shape });
    });
    const nodes: OnnxNode[] = this.nodes.map((n) => ({
      ...n,
      inputs: n.inputs.map((v) => rename.get(v) ?? v),
      outputs: n.outputs.map((v) => rename.get(v) ?? v),
    }));

    const graphProto: OnnxGraph = { name, nodes, initializers: this.initializers, inputs, outputs };
    return { model: { graph: graphProto }, inputNames: g.inputs.map((i) => i.name), outputNames };
  }

  // ---- names and values ----

  /** A name nobody uses yet: `want` if free, else `fallback` (or `want`) with a numeric suffix. */
  private fresh(want: string, fallback = want): string {
    let name = this.used.has(want) ? fallback : want;
    for (let k = 1; this.used.has(name); k++) name = `${fallback}_${k}`;
    this.used.add(name);
    return name;
  }

  /** The ONNX value of IR node `id` (a constant becomes an initializer the first time it is read). */
  private value(id: number): string {
    const have = this.values[id];
    if (have !== undefined) return have;
    const node = this.graph.nodes[id];
    if (node.op !== 'constant') throw new Error(`onnx lowering: node ${id} (${node.op}) is read before it is lowered`);
    const name = this.constant(node, `c${id}`);
    this.values[id] = name;
    return name;
  }

  private constant(node: Extract<Node, { op: 'constant' }>, base: string): string {
    const t = node.value;
    let key: string | undefined;
    if (t.data.length <= DEDUPE_CONSTANT_ELEMENTS) {
      // Keyed by the bytes, not the numbers: -0 and 0 (and NaN payloads) must stay distinct.
      const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      key = `${t.dtype}|${t.shape.join(',')}|${Array.from(bytes).join(',')}`;
      const have = this.constantKeys.get(key);
      if (have !== undefined) return have;
    }
    const name = this.fresh(base);
    this.initializers.push({ name, dataType: onnxDataType(t.dtype), dims: t.shape, data: t.data });
    if (key !== undefined) this.constantKeys.set(key, name);
    return name;
  }

  /** An initializer with no elements, of a node's dtype and shape. */
  private empty(node: PrimitiveNode): string {
    const key = `empty|${node.dtype}|${node.shape.join(',')}`;
    const have = this.constantKeys.get(key);
    if (have !== undefined) return have;
    const name = this.fresh(`empty_${node.shape.join('x')}`);
    const data = allocate(node.dtype, 0);
    this.initializers.push({ name, dataType: onnxDataType(node.dtype), dims: node.shape, data });
    this.constantKeys.set(key, name);
    return name;
  }

  /** An int64 initializer (shapes, axes, starts/ends), shared between nodes that need the same one. */
  private int64(label: string, values: readonly number[]): string {
    const key = `i64|${values.join(',')}`;
    const have = this.constantKeys.get(key);
    if (have !== undefined) return have;
    const readable = values.length <= 6 ? values.map((v) => (v < 0 ? `m${-v}` : `${v}`)).join('x') : `${values.length}`;
    const name = this.fresh(`${label}_${readable || 'empty'}`);
    this.initializers.push({
      name,
      dataType: OnnxDataType.INT64,
      dims: [values.length],
      data: BigInt64Array.from(values, (v) => BigInt(v)),
    });
    this.constantKeys.set(key, name);
    return name;
  }

  private int32Range(depth: number): string {
    const key = `range_i32|${depth}`;
    const have = this.constantKeys.get(key);
    if (have !== undefined) return have;
    const name = this.fresh(`range_${depth}`);
    this.initializers.push({
      name,
      dataType: OnnxDataType.INT32,
      dims: [depth],
      data: Int32Array.from({ length: depth }, (_, i) => i),
    });
    this.constantKeys.set(key, name);
    return name;
  }

  /** Append an ONNX node named `n<id>_<op>[_<suffix>]`; returns its (single) output value. */
  private emit(
    node: PrimitiveNode,
    opType: string,
    inputs: readonly string[],
    attributes?: OnnxAttribute[],
    suffix?: string,
  ): string {
    const base = `n${node.id}_${node.op}${suffix ? `_${suffix}` : ''}`;
    const out = this.fresh(base);
    const onnxNode: MutableNode = { opType, name: out, inputs: [...inputs], outputs: [out] };
    if (attributes?.length) onnxNode.attributes = attributes;
    this.nodes.push(onnxNode);
    this.produced.add(out);
    return out;
  }

  /** Append an ONNX node with `count` outputs, named like `emit`'s with `_<k>` for output k. */
  private emitOutputs(
    node: PrimitiveNode,
    opType: string,
    inputs: readonly string[],
    attributes: OnnxAttribute[],
    count: number,
    suffix: string,
  ): string[] {
    const base = `n${node.id}_${node.op}_${suffix}`;
    const outputs = Array.from({ length: count }, (_, k) => this.fresh(`${base}_${k}`));
    this.nodes.push({ opType, name: outputs[0], inputs: [...inputs], outputs, attributes });
    for (const o of outputs) this.produced.add(o);
    return outputs;
  }

  private set(node: PrimitiveNode, value: string): void {
    this.values[node.id] = value;
  }

  // ---- the primitives ----

  private lowerNode(node: PrimitiveNode): void {
    if (sizeOf(node.shape) === 0) return this.set(node, this.empty(node));
    if (this.tuned.scatterAdd.has(node.id)) return this.set(node, this.scatterAdd(node));
    if (this.tuned.splits.has(node.id)) return this.splitTiling(node);
    const rows = this.tuned.rowsFirst.get(node.id);
    if (rows !== undefined) return this.set(node, this.rowsFirstGemm(node, rows));
    const product = this.tuned.gemmAddend.get(node.id);
    if (product !== undefined) return this.set(node, this.gemmWithAddend(node, product));
    const ins = node.inputs.map((i) => this.value(i));
    const inNodes = node.inputs.map((i) => this.graph.nodes[i]);
    const [x] = ins;
    const xNode = inNodes[0];
    const attrs = node.attrs as PrimitiveAttrs[keyof PrimitiveAttrs];
    switch (node.op) {
      case 'add':
        return this.set(node, this.emit(node, 'Add', ins));
      case 'sub':
        return this.set(node, this.emit(node, 'Sub', ins));
      case 'mul':
        return this.set(node, this.emit(node, 'Mul', ins));
      case 'div':
        return this.set(node, this.emit(node, 'Div', ins));
      case 'maximum':
        return this.set(node, this.emit(node, 'Max', ins));
      case 'minimum':
        return this.set(node, this.emit(node, 'Min', ins));
      case 'greaterEqual': {
        const mask = this.emit(node, 'GreaterOrEqual', ins, undefined, 'bool');
        return this.set(node, this.emit(node, 'Cast', [mask], [castTo(node.dtype)]));
      }
      case 'neg':
        return this.set(node, this.emit(node, 'Neg', ins));
      case 'exp':
        return this.set(node, this.emit(node, 'Exp', ins));
      case 'log':
        return this.set(node, this.emit(node, 'Log', ins));
      case 'tanh':
        return this.set(node, this.emit(node, 'Tanh', ins));
      case 'sigmoid':
        return this.set(node, this.emit(node, 'Sigmoid', ins));
      case 'sqrt':
        return this.set(node, this.emit(node, 'Sqrt', ins));
      case 'stopGradient':
        return this.set(node, x); // no gradients at run time: plain aliasing, no node
      case 'matmul': {
        const { transA, transB } = attrs as PrimitiveAttrs['matmul'];
        if (this.tuned.weightsFirst.has(node.id))
          return this.set(node, this.weightsFirstGemm(node, ins, transA, transB));
        // Gemm handles the transposes inside the GEMM kernel (MLAS takes trans flags), no Transpose nodes.
        return this.set(node, this.emit(node, 'Gemm', ins, transFlags(transA, transB)));
      }
      case 'sum':
      case 'max': {
        const { axes, keepDims } = attrs as PrimitiveAttrs['sum'];
        const rank = xNode.shape.length;
        const ax = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
        if (ax.length === 0) return this.set(node, x); // IR: no axes = no reduction (ONNX: reduce all!)
        const op = node.op === 'sum' ? 'ReduceSum' : 'ReduceMax';
        const keep: OnnxAttribute = { name: 'keepdims', type: 'int', value: keepDims ? 1 : 0 };
        return this.set(node, this.emit(node, op, [x, this.int64('axes', ax)], [keep]));
      }
      case 'reshape': {
        const { shape } = attrs as PrimitiveAttrs['reshape'];
        if (sameShape(shape, xNode.shape)) return this.set(node, x);
        const a: OnnxAttribute[] = shape.includes(0) ? [{ name: 'allowzero', type: 'int', value: 1 }] : [];
        return this.set(node, this.emit(node, 'Reshape', [x, this.int64('shape', shape)], a));
      }
      case 'transpose': {
        const { perm } = attrs as PrimitiveAttrs['transpose'];
        if (perm.every((p, i) => p === i)) return this.set(node, x);
        return this.set(node, this.emit(node, 'Transpose', [x], [{ name: 'perm', type: 'ints', value: perm }]));
      }
      case 'broadcast': {
        const { shape } = attrs as PrimitiveAttrs['broadcast'];
        if (sameShape(shape, xNode.shape)) return this.set(node, x);
        return this.set(node, this.emit(node, 'Expand', [x, this.int64('shape', shape)]));
      }
      case 'slice': {
        const { starts, ends } = attrs as PrimitiveAttrs['slice'];
        const axes: number[] = [];
        for (let i = 0; i < starts.length; i++) if (starts[i] !== 0 || ends[i] !== xNode.shape[i]) axes.push(i);
        if (axes.length === 0) return this.set(node, x);
        const s = this.int64(
          'starts',
          axes.map((a) => starts[a]),
        );
        const e = this.int64(
          'ends',
          axes.map((a) => ends[a]),
        );
        return this.set(node, this.emit(node, 'Slice', [x, s, e, this.int64('axes', axes)]));
      }
      case 'concat': {
        const { axis } = attrs as PrimitiveAttrs['concat'];
        const rank = node.shape.length;
        const ax = axis < 0 ? axis + rank : axis;
        return this.set(node, this.concatTree(node, ins, ax));
      }
      case 'gather':
        return this.set(node, this.emit(node, 'Gather', ins, [{ name: 'axis', type: 'int', value: 0 }]));
      case 'oneHot': {
        const { depth, dtype } = attrs as PrimitiveAttrs['oneHot'];
        const col = this.emit(node, 'Unsqueeze', [x, this.int64('axes', [-1])], undefined, 'ids');
        const eq = this.emit(node, 'Equal', [col, this.int32Range(depth)], undefined, 'eq');
        return this.set(node, this.emit(node, 'Cast', [eq], [castTo(dtype)]));
      }
      case 'cast': {
        const { dtype } = attrs as PrimitiveAttrs['cast'];
        if (dtype === xNode.dtype) return this.set(node, x);
        return this.set(node, this.emit(node, 'Cast', [x], [castTo(dtype)]));
      }
      default: {
        const never: never = node.op;
        throw new Error(`onnx lowering: no rule for primitive "${String(never)}"`);
      }
    }
  }

  /** x + op(a) @ op(b) (the add `node`, its product the node `product`): Gemm(a, b, C = x). */
  private gemmWithAddend(node: PrimitiveNode, product: number): string {
    const addend = node.inputs.find((i) => i !== product)!;
    return this.gemm(node, product, this.value(addend));
  }

  /** (x + A @ B) + row as Gemm(A, B, C = x's rows of stack + row); the stack + row is computed and cut once. */
  private rowsFirstGemm(node: PrimitiveNode, { product, stack, part, row }: RowsFirst): string {
    const key = `${stack.value}+${row}`;
    let pieces = this.rowsAdded.get(key);
    if (pieces === undefined) {
      const sum = this.emit(node, 'Add', [this.value(stack.value), this.value(row)], undefined, 'rows');
      pieces = this.cut(node, sum, stack);
      this.rowsAdded.set(key, pieces);
    }
    return this.gemm(node, product, pieces[part]);
  }

  /** The matmul node `product`'s operands with `addend` as C, in one Gemm. */
  private gemm(node: PrimitiveNode, product: number, addend: string): string {
    const p = this.graph.nodes[product] as PrimitiveNode<'matmul'>;
    const ins = [...p.inputs.map((i) => this.value(i)), addend];
    return this.emit(node, 'Gemm', ins, transFlags(p.attrs.transA, p.attrs.transB));
  }

  /** The slices that tile a value, as Split nodes when the first of them is reached (the others are then set). */
  private splitTiling(node: PrimitiveNode): void {
    if (this.values[node.id] !== undefined) return;
    const stack = this.tuned.splits.get(node.id)!;
    const pieces = this.cut(node, this.value(stack.value), stack);
    stack.parts.forEach((id, k) => (this.values[id] = pieces[k]));
  }

  /** `value` (the stack's value, or one of its shape) cut like `stack` into its parts. */
  private cut(node: PrimitiveNode, value: string, stack: Stack): string[] {
    const sizes = stack.parts.map((id) => this.graph.nodes[id].shape[stack.axis]);
    return this.splitTree(node, value, stack.axis, sizes);
  }

  /** Split `value` along `axis` into pieces of `sizes`, with at most MAX_SPLIT_OUTPUTS outputs per node. */
  private splitTree(node: PrimitiveNode, value: string, axis: number, sizes: readonly number[], depth = 0): string[] {
    const attr: OnnxAttribute[] = [{ name: 'axis', type: 'int', value: axis }];
    const split = (v: string, parts: readonly number[], suffix: string) =>
      this.emitOutputs(node, 'Split', [v, this.int64('split', parts)], attr, parts.length, suffix);
    if (sizes.length <= MAX_SPLIT_OUTPUTS) return split(value, sizes, `l${depth}`);
    const groups: number[][] = [];
    for (let i = 0; i < sizes.length; i += MAX_SPLIT_OUTPUTS) groups.push(sizes.slice(i, i + MAX_SPLIT_OUTPUTS));
    const total = (g: readonly number[]) => g.reduce((a, b) => a + b, 0);
    const outer = this.splitTree(node, value, axis, groups.map(total), depth + 1);
    return groups.flatMap((g, k) => (g.length === 1 ? [outer[k]] : this.splitTree(node, outer[k], axis, g, depth + 1)));
  }

  /** op(a) @ op(b) as (op(b)^T @ op(a)^T)^T: Gemm(b^T, a) with a's transpose as the Gemm's transB flag. */
  private weightsFirstGemm(node: PrimitiveNode, [a, b]: readonly string[], transA: boolean, transB: boolean): string {
    const weightT = transB ? b : this.transposed(node, b);
    const flags: OnnxAttribute[] = transA ? [] : [{ name: 'transB', type: 'int', value: 1 }];
    const productT = this.emit(node, 'Gemm', [weightT, a], flags, 'wf');
    return this.emit(node, 'Transpose', [productT], [PERM_2D]);
  }

  /**
   * oneHot(ids, rows)^T @ g, the gradient of gather(table, ids): row ids[i] of the result is the sum of the
   * rows i of g with that id. As ScatterND(zeros, ids, g, reduction add), n row additions instead of an
   * (rows x n) @ (n x width) product with a one-hot matrix that is almost all zeros.
   */
  private scatterAdd(node: PrimitiveNode): string {
    const oneHot = this.graph.nodes[node.inputs[0]] as PrimitiveNode<'oneHot'>;
    const ids = this.value(oneHot.inputs[0]);
    const g = this.value(node.inputs[1]);
    const column = this.emit(node, 'Unsqueeze', [ids, this.int64('axes', [-1])], undefined, 'ids');
    const ids64 = this.emit(node, 'Cast', [column], [{ name: 'to', type: 'int', value: OnnxDataType.INT64 }], 'ids64');
    const zero: OnnxTensor = {
      name: 'zero',
      dataType: onnxDataType(node.dtype),
      dims: [1],
      data: allocate(node.dtype, 1),
    };
    const shape = this.int64('shape', node.shape);
    const start = this.emit(
      node,
      'ConstantOfShape',
      [shape],
      [{ name: 'value', type: 'tensor', value: zero }],
      'zeros',
    );
    const reduction: OnnxAttribute = { name: 'reduction', type: 'string', value: 'add' };
    return this.emit(node, 'ScatterND', [start, ids64, g], [reduction]);
  }

  private transposed(node: PrimitiveNode, value: string): string {
    let t = this.transposes.get(value);
    if (t === undefined) {
      t = this.emit(node, 'Transpose', [value], [PERM_2D], 'weight_t');
      this.transposes.set(value, t);
    }
    return t;
  }

  /** Concat with at most `maxConcatInputs` inputs per node: groups of that many are joined level by level. */
  private concatTree(node: PrimitiveNode, inputs: readonly string[], axis: number): string {
    if (inputs.length === 1) return inputs[0];
    const attr: OnnxAttribute[] = [{ name: 'axis', type: 'int', value: axis }];
    let level = [...inputs];
    let depth = 0;
    const max = this.maxConcatInputs;
    while (level.length > max) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += max) {
        const group = level.slice(i, i + max);
        next.push(group.length === 1 ? group[0] : this.emit(node, 'Concat', group, attr, `l${depth}_${next.length}`));
      }
      level = next;
      depth++;
    }
    return this.emit(node, 'Concat', level, attr);
  }
}

const PERM_2D: OnnxAttribute = { name: 'perm', type: 'ints', value: [1, 0] };

function transFlags(transA: boolean, transB: boolean): OnnxAttribute[] {
  const flags: OnnxAttribute[] = [];
  if (transA) flags.push({ name: 'transA', type: 'int', value: 1 });
  if (transB) flags.push({ name: 'transB', type: 'int', value: 1 });
  return flags;
}

function castTo(dtype: DType): OnnxAttribute {
  return { name: 'to', type: 'int', value: onnxDataType(dtype) };
}
