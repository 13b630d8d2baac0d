// Equal small constants become one node, and so (through the builder, see rewrite.ts) do equal ops on
// equal inputs; nodes no output needs are dropped. Constants built as tensors, or copied in from
// another graph, are not shared by the builder the way the scalars it creates are.

import type { HostTensor } from '../dtype.js';
import type { Graph, Sym } from '../graph.js';
import { rewriteGraph } from './rewrite.js';

/** Larger constants (tables, weights) are compared by identity only: reading them all costs more than it saves. */
const SMALL_CONSTANT = 64;

export function mergeDuplicates(graph: Graph): Graph {
  const constants = new Map<string, Sym>();
  return rewriteGraph(graph, (node, _args, { b }) => {
    if (node.op !== 'constant' || node.value.data.length > SMALL_CONSTANT) return undefined;
    const key = constantKey(node.value);
    const seen = constants.get(key) ?? b.constant(node.value);
    constants.set(key, seen);
    return seen;
  });
}

/** dtype, shape and values; -0 and 0 differ (1 / -0 is -Infinity). */
function constantKey(value: HostTensor): string {
  const values = Array.from(value.data, (v) => (Object.is(v, -0) ? '-0' : String(v)));
  return `${value.dtype}|${value.shape.join(',')}|${values.join(',')}`;
}
