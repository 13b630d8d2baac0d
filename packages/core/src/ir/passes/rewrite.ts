// The mechanism every graph pass uses: copy a graph node by node, in order, into a fresh GraphBuilder,
// and let a rule replace a node by a value it builds from the node's (already copied) inputs.
// The builder merges an op with the same attributes on the same inputs into one node, and `build()`
// drops every node no output needs, so each pass also does common-subexpression elimination and
// dead-code removal.

import { type DType, type Shape, formatType, sameShape } from '../dtype.js';
import { type ConstantNode, type Graph, GraphBuilder, type PrimitiveNode, type Sym } from '../graph.js';
import { GraphError } from '../primitives.js';

export interface RewriteContext {
  /** The builder of the new graph. */
  readonly b: GraphBuilder;
  /** The new value of a node of the source graph that comes before the node being rewritten. */
  value(id: number): Sym;
}

/** A node's replacement, built in `ctx.b`; undefined copies the node unchanged. */
export type NodeRewrite = (
  node: ConstantNode | PrimitiveNode,
  args: readonly Sym[],
  ctx: RewriteContext,
) => Sym | undefined;

/** Copy `graph` with `rewrite` applied to each constant and primitive node; inputs and outputs keep their names. */
export function rewriteGraph(graph: Graph, rewrite: NodeRewrite = () => undefined): Graph {
  const b = new GraphBuilder();
  const values: Sym[] = [];
  const ctx: RewriteContext = { b, value: (id) => values[id] };
  for (const n of graph.nodes) {
    if (n.op === 'input') {
      values.push(b.input(n.name, n.dtype, n.shape));
      continue;
    }
    const args = n.inputs.map((i) => values[i]);
    const out = rewrite(n, args, ctx) ?? copy(b, n, args);
    if (out.dtype !== n.dtype || !sameShape(out.shape, n.shape)) throw wrongType(n, out.dtype, out.shape);
    values.push(out);
  }
  for (const o of graph.outputs) b.output(o.name, values[o.id]);
  return b.build();
}

/** Scalar constants go through `scalar()`, so the builder shares them with the scalars a rewrite creates. */
function copy(b: GraphBuilder, n: ConstantNode | PrimitiveNode, args: readonly Sym[]): Sym {
  if (n.op !== 'constant') return b.op(n.op, args, n.attrs);
  return n.shape.length === 0 ? b.scalar(n.value.data[0], n.dtype) : b.constant(n.value);
}

function wrongType(n: ConstantNode | PrimitiveNode, dtype: DType, shape: Shape): GraphError {
  const [got, want] = [formatType(dtype, shape), formatType(n.dtype, n.shape)];
  return new GraphError(`rewrite of node ${n.id} (${n.op}) gives ${got}, not ${want}`);
}
