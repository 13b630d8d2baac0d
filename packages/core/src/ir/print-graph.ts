// printGraph: a graph as text a learner can read, shaped like a jaxpr:
//
//   { lambda X:i32[2,3] W:f32[28,4] ; let
//       a:f32[3,2] = transpose[perm=1,0] X
//       ...
//     in { loss: c } }
//
// Inputs are named, intermediate values get short letters (a, b, ..., z, ba, bb, ...), scalar constants
// are printed inline, and every value shows its dtype and shape.

import { formatType } from './dtype.js';
import { type Graph, isPrimitiveNode } from './graph.js';

function letterName(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

function formatAttr(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

export interface PrintGraphOptions {
  /** Print at most this many equations (the rest is summarised); default: all. */
  readonly maxLines?: number;
}

export function printGraph(graph: Graph, options: PrintGraphOptions = {}): string {
  const names = new Map<number, string>();
  let next = 0;
  const nameOf = (id: number): string => names.get(id) ?? '?';
  for (const n of graph.nodes) {
    if (n.op === 'input') names.set(n.id, n.name);
    else if (n.op === 'constant' && n.shape.length === 0) {
      const v = n.value.data[0];
      names.set(n.id, n.dtype === 'int32' ? String(v) : formatNumber(v));
    } else {
      let name = letterName(next++);
      while (graph.inputs.some((i) => i.name === name)) name = letterName(next++);
      names.set(n.id, name);
    }
  }
  const header = graph.inputs
    .map((i) => `${i.name}:${formatType(graph.nodes[i.id].dtype, graph.nodes[i.id].shape)}`)
    .join(' ');
  const lines: string[] = [`{ lambda ${header} ; let`];
  const eqns = graph.nodes.filter((n) => n.op !== 'input' && !(n.op === 'constant' && n.shape.length === 0));
  const limit = options.maxLines ?? Infinity;
  eqns.forEach((n, k) => {
    if (k >= limit) return;
    const lhs = `${nameOf(n.id)}:${formatType(n.dtype, n.shape)}`;
    if (n.op === 'constant') {
      lines.push(`    ${lhs} = constant`);
    } else if (isPrimitiveNode(n)) {
      const attrs = Object.entries(n.attrs as Record<string, unknown>);
      const params = attrs.length ? `[${attrs.map(([k2, v]) => `${k2}=${formatAttr(v)}`).join(' ')}]` : '';
      lines.push(`    ${lhs} = ${n.op}${params} ${n.inputs.map(nameOf).join(' ')}`);
    }
  });
  if (eqns.length > limit) lines.push(`    ... ${eqns.length - limit} more equations`);
  lines.push(`  in { ${graph.outputs.map((o) => `${o.name}: ${nameOf(o.id)}`).join(', ')} } }`);
  return lines.join('\n');
}

/** Counts of each op in a graph, e.g. `{ matmul: 210, tanh: 35, ... }` (handy for docs and tests). */
export function opCounts(graph: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of graph.nodes) counts[n.op] = (counts[n.op] ?? 0) + 1;
  return counts;
}
