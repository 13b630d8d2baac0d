// `b + (-a)` and `(-a) + b` are `b - a`, bit for bit (IEEE subtraction is the addition of the negation),
// so the Neg node goes when nothing else reads it. Autodiff writes such sums at every time step: tanh's
// derivative 1 - y² as `-(y²) + 1`, and the `-g` of a subtraction's gradient added into a cotangent.

import type { Graph, Sym } from '../graph.js';
import { rewriteGraph } from './rewrite.js';

export function foldNegations(graph: Graph): Graph {
  return rewriteGraph(graph, (node, [x, y], { b }) => {
    if (node.op !== 'add') return undefined;
    const negated = (s: Sym) => (b.node(s.id).op === 'neg' ? b.sym(b.node(s.id).inputs[0]) : undefined);
    const [a, c] = [negated(y), negated(x)];
    if (a !== undefined) return x.sub(a);
    if (c !== undefined) return y.sub(c);
    return undefined;
  });
}
