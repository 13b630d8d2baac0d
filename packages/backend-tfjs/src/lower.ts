// Graph-to-graph rewrites applied at compile time, before the kernel table runs the graph. Each one
// computes exactly the same values with primitives that are cheaper on a given tfjs runtime; none
// changes what a graph means (at most the order of float additions inside one matmul).
//
// Why they exist (measured on tfjs-backend-wasm 4.22.0, single thread):
// - wasm runs `matMul` through XNNPACK only when neither transpose flag is set; with a flag it takes a
//   naive loop that is 15-20x slower. XNNPACK also caches the packed right operand per tensor, so the
//   35 products with the same `W_hh^T` pack it once. Hence: explicit, shared transposes.
// - wasm's `slice` copies the WHOLE input out of the wasm heap (`readSync`) to cut a few rows out of it;
//   `gather` works inside the heap. Hence: row slices become gathers of constant row indices, and
//   slices of a gather become gathers of sliced (tiny, int32) indices.
// - Autodiff emits some values twice (the same concat for a weight gradient and a bias gradient):
//   common-subexpression elimination computes them once.

import {
  type AttrsOf,
  BINARY_PRIMITIVES,
  type BinaryPrimitive,
  type Graph,
  GraphBuilder,
  type HostTensor,
  type Node,
  type PrimitiveName,
  type PrimitiveNode,
  type Shape,
  type Sym,
  broadcastShapes,
  isPrimitiveNode,
  sameShape,
  tensor,
} from '@rnn-scratch/core';

export interface LoweringOptions {
  /** matmul with transA/transB -> explicit `transpose` (one per operand, shared) + plain matmul. */
  readonly explicitTranspose: boolean;
  /** Row slices (only axis 0 cut) -> `gather` with constant indices; slice(gather(t, i)) -> gather(t, slice(i)). */
  readonly sliceAsGather: boolean;
  /** Merge nodes with the same op, attrs and inputs, and equal small constants. */
  readonly cse: boolean;
  /** Drop multiplications and divisions by a constant scalar 1 (bit-exact identities). */
  readonly foldIdentities: boolean;
  /** binary(broadcast(x), y) -> binary(x, y) when the binary op's own broadcasting gives the same shape. */
  readonly foldBroadcast: boolean;
}

export const NO_LOWERING: LoweringOptions = {
  explicitTranspose: false,
  sliceAsGather: false,
  cse: false,
  foldIdentities: false,
  foldBroadcast: false,
};

/** What each runtime gets by default (measured: see scripts/bench-step.ts). */
export function defaultLowering(backendName: string): LoweringOptions {
  const wasm = backendName === 'wasm';
  return {
    explicitTranspose: wasm,
    sliceAsGather: wasm,
    cse: true,
    foldIdentities: true,
    foldBroadcast: true,
  };
}

const SMALL_CONSTANT = 64;

function constantKey(value: HostTensor): string {
  return `const|${value.dtype}|${value.shape.join(',')}|${Array.from(value.data).join(',')}`;
}

function isBinary(op: PrimitiveName): op is BinaryPrimitive {
  return (BINARY_PRIMITIVES as readonly string[]).includes(op);
}

function isScalarOne(node: Node | undefined): boolean {
  return node !== undefined && node.op === 'constant' && node.value.data.length === 1 && node.value.data[0] === 1;
}

/** Apply the chosen rewrites; returns a graph with the same inputs and outputs (names, dtypes, shapes). */
export function lowerGraph(graph: Graph, options: LoweringOptions): Graph {
  if (!Object.values(options).some(Boolean)) return graph;
  return new Lowering(options).run(graph);
}

/** One pass over the graph in order, rebuilding it node by node in a fresh GraphBuilder. */
class Lowering {
  private readonly b = new GraphBuilder();
  /** Node id in the new graph -> that node (to look at what produced an operand). */
  private readonly built = new Map<number, Node>();
  /** CSE table: op|inputs|attrs (or a small constant's value) -> the value already built. */
  private readonly memo = new Map<string, Sym>();
  /** New node id -> its (shared) transpose. */
  private readonly transposed = new Map<number, Sym>();

  constructor(private readonly options: LoweringOptions) {}

  run(graph: Graph): Graph {
    const values: Sym[] = new Array(graph.nodes.length);
    for (const n of graph.nodes) {
      if (n.op === 'input') values[n.id] = this.b.input(n.name, n.dtype, n.shape);
      else if (n.op === 'constant') values[n.id] = this.constant(n.value);
      else if (isPrimitiveNode(n)) values[n.id] = this.primitive(n, n.inputs.map((i) => values[i]));
    }
    for (const o of graph.outputs) this.b.output(o.name, values[o.id]);
    return this.b.build();
  }

