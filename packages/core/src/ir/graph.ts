// The graph IR: a list of nodes in execution order, each producing one typed value with a static shape.
// A graph is a pure function from named inputs to named outputs. Backends compile whole graphs, so
// one train step (forward, backward, clipping, update) is one graph and one compiled executable.

import {
  type DType,
  type HostTensor,
  type Shape,
  formatType,
  sameShape,
  scalar as hostScalar,
  tensor,
} from './dtype.js';
import { ARITY, type AttrsOf, GraphError, type PrimitiveName, shapeRules } from './primitives.js';

export interface InputNode {
  readonly id: number;
  readonly op: 'input';
  readonly name: string;
  readonly inputs: readonly [];
  readonly shape: Shape;
  readonly dtype: DType;
}
export interface ConstantNode {
  readonly id: number;
  readonly op: 'constant';
  readonly value: HostTensor;
  readonly inputs: readonly [];
  readonly shape: Shape;
  readonly dtype: DType;
}
export interface PrimitiveNode<P extends PrimitiveName = PrimitiveName> {
  readonly id: number;
  readonly op: P;
  readonly attrs: AttrsOf<P>;
  readonly inputs: readonly number[];
  readonly shape: Shape;
  readonly dtype: DType;
}
export type Node = InputNode | ConstantNode | PrimitiveNode;

export interface NamedValue {
  readonly name: string;
  readonly id: number;
}

/** A finished graph. `nodes[i].id === i`, and every node comes after the nodes it reads. */
export interface Graph {
  readonly nodes: readonly Node[];
  readonly inputs: readonly NamedValue[];
  readonly outputs: readonly NamedValue[];
}

export function isPrimitiveNode(node: Node): node is PrimitiveNode {
  return node.op !== 'input' && node.op !== 'constant';
}

/**
 * A symbolic value inside a GraphBuilder: what `x` is while you write `x.matmul(W).add(b).tanh()`.
 * It holds no numbers, only the node id, shape and dtype.
 */
export class Sym {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `%${this.id}:${formatType(this.dtype, this.shape)}`;
  }

  private lift(other: Sym | number): Sym {
    return typeof other === 'number' ? this.builder.scalar(other, this.dtype) : other;
  }

  add(other: Sym | number): Sym {
    return this.builder.op('add', [this, this.lift(other)], {});
  }
  sub(other: Sym | number): Sym {
    return this.builder.op('sub', [this, this.lift(other)], {});
  }
  mul(other: Sym | number): Sym {
    return this.builder.op('mul', [this, this.lift(other)], {});
  }
  div(other: Sym | number): Sym {
    return this.builder.op('div', [this, this.lift(other)], {});
  }
  maximum(other: Sym | number): Sym {
    return this.builder.op('maximum', [this, this.lift(other)], {});
  }
  minimum(other: Sym | number): Sym {
    return this.builder.op('minimum', [this, this.lift(other)], {});
  }
  greaterEqual(other: Sym | number): Sym {
    return this.builder.op('greaterEqual', [this, this.lift(other)], {});
  }
  neg(): Sym {
    return this.builder.op('neg', [this], {});
  }
  exp(): Sym {
    return this.builder.op('exp', [this], {});
  }
  log(): Sym {
    return this.builder.op('log', [this], {});
  }
  tanh(): Sym {
    return this.builder.op('tanh', [this], {});
  }
  sigmoid(): Sym {
    return this.builder.op('sigmoid', [this], {});
  }
  sqrt(): Sym {
    return this.builder.op('sqrt', [this], {});
  }
  square(): Sym {
    return this.mul(this);
  }
  stopGradient(): Sym {
    return this.builder.op('stopGradient', [this], {});
  }
  /** `this @ other`, with optional transposes of either operand (`A^T @ B` is `A.matmul(B, {transA: true})`). */
  matmul(other: Sym, opts: { transA?: boolean; transB?: boolean } = {}): Sym {
    return this.builder.op('matmul', [this, other], { transA: opts.transA ?? false, transB: opts.transB ?? false });
  }
  /** Sum over `axes` (all axes when omitted). */
  sum(axes?: number | readonly number[], keepDims = false): Sym {
    const ax = normalizeAxes(axes, this.rank);
    if (ax.length === 0) return this; // a sum over no axes (e.g. of a scalar) is the value itself
    return this.builder.op('sum', [this], { axes: ax, keepDims });
  }
  max(axes?: number | readonly number[], keepDims = false): Sym {
    const ax = normalizeAxes(axes, this.rank);
    if (ax.length === 0) return this;
    return this.builder.op('max', [this], { axes: ax, keepDims });
  }
  mean(axes?: number | readonly number[], keepDims = false): Sym {
    const ax = normalizeAxes(axes, this.rank);
    const count = ax.reduce((n, a) => n * this.shape[a], 1);
    return this.sum(ax, keepDims).div(count);
  }
  reshape(shape: Shape): Sym {
    if (sameShape(shape, this.shape)) return this; // nothing to do: no node
    return this.builder.op('reshape', [this], { shape: [...shape] });
  }
  transpose(perm?: readonly number[]): Sym {
    const p = perm ?? [...this.shape.keys()].reverse();
    if (p.every((axis, i) => axis === i)) return this;
    return this.builder.op('transpose', [this], { perm: [...p] });
  }
  /** The matrix transpose of a 2-D value. */
  get T(): Sym {
    return this.transpose();
  }
  broadcastTo(shape: Shape): Sym {
    if (sameShape(shape, this.shape)) return this;
    return this.builder.op('broadcast', [this], { shape: [...shape] });
  }
  slice(starts: readonly number[], ends: readonly number[]): Sym {
    return this.builder.op('slice', [this], { starts: [...starts], ends: [...ends] });
  }
  /** Rows `start..end` of axis `axis` (other axes whole); the whole axis is the value itself (no node). */
  sliceAxis(axis: number, start: number, end: number): Sym {
    if (start === 0 && end === this.shape[axis]) return this;
    const starts = this.shape.map((_, i) => (i === axis ? start : 0));
    const ends = this.shape.map((d, i) => (i === axis ? end : d));
    return this.slice(starts, ends);
  }
  cast(dtype: DType): Sym {
    if (dtype === this.dtype) return this;
    return this.builder.op('cast', [this], { dtype });
  }
  /** Treat `this` as a table and look up rows by `indices` (an embedding lookup). */
  gather(indices: Sym): Sym {
    return this.builder.op('gather', [this, indices], {});
  }
  oneHot(depth: number, dtype: DType = 'float32'): Sym {
    return this.builder.op('oneHot', [this], { depth, dtype });
  }
}

function normalizeAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return [...Array(rank).keys()];
  const list = typeof axes === 'number' ? [axes] : [...axes];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** Records nodes. `build()` returns an immutable Graph with unused nodes removed. */
export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputNames = new Map<string, number>();
  private readonly outputList: NamedValue[] = [];
  /** Common subexpressions: an op with the same attributes on the same inputs is computed once. */
  private readonly seen = new Map<string, number>();

  /** A named graph input (fed at run time: data, state, parameters, learning rate...). */
  input(name: string, dtype: DType, shape: Shape): Sym {
    if (this.inputNames.has(name)) throw new GraphError(`input "${name}" is declared twice`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0)
        throw new GraphError(`input "${name}": bad dimension ${d} in [${shape.join(', ')}]`);
    }
    const id = this.nodes.length;
    this.nodes.push({ id, op: 'input', name, inputs: [], shape: [...shape], dtype });
    this.inputNames.set(name, id);
    return new Sym(this, id, shape, dtype);
  }

  constant(value: HostTensor): Sym {
    const id = this.nodes.length;
    this.nodes.push({ id, op: 'constant', value, inputs: [], shape: [...value.shape], dtype: value.dtype });
    return new Sym(this, id, value.shape, value.dtype);
  }

  scalar(value: number, dtype: DType = 'float32'): Sym {
    const key = `scalar ${dtype} ${Object.is(value, -0) ? '-0' : value}`;
    const id = this.seen.get(key);
    if (id !== undefined) return this.sym(id);
    const s = this.constant(hostScalar(dtype, value));
    this.seen.set(key, s.id);
    return s;
  }

  /** A constant tensor from plain numbers. */
  fromValues(dtype: DType, shape: Shape, values: ArrayLike<number>): Sym {
    return this.constant(tensor(dtype, shape, values));
  }

  zeros(dtype: DType, shape: Shape): Sym {
    return this.scalar(0, dtype).broadcastTo(shape);
  }

  /** Append one primitive node; its shape rule runs now, so a mismatch is reported where it is written. */
  op<P extends PrimitiveName>(op: P, inputs: readonly Sym[], attrs: AttrsOf<P>): Sym {
    const arity = ARITY[op];
    if (arity !== 'variadic' && inputs.length !== arity) {
      throw new GraphError(`${op}: expects ${arity} inputs, got ${inputs.length}`);
    }
    for (const x of inputs) {
      if (x.builder !== this) throw new GraphError(`${op}: operand ${x} belongs to another graph builder`);
    }
    const rule = shapeRules[op] as (i: readonly Sym[], a: AttrsOf<P>) => { shape: Shape; dtype: DType };
    const out = rule(inputs, attrs);
    const key = `${op} ${JSON.stringify(attrs)} ${inputs.map((x) => x.id).join(',')}`;
    const existing = this.seen.get(key);
    if (existing !== undefined) return this.sym(existing);
    const id = this.nodes.length;
    this.seen.set(key, id);
    const node: PrimitiveNode<P> = {
      id,
      op,
      attrs,
      inputs: inputs.map((x) => x.id),
      shape: out.shape,
      dtype: out.dtype,
    };
    this.nodes.push(node as Node);
    return new Sym(this, id, out.shape, out.dtype);
  }

  /** Mark `value` as the graph output `name`. */
  output(name: string, value: Sym): void {
    if (this.outputList.some((o) => o.name === name)) throw new GraphError(`output "${name}" is declared twice`);
    this.outputList.push({ name, id: value.id });
  }

  /** The node behind a symbol (autodiff reads attrs and inputs through this). */
  node(id: number): Node {
    return this.nodes[id];
  }

  sym(id: number): Sym {
    const n = this.nodes[id];
    return new Sym(this, id, n.shape, n.dtype);
  }

  get size(): number {
    return this.nodes.length;
  }

  /**
   * Finish the graph: keep only nodes the outputs depend on (dead code elimination), renumber them,
   * and keep every declared input (even unused ones, so the feed signature stays what you declared).
   */
  build(): Graph {
    if (this.outputList.length === 0) throw new GraphError('graph has no outputs');
    const live = new Uint8Array(this.nodes.length);
    const stack = this.outputList.map((o) => o.id);
    while (stack.length) {
      const id = stack.pop()!;
      if (live[id]) continue;
      live[id] = 1;
      for (const i of this.nodes[id].inputs) stack.push(i);
    }
    for (const id of this.inputNames.values()) live[id] = 1;
    const remap = new Map<number, number>();
    const nodes: Node[] = [];
    for (const n of this.nodes) {
      if (!live[n.id]) continue;
      const id = nodes.length;
      remap.set(n.id, id);
      nodes.push({ ...n, id, inputs: n.inputs.map((i) => remap.get(i)!) } as Node);
    }
    const inputs = [...this.inputNames].map(([name, id]) => ({ name, id: remap.get(id)! }));
    const outputs = this.outputList.map((o) => ({ name: o.name, id: remap.get(o.id)! }));
    return { nodes, inputs, outputs };
  }

  /** Copy every node of `graph` into this builder; returns the symbols of its inputs, outputs and nodes. */
  static from(graph: Graph): {
    builder: GraphBuilder;
    values: Sym[];
    inputs: Record<string, Sym>;
    outputs: Record<string, Sym>;
  } {
    const b = new GraphBuilder();
    const values: Sym[] = [];
    for (const n of graph.nodes) {
      if (n.op === 'input') values.push(b.input(n.name, n.dtype, n.shape));
      else if (n.op === 'constant') values.push(b.constant(n.value));
      else
        values.push(
          b.op(
            n.op,
            n.inputs.map((i) => values[i]),
            (n as PrimitiveNode).attrs,
          ),
        );
    }
    const inputs = Object.fromEntries(graph.inputs.map((i) => [i.name, values[i.id]]));
    const outputs = Object.fromEntries(graph.outputs.map((o) => [o.name, values[o.id]]));
    return { builder: b, values, inputs, outputs };
  }
}

/** Build a graph with a callback: `buildGraph((b) => { const x = b.input(...); b.output('y', x.tanh()); })`. */
export function buildGraph(fn: (b: GraphBuilder) => void): Graph {
  const b = new GraphBuilder();
  fn(b);
  return b.build();
}
