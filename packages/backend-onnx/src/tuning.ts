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
//
// On a GPU every node is a dispatch, and at the book's size a dispatch costs more than its arithmetic, so
// the WebGPU tuning asks for fewer nodes (counted per step by scripts/profile-step.ts, on SwiftShader too):
//
// gemmAddend. x + A @ B is one Gemm with x as its addend C (x of the product's shape, a row or a scalar),
// instead of a Gemm and an Add: the recurrence's X_t W_xh + H W_hh at every time step, the backward's
// dH_t = dY_t W_hq^T + dA_(t+1) W_hh^T, the output layer's bias. The sum is the same up to float rounding
// (the kernel adds C before or during the product, not after it). On the CPU the recurrence's products are
// weights-first (their result is a Transpose, not the product), so there it would take only the bias.
//
// rowsFirst. The recurrence adds the bias after the products, (X_t W_xh + H W_hh) + b_h at every time
// step. With X_t W_xh a time step of a stack (all steps' input projections, computed at once), the bias is
// added to the whole stack in one Add and each step's Gemm takes its rows of that as addend: the same sum
// up to float rounding, one node instead of one per time step.
//
// splitSlices. Slices of one value along one axis that tile it (the time steps of a stacked tensor: each
// X_t of the input projection, each dY_t of the output layer's gradient) are Split nodes, each with at most
// MAX_SPLIT_OUTPUTS outputs (the buffers a WebGPU kernel binds), instead of one Slice node per time step.
// ORT's CPU provider fuses such slices itself.

import { type Graph, type PrimitiveNode, type Shape, type Stack, sameShape, sliceTilings } from '@rnn-scratch/core';

/** The rewrites a backend may ask of the lowering (none by default). */
export interface LowerTuning {
  /** Products with few rows as (W^T @ H^T)^T. */
  readonly weightsFirst?: boolean;
  /** oneHot(ids)^T @ g (a gather's gradient) as a ScatterND add. */
  readonly scatterAdd?: boolean;
  /** Every concat as one Concat node, however many inputs it has. */
  readonly flatConcat?: boolean;
  /** x + A @ B as one Gemm with addend x. */
  readonly gemmAddend?: boolean;
  /** Slices that tile a value along one axis as Split nodes. */
  readonly splitSlices?: boolean;
  /** (x + A @ B) + row, x a part of a stack, as a Gemm whose addend is that part of (stack + row); needs gemmAddend. */
  readonly rowsFirst?: boolean;
}

/** What ORT's CPU execution provider computes fastest (measured; see the top of this file). */
export const CPU_TUNING: LowerTuning = { weightsFirst: true, scatterAdd: true, flatConcat: true };

/** Fewer nodes, hence fewer GPU dispatches per step (see the top of this file). */
export const WEBGPU_TUNING: LowerTuning = { gemmAddend: true, rowsFirst: true, splitSlices: true };

/**
 * The tuning of onnxruntime-node's device `device`. The browser's wasm and webgpu (onnxruntime-web's own
 * kernels) get none: weights-first measured slower on wasm (see above), and webgpu's is not yet measured there.
 */
export function tuningFor(device: string): LowerTuning {
  if (device === 'cpu') return CPU_TUNING;
  return device === 'webgpu' ? WEBGPU_TUNING : {};
}

/** The most outputs one Split node gets (like Concat's inputs: a WebGPU kernel binds every one). */
export const MAX_SPLIT_OUTPUTS = 8;

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
  /** Each add computed as a Gemm with addend, and the product it takes in. */
  readonly gemmAddend: ReadonlyMap<number, number>;
  /** The slices computed by Split nodes, each with the stack of slices (core's `sliceTilings`) it is part of. */
  readonly splits: ReadonlyMap<number, Stack>;
  /** Each add (x + A @ B) + row computed rows first. */
  readonly rowsFirst: ReadonlyMap<number, RowsFirst>;
  readonly unused: ReadonlySet<number>;
}

/** (x + A @ B) + row where x is part `part` of `stack`: Gemm(A, B, C = part `part` of stack + row). */
export interface RowsFirst {
  /** The add x + A @ B (a Gemm with addend), which is then not computed. */
  readonly inner: number;
  readonly product: number;
  readonly stack: Stack;
  readonly part: number;
  readonly row: number;
}

