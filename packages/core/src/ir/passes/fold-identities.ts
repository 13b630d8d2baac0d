// `x * 1`, `1 * x` and `x / 1` are `x`, bit for bit (IEEE multiplication and division by 1 are exact),
// so such a node is dropped when `x` already has the result's shape; when the op also broadcasts `x`
// it stays. d2l's `sgd` divides by `batch_size`, which the book's training loop sets to 1.

import { sameShape } from '../dtype.js';
import type { Graph, GraphBuilder, Sym } from '../graph.js';
import { rewriteGraph } from './rewrite.js';

export function foldIdentities(graph: Graph): Graph {
  return rewriteGraph(graph, (node, args, { b }) => {
    if (node.op !== 'mul' && node.op !== 'div') return undefined;
    const [x, y] = args;
    if (isScalarOne(b, y) && sameShape(x.shape, node.shape)) return x;
    if (node.op === 'mul' && isScalarOne(b, x) && sameShape(y.shape, node.shape)) return y;
    return undefined;
  });
}

/** A constant with a single element equal to 1 (any rank: `1.0`, `[1.0]`, `[[1.0]]`). */
function isScalarOne(b: GraphBuilder, x: Sym): boolean {
  const n = b.node(x.id);
  return n.op === 'constant' && n.value.data.length === 1 && n.value.data[0] === 1;
}
