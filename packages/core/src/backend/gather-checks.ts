// Gather indices checked on the host. GPU gather kernels (ONNX Runtime's WebGPU and CUDA execution
// providers, TensorFlow.js's WebGPU backend) do not check their indices: an index out of range reads
// zeros or a clamped row instead of failing. When a gather's indices are a graph input, unchanged but for
// reshapes and transposes (the train step's token ids), every value of the feed is an index, so a backend
// can check the feed before it runs the graph, at the cost of one pass over the ids.

import type { Feeds } from './backend.js';
import type { Graph } from '../ir/graph.js';

/** A graph input whose every value is a row index into a table with `rows` rows. */
export interface GatherIndexCheck {
  readonly input: string;
  readonly rows: number;
}

/** The graph inputs used (through reshapes and transposes only) as gather indices, with the smallest table each indexes. */
export function gatherIndexChecks(graph: Graph): GatherIndexCheck[] {
  const inputName = new Map(graph.inputs.map((i) => [i.id, i.name] as const));
  const rowsByInput = new Map<string, number>();
  for (const node of graph.nodes) {
    if (node.op !== 'gather') continue;
    let src = graph.nodes[node.inputs[1]];
    while (src.op === 'reshape' || src.op === 'transpose') src = graph.nodes[src.inputs[0]];
    const name = src.op === 'input' ? inputName.get(src.id) : undefined;
    if (name === undefined) continue;
    const rows = graph.nodes[node.inputs[0]].shape[0];
    rowsByInput.set(name, Math.min(rows, rowsByInput.get(name) ?? rows));
  }
  return [...rowsByInput].map(([input, rows]) => ({ input, rows }));
}

/** Throw a RangeError naming the first out-of-range index fed to one of `checks` (the reference backend's message). */
export function checkGatherIndices(checks: readonly GatherIndexCheck[], feeds: Feeds): void {
  for (const { input, rows } of checks) {
    const ids = feeds[input].data;
    for (let k = 0; k < ids.length; k++) {
      const r = ids[k];
      if (r < 0 || r >= rows)
        throw new RangeError(`gather: index ${r} out of range for a table of ${rows} rows (input "${input}")`);
    }
  }
}