  private producer(x: Sym): Node | undefined {
    return this.built.get(x.id);
  }

  private remember(out: Sym): Sym {
    this.built.set(out.id, this.b.node(out.id));
    return out;
  }

  private emit<P extends PrimitiveName>(op: P, inputs: readonly Sym[], attrs: AttrsOf<P>): Sym {
    const key = this.options.cse ? `${op}|${inputs.map((x) => x.id).join(',')}|${JSON.stringify(attrs)}` : undefined;
    const hit = key === undefined ? undefined : this.memo.get(key);
    if (hit) return hit;
    const out = this.remember(this.b.op(op, inputs, attrs));
    if (key !== undefined) this.memo.set(key, out);
    return out;
  }

  private constant(value: HostTensor): Sym {
    const key = this.options.cse && value.data.length <= SMALL_CONSTANT ? constantKey(value) : undefined;
    const hit = key === undefined ? undefined : this.memo.get(key);
    if (hit) return hit;
    const out = this.remember(this.b.constant(value));
    if (key !== undefined) this.memo.set(key, out);
    return out;
  }

  private transposeOf(x: Sym): Sym {
    let t = this.transposed.get(x.id);
    if (!t) {
      t = this.emit('transpose', [x], { perm: [1, 0] });
      this.transposed.set(x.id, t);
    }
    return t;
  }

  /** `x` without an explicit broadcast in front, if `op`'s own broadcasting against `other` restores `shape`. */
  private unbroadcast(x: Sym, other: Sym, shape: Shape): Sym {
    const p = this.producer(x);
    if (p?.op !== 'broadcast') return x;
    const source = this.b.sym(p.inputs[0]);
    const s = broadcastShapes(source.shape, other.shape);
    return s !== null && sameShape(s, shape) ? source : x;
  }

  private primitive(n: PrimitiveNode, args: Sym[]): Sym {
    const o = this.options;
    if (o.foldBroadcast && isBinary(n.op)) {
      const a = this.unbroadcast(args[0], args[1], n.shape);
      args = [a, this.unbroadcast(args[1], a, n.shape)];
    }
    switch (n.op) {
      case 'matmul': {
        const { transA, transB } = n.attrs as AttrsOf<'matmul'>;
        if (!o.explicitTranspose || (!transA && !transB)) break;
        const a = transA ? this.transposeOf(args[0]) : args[0];
        const bb = transB ? this.transposeOf(args[1]) : args[1];
        return this.emit('matmul', [a, bb], { transA: false, transB: false });
      }
      case 'slice': {
        if (!o.sliceAsGather) break;
        const rows = this.rowSlice(args[0], n.attrs as AttrsOf<'slice'>);
        if (rows) return rows;
        break;
      }
      case 'mul':
      case 'div': {
        if (!o.foldIdentities) break;
        const [x, y] = args;
        if (isScalarOne(this.producer(y)) && sameShape(x.shape, n.shape)) return x;
        if (n.op === 'mul' && isScalarOne(this.producer(x)) && sameShape(y.shape, n.shape)) return y;
        break;
      }
      default:
        break;
    }
    return this.emit(n.op, args, n.attrs);
  }

  /** A slice that cuts only axis 0, as a gather of constant row indices (or of sliced gather indices). */
  private rowSlice(x: Sym, { starts, ends }: AttrsOf<'slice'>): Sym | undefined {
    if (x.rank < 1 || !x.shape.every((d, i) => i === 0 || (starts[i] === 0 && ends[i] === d))) return undefined;
    const [start, end] = [starts[0], ends[0]];
    if (start === 0 && end === x.shape[0]) return this.emit('reshape', [x], { shape: [...x.shape] });
    const p = this.producer(x);
    if (p?.op === 'gather' && p.inputs.length === 2 && this.b.sym(p.inputs[1]).rank >= 1) {
      // The rows of gather(table, idx) are gathered by the leading axis of idx: slice idx instead (int32, tiny).
      const [table, idx] = p.inputs.map((id) => this.b.sym(id));
      const sub = this.emit('slice', [idx], {
        starts: idx.shape.map((_, i) => (i === 0 ? start : 0)),
        ends: idx.shape.map((d, i) => (i === 0 ? end : d)),
      });
      return this.emit('gather', [table, sub], {});
    }
    const rowIds = tensor('int32', [end - start], Array.from({ length: end - start }, (_, i) => start + i));
    return this.emit('gather', [x, this.constant(rowIds)], {});
  }
}
