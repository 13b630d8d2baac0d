// Rewrites the lowering makes for one engine's kernels, and the rules that choose which nodes get them.
// Each keeps the mathematics (tests compare every output of a train step with the graph as written) and
// changes only how ONNX Runtime computes it; exported models never get them.
//
// weightsFirst. A product with few rows, like the recurrence's H @ W_hh (32 x 512 times 512 x 512), costs
// ORT's CPU GEMM (MLAS) a repacking of the whole weight matrix on every call: 35 times forward and 34
// times backward per step. Written the other way round, C = (W^T @ H^T)^T, the kernel streams the weight as
// it is and repacks only the small H: measured 1.3x faster per train step at H=512, 1.5x at H=2048 on two
// threads. W^T is one Transpose per step shared by all the time steps; the backward products (dH @ W^T)
// need none. ORT's GemmTransposeFusion would fold the result's Transpose back into the Gemm and undo it,
// so sessions of such models disable it (sessionConfigFor).
//
// On onnxruntime-web's wasm kernels the same rewrite measured slower (0.84x per step at H=512), so only the
// CPU execution provider of onnxruntime-node gets it.
//
// scatterAdd. core differentiates gather(table, ids) as oneHot(ids)^T @ g, one rule for every backend. With
// a large vocabulary that is a dense (V x B*T) @ (B*T x width) product of a matrix that is almost all zeros:
// at V = 2,578 and H = 512 a fifth of the train step. ScatterND with reduction add does the B*T row additions.
//
// flatConcat. The lowering splits a Concat of more than 8 inputs into a tree of Concats, for WebGPU, whose
// kernels bind a limited number of buffers. ORT's CPU kernel takes any number: one node per concat (the
// train step stacks 35 time steps in four places), and each element is copied once instead of once per level.

import type { Graph, PrimitiveNode } from '@rnn-scratch/core';

/** The rewrites a backend may ask of the lowering (none by default). */
export interface LowerTuning {
  /** Products with few rows as (W^T @ H^T)^T. */
  readonly weightsFirst?: boolean;
  /** oneHot(ids)^T @ g (a gather's gradient) as a ScatterND add. */
  readonly scatterAdd?: boolean;
  /** Every concat as one Concat node, however many inputs it has. */
  readonly flatConcat?: boolean;
}

/** What ORT's CPU execution provider computes fastest (measured; see the top of this file). */
export const CPU_TUNING: LowerTuning = { weightsFirst: true, scatterAdd: true, flatConcat: true };

/** The tuning of onnxruntime-node's device `device` (the browser's wasm and webgpu get none: see above). */
export function tuningFor(device: string): LowerTuning {
  return device === 'cpu' ? CPU_TUNING : {};
}

/** Products with 2 to this many rows (and at least 4x as many columns) are computed weights-first. */
export const WEIGHTS_FIRST_MAX_ROWS = 64;

/** The ORT session config entries (SessionOptions.extra) a model lowered with `tuning` needs. */
export function sessionConfigFor(tuning: LowerTuning): Record<string, unknown> {
  return tuning.weightsFirst ? { optimization: { disable_specified_optimizers: 'GemmTransposeFusion' } } : {};
}

/** The nodes the lowering rewrites, and those it then leaves out (their only readers were rewritten). */
export interface TunedNodes {
  readonly weightsFirst: ReadonlySet<number>;
  readonly scatterAdd: ReadonlySet<number>;
  readonly unused: ReadonlySet<number>;
}

export function tunedNodes(graph: Graph, tuning: LowerTuning): TunedNodes {
  const scatterAdd = tuning.scatterAdd ? scatterAddProducts(graph) : new Set<number>();
  const weightsFirst = tuning.weightsFirst ? weightsFirstProducts(graph) : new Set<number>();
  for (const id of scatterAdd) weightsFirst.delete(id);
  // A one-hot matrix that nothing but those scatters reads is not computed at all.
  const readElsewhere = new Set(graph.outputs.map((o) => o.id));
  for (const n of graph.nodes)
    if (n.op !== 'input' && n.op !== 'constant' && !scatterAdd.has(n.id))
      for (const i of n.inputs) readElsewhere.add(i);
  const oneHots = [...scatterAdd].map((id) => graph.nodes[id].inputs[0]);
  const unused = new Set(oneHots.filter((id) => !readElsewhere.has(id)));
  return { weightsFirst, scatterAdd, unused };
}

const matmuls = (graph: Graph) => graph.nodes.filter((n): n is PrimitiveNode<'matmul'> => n.op === 'matmul');

/**
 * The matmul nodes worth computing weights-first: 2 to WEIGHTS_FIRST_MAX_ROWS rows, at least 4x as many
 * columns, and a weight whose transpose is free (transB) or shared by several such products (the
 * recurrence's W_hh at every time step), so one Transpose serves them all.
 */
export function weightsFirstProducts(graph: Graph): Set<number> {
  const fewRows = matmuls(graph).filter(
    (n) => n.shape[0] >= 2 && n.shape[0] <= WEIGHTS_FIRST_MAX_ROWS && n.shape[1] >= 4 * n.shape[0],
  );
  const uses = new Map<number, number>();
  for (const n of fewRows) if (!n.attrs.transB) uses.set(n.inputs[1], (uses.get(n.inputs[1]) ?? 0) + 1);
  return new Set(fewRows.filter((n) => n.attrs.transB || (uses.get(n.inputs[1]) ?? 0) >= 2).map((n) => n.id));
}

/** The matmul nodes oneHot(ids)^T @ g: transA, no transB, the first operand a oneHot of 1-D ids. */
export function scatterAddProducts(graph: Graph): Set<number> {
  const isOneHotOfIds = (id: number) => {
    const n = graph.nodes[id];
    return n.op === 'oneHot' && graph.nodes[n.inputs[0]].shape.length === 1;
  };
  return new Set(
    matmuls(graph)
      .filter((n) => n.attrs.transA && !n.attrs.transB && isOneHotOfIds(n.inputs[0]))
      .map((n) => n.id),
  );
}