export function tunedNodes(graph: Graph, tuning: LowerTuning): TunedNodes {
  const scatterAdd = tuning.scatterAdd ? scatterAddProducts(graph) : new Set<number>();
  const weightsFirst = tuning.weightsFirst ? weightsFirstProducts(graph) : new Set<number>();
  for (const id of scatterAdd) weightsFirst.delete(id);
  const gemmAddend = tuning.gemmAddend ? gemmAddends(graph, new Set([...scatterAdd, ...weightsFirst])) : new Map();
  const tilings = tuning.rowsFirst || tuning.splitSlices ? sliceTilings(graph) : [];
  const rowsFirst = tuning.rowsFirst ? rowsFirstAdds(graph, gemmAddend, tilings) : new Map<number, RowsFirst>();
  const inner = new Set([...rowsFirst.values()].map((r) => r.inner));
  // What is computed otherwise is left out: a one-hot matrix that only the scatters read, a product that only
  // its Gemm with addend reads, and a stack whose parts only rows-first Gemms read (they read stack + row).
  const onlyScatters = readOnlyBy(graph, scatterAdd);
  const onlyInner = readOnlyBy(graph, inner);
  const oneHots = [...scatterAdd].map((id) => graph.nodes[id].inputs[0]);
  const uncut = tilings.filter((t) => t.parts.every(onlyInner));
  const splits = new Map<number, Stack>();
  if (tuning.splitSlices) for (const t of tilings) if (!uncut.includes(t)) for (const id of t.parts) splits.set(id, t);
  const unused = new Set([
    ...oneHots.filter(onlyScatters),
    ...gemmAddend.values(),
    ...inner,
    ...uncut.flatMap((t) => t.parts),
  ]);
  return { weightsFirst, scatterAdd, gemmAddend, splits, rowsFirst, unused };
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

/** Whether a node is read, and read only by the nodes `readers` (not by others, nor as a graph output). */
function readOnlyBy(graph: Graph, readers: ReadonlySet<number>): (id: number) => boolean {
  const uses = readCounts(graph);
  const reads = new Uint32Array(graph.nodes.length);
  for (const id of readers) for (const i of graph.nodes[id].inputs) reads[i]++;
  return (id) => reads[id] > 0 && uses[id] === reads[id];
}

/** How often each node is read (by nodes and as a graph output). */
function readCounts(graph: Graph): Uint32Array {
  const uses = new Uint32Array(graph.nodes.length);
  for (const n of graph.nodes) for (const i of n.inputs) uses[i]++;
  for (const o of graph.outputs) uses[o.id]++;
  return uses;
}

/**
 * The adds x + A @ B (either order) whose product nothing else reads, that are not in `taken`, and whose x
 * Gemm can take as its addend C: the product's shape, a row, a column or a scalar. Add id -> product id.
 */
export function gemmAddends(graph: Graph, taken: ReadonlySet<number>): Map<number, number> {
  const uses = readCounts(graph);
  const fused = new Map<number, number>();
  for (const n of graph.nodes) {
    if (n.op !== 'add' || n.shape.length !== 2) continue;
    const [x, y] = n.inputs.map((i) => graph.nodes[i]);
    const product = [y, x].find(
      (p) => p.op === 'matmul' && !taken.has(p.id) && uses[p.id] === 1 && sameShape(p.shape, n.shape),
    );
    const addend = product === y ? x : y;
    if (product && addend !== product && isGemmAddend(addend.shape, n.shape)) fused.set(n.id, product.id);
  }
  return fused;
}

/** Whether a value of shape `c` broadcasts to (M, N) as ONNX Gemm's C (unidirectionally). */
function isGemmAddend(c: Shape, [M, N]: Shape): boolean {
  const fits = (d: number, full: number) => d === full || d === 1;
  if (c.length === 0) return true;
  if (c.length === 1) return fits(c[0], N);
  return c.length === 2 && fits(c[0], M) && fits(c[1], N);
}

/**
 * The adds (x + A @ B) + row (either order) whose inner add is a Gemm with addend x that nothing else reads,
 * x a part of a stack cut along its rows (axis 0), and row a value that broadcasts along them.
 */
export function rowsFirstAdds(
  graph: Graph,
  gemmAddend: ReadonlyMap<number, number>,
  tilings: readonly Stack[],
): Map<number, RowsFirst> {
  const uses = readCounts(graph);
  const partOf = new Map<number, { stack: Stack; part: number }>();
  for (const stack of tilings) if (stack.axis === 0) stack.parts.forEach((id, part) => partOf.set(id, { stack, part }));
  const found = new Map<number, RowsFirst>();
  for (const n of graph.nodes) {
    if (n.op !== 'add' || n.shape.length !== 2) continue;
    for (const [inner, row] of [n.inputs, [...n.inputs].reverse()]) {
      const product = gemmAddend.get(inner);
      if (product === undefined || uses[inner] !== 1 || !isRow(graph.nodes[row].shape, n.shape)) continue;
      const x = graph.nodes[inner].inputs.find((i) => i !== product)!;
      const at = partOf.get(x);
      if (at !== undefined) {
        found.set(n.id, { inner, product, ...at, row });
        break;
      }
    }
  }
  return found;
}

/** Whether a value of shape `r` broadcasts along the rows of (M, N): a scalar, (N) or (1, N). */
function isRow(r: Shape, [, N]: Shape): boolean {
  return r.length === 0 || (r.length === 1 && r[0] === N) || (r.length === 2 && r[0] === 1 && r[1] === N);
}
