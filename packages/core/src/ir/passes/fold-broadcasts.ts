// `binary(broadcast(x), y)` -> `binary(x, y)` when the binary op's own broadcasting of `x` against `y`
// gives the same result shape: the same values, without materialising the broadcast copy. Every
// backend's binary kernels broadcast (core's shape rule allows it), so this is always valid.

import { sameShape } from '../dtype.js';
import type { Graph, GraphBuilder, Sym } from '../graph.js';
import { BINARY_PRIMITIVES, type BinaryPrimitive, broadcastShapes } from '../primitives.js';
import { rewriteGraph } from './rewrite.js';

const BINARY: ReadonlySet<string> = new Set(BINARY_PRIMITIVES);

export function foldBroadcasts(graph: Graph): Graph {
  return rewriteGraph(graph, (node, args, { b }) => {
    if (!BINARY.has(node.op)) return undefined;
    const x = withoutBroadcast(b, args[0], args[1], node.shape);
    const y = withoutBroadcast(b, args[1], x, node.shape);
    return x === args[0] && y === args[1] ? undefined : b.op(node.op as BinaryPrimitive, [x, y], {});
  });
}

/** The source of `x` if `x` is a broadcast and broadcasting that source against `other` still gives `shape`. */
function withoutBroadcast(b: GraphBuilder, x: Sym, other: Sym, shape: readonly number[]): Sym {
  const n = b.node(x.id);
  if (n.op !== 'broadcast') return x;
  const source = b.sym(n.inputs[0]);
  const s = broadcastShapes(source.shape, other.shape);
  return s !== null && sameShape(s, shape) ? source : x;
}
