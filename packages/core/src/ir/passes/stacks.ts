// Stacks: a value cut along one axis into consecutive parts, as an unrolled RNN makes them. The hidden
// states H_1 ... H_T are the parts of the concat the output layer reads, and the input projection of all
// time steps, or the output layer's gradient, is one value that the time steps slice into consecutive row
// blocks. Passes and backends use them to do once, on the stack, what the graph does once per time step.

import type { Graph, Node, PrimitiveNode } from '../graph.js';

/** `value` (a node id) cut along `axis` into `parts` (node ids, in order), `offsets[k]` where part k starts. */
export interface Stack {
  readonly value: number;
  readonly axis: number;
  readonly parts: readonly number[];
  readonly offsets: readonly number[];
}

/** The concats of two or more distinct values: each is the stack of its inputs. */
export function concatStacks(graph: Graph): Stack[] {
  const stacks: Stack[] = [];
  for (const n of graph.nodes) {
    if (n.op !== 'concat' || n.inputs.length < 2 || new Set(n.inputs).size !== n.inputs.length) continue;
    const rank = n.shape.length;
    const { axis } = (n as PrimitiveNode<'concat'>).attrs;
    const ax = axis < 0 ? axis + rank : axis;
    let at = 0;
    const offsets = n.inputs.map((id) => {
      const start = at;
      at += graph.nodes[id].shape[ax];
      return start;
    });
    stacks.push({ value: n.id, axis: ax, parts: n.inputs, offsets });
  }
  return stacks;
}

/**
 * The values that two or more slices cut along one axis into tiles covering it exactly (no gap, no
 * overlap), each slice a part.
 */
export function sliceTilings(graph: Graph): Stack[] {
  const bySource = new Map<number, Array<{ id: number; axis: number; start: number; end: number }>>();
  for (const n of graph.nodes) {
    if (n.op !== 'slice') continue;
    const cut = singleAxisCut(n as PrimitiveNode<'slice'>, graph.nodes[n.inputs[0]]);
    if (cut === undefined) continue;
    const list = bySource.get(n.inputs[0]) ?? [];
    list.push({ id: n.id, ...cut });
    bySource.set(n.inputs[0], list);
  }
  const stacks: Stack[] = [];
  for (const [value, cuts] of bySource) {
    const axis = cuts[0].axis;
    const sorted = [...cuts].sort((p, q) => p.start - q.start);
    const tiles =
      cuts.length > 1 &&
      sorted.every((c, i) => c.axis === axis && c.start === (i === 0 ? 0 : sorted[i - 1].end)) &&
      sorted[sorted.length - 1].end === graph.nodes[value].shape[axis];
    if (tiles) stacks.push({ value, axis, parts: sorted.map((c) => c.id), offsets: sorted.map((c) => c.start) });
  }
  return stacks;
}

/** The one axis a slice cuts (every other axis whole, at least one element kept), else undefined. */
function singleAxisCut(
  n: PrimitiveNode<'slice'>,
  source: Node,
): { axis: number; start: number; end: number } | undefined {
  const { starts, ends } = n.attrs;
  const cut = starts.flatMap((s, i) => (s !== 0 || ends[i] !== source.shape[i] ? [i] : []));
  if (cut.length !== 1 || ends[cut[0]] <= starts[cut[0]]) return undefined;
  return { axis: cut[0], start: starts[cut[0]], end: ends[cut[0]] };
}
