// Reverse-mode autodiff as a graph-to-graph transform (JAX-style, not a runtime tape): walking the
// forward nodes backwards, each node's VJP rule appends the backward computation to the SAME builder.
// Gradients of a value used several times (W_hh at every time step) accumulate with `add`, exactly
// like micrograd's `+=`. Making those sums fast is a separate graph pass (ir/passes/stack-time-step-sums.ts).

import { type Sym, GraphBuilder, type Graph, isPrimitiveNode } from '../ir/graph.js';
import { GraphError, type PrimitiveName } from '../ir/primitives.js';
import { isFloat, sameShape } from '../ir/dtype.js';
import { optimizeGraph } from '../ir/passes/index.js';
import { type VjpRule, vjpRules } from './vjp-rules.js';

/**
 * Sum a cotangent that has a broadcast shape back to `shape` (the one place broadcasting is undone):
 * sum away extra leading axes and axes where `shape` has a 1.
 */
export function unbroadcast(g: Sym, shape: readonly number[]): Sym {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? g.sum(axes) : g;
  return summed.reshape(shape);
}

// #region gradients
/**
 * Append to `loss.builder` the gradient of `loss` with respect to each of `wrt`, and return them.
 * `loss` is usually a scalar; a non-scalar loss is seeded with ones (the gradient of its sum).
 * A `wrt` the loss does not depend on gets zeros.
 */
export function gradients(loss: Sym, wrt: readonly Sym[]): Sym[] {
  const b = loss.builder;
  if (!isFloat(loss.dtype)) throw new GraphError(`grad: loss ${loss} must be a float value`);
  for (const w of wrt)
    if (!isFloat(w.dtype)) throw new GraphError(`grad: cannot differentiate with respect to ${w} (not float)`);

  // Only nodes that lie on a path from some `wrt` to `loss` need a cotangent.
  const n = loss.id + 1;
  const dependsOnWrt = new Uint8Array(n);
  for (const w of wrt) if (w.id < n) dependsOnWrt[w.id] = 1;
  for (let id = 0; id < n; id++) {
    if (b.node(id).inputs.some((i) => dependsOnWrt[i])) dependsOnWrt[id] = 1;
  }

  // The cotangent of each value: the sum of the cotangents from all its uses (micrograd's `+=`).
  const cotangent = new Map<number, Sym>();
  const accumulate = (x: Sym, g: Sym) => {
    const sofar = cotangent.get(x.id);
    cotangent.set(x.id, sofar === undefined ? g : sofar.add(g));
  };
  cotangent.set(loss.id, b.scalar(1, loss.dtype).broadcastTo(loss.shape));

  // Every use of a value comes after it, so its cotangent is complete when the backward walk reaches it.
  for (let id = loss.id; id >= 0; id--) {
    const node = b.node(id);
    const g = cotangent.get(id);
    if (!isPrimitiveNode(node) || !dependsOnWrt[id] || g === undefined) continue;
    const inputs = node.inputs.map((i) => b.sym(i));
    const rule = vjpRules[node.op] as VjpRule<PrimitiveName>;
    const grads = rule(g, { inputs, out: b.sym(id), attrs: node.attrs });
    grads.forEach((gi, k) => {
      const x = inputs[k];
      if (gi !== null && dependsOnWrt[x.id] && isFloat(x.dtype)) accumulate(x, unbroadcast(gi, x.shape));
    });
  }
  return wrt.map((w) => cotangent.get(w.id) ?? b.zeros(w.dtype, w.shape));
}
// #endregion gradients

/**
 * `grad(graph, 'loss', ['W', 'b'])`: a new graph with the same inputs, the original outputs, and one
 * more output `grad_<name>` per differentiated input. The graph passes of `optimizeGraph` are applied.
 */
export function grad(graph: Graph, loss: string, wrt: readonly string[]): Graph {
  const { builder, inputs, outputs } = GraphBuilder.from(graph);
  const l = outputs[loss];
  if (!l) throw new GraphError(`grad: graph has no output "${loss}"`);
  const ws = wrt.map((name) => {
    const s = inputs[name];
    if (!s) throw new GraphError(`grad: graph has no input "${name}"`);
    return s;
  });
  const gs = gradients(l, ws);
  for (const o of graph.outputs) builder.output(o.name, outputs[o.name]);
  wrt.forEach((name, i) => builder.output(`grad_${name}`, gs[i]));
  return optimizeGraph(builder.build());
}
