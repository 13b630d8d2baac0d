// The same elementwise op applied to every part of a stack (stacks.ts) is applied once to the whole
// stack, and each part's result is a slice of that. Autodiff writes such ops at every time step: tanh's
// derivative 1 - H_t² for each hidden state H_t, which the output layer's concat [H_1; ...; H_T] already
// holds. Elementwise, the numbers are the same bit for bit; the graph has two ops on the stack instead of
// two per time step (what a backend then does with the slices is its business: ONNX Runtime cuts them
// all in one Split). The pass repeats until nothing changes, so chains of such ops (H² then 1 - H²)
// move to the stack one op per round.
//
// An op qualifies when its other inputs broadcast along the stack's axis (a scalar, a bias row), its
// result has its part's shape, and it comes after the stack's value in the graph (so the stack never
// depends on it).

import { type Shape, sameShape } from '../dtype.js';
import { type Graph, type Node, type PrimitiveNode, type Sym, isPrimitiveNode } from '../graph.js';
import { BINARY_PRIMITIVES, UNARY_PRIMITIVES } from '../primitives.js';
import { rewriteGraph } from './rewrite.js';
import { type Stack, concatStacks, sliceTilings } from './stacks.js';

/** Rounds at most (each moves one op of a chain onto its stack). */
const MAX_ROUNDS = 8;

export function stackElementwise(graph: Graph): Graph {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = stackOnce(graph);
    if (next === undefined) break;
    graph = next;
  }
  return graph;
}

/** One op per part of `stack`: `ops[k]` reads part k (-1 until one is found). */
interface Group {
  readonly stack: Stack;
  readonly ops: number[];
  whole?: Sym;
}

const ELEMENTWISE = new Set<string>([...BINARY_PRIMITIVES, ...UNARY_PRIMITIVES]);

function stackOnce(graph: Graph): Graph | undefined {
  const { nodes } = graph;
  const stacks = [...concatStacks(graph), ...sliceTilings(graph)];
  const partOf = new Map<number, Array<{ stack: number; part: number }>>();
  stacks.forEach((s, stack) =>
    s.parts.forEach((id, part) => partOf.set(id, [...(partOf.get(id) ?? []), { stack, part }])),
  );

  // Ops of the same kind on each part of a stack, keyed by stack, op, attributes and where the part goes.
  const groups = new Map<string, Group>();
  for (const n of nodes) {
    if (!isPrimitiveNode(n) || !ELEMENTWISE.has(n.op)) continue;
    for (const id of new Set(n.inputs)) {
      for (const { stack, part } of partOf.get(id) ?? []) {
        const s = stacks[stack];
        if (!qualifies(nodes, n, id, s)) continue;
        const key = `${stack}|${n.op}|${JSON.stringify(n.attrs)}|${n.inputs.map((i) => (i === id ? '*' : i)).join(',')}`;
        const group = groups.get(key) ?? { stack: s, ops: new Array<number>(s.parts.length).fill(-1) };
        if (group.ops[part] < 0) group.ops[part] = n.id;
        groups.set(key, group);
      }
    }
  }

  const plan = new Map<number, { group: Group; part: number }>();
  for (const group of groups.values()) {
    const { ops, stack } = group;
    if (ops.some((id) => id < stack.value) || new Set(ops).size !== ops.length) continue;
    if (ops.some((id) => plan.has(id))) continue;
    ops.forEach((id, part) => plan.set(id, { group, part }));
  }
  if (plan.size === 0) return undefined;

  return rewriteGraph(graph, (node, _args, { value }) => {
    const planned = plan.get(node.id);
    if (planned === undefined) return undefined;
    const { group, part } = planned;
    const { stack } = group;
    if (group.whole === undefined) {
      const first = nodes[group.ops[0]] as PrimitiveNode;
      const inputs = first.inputs.map((i) => (i === stack.parts[0] ? value(stack.value) : value(i)));
      group.whole = value(stack.value).builder.op(first.op as never, inputs, first.attrs as never);
    }
    const start = stack.offsets[part];
    return group.whole.sliceAxis(stack.axis, start, start + nodes[stack.parts[part]].shape[stack.axis]);
  });
}

/** Whether `n` reads part `id` of `stack` as an op that the stack can do for every part at once. */
function qualifies(nodes: readonly Node[], n: Node, id: number, stack: Stack): boolean {
  if (!sameShape(n.shape, nodes[id].shape) || n.id < stack.value) return false;
  return n.inputs.every((i) => i === id || alongAxis(nodes[i].shape, n.shape.length, stack.axis) === 1);
}

/** The size of a broadcast operand of shape `shape` along `axis` of a result of rank `rank` (1 if absent). */
function alongAxis(shape: Shape, rank: number, axis: number): number {
  const i = axis - (rank - shape.length);
  return i < 0 ? 1 : shape[i];
}
