// Graph passes: each takes a graph and returns a new one with the same inputs and outputs (names, dtypes,
// shapes) that computes the same values (stacked sums up to the order of float rounding). `optimizeGraph` is what core applies to the graphs it builds
// for training and prediction (`buildTrainStep`, `buildForward`, `buildPredictStep`, `grad`), so every
// backend runs the same, simplified graph.

import type { Graph } from '../graph.js';
import { foldBroadcasts } from './fold-broadcasts.js';
import { foldIdentities } from './fold-identities.js';
import { foldNegations } from './fold-negations.js';
import { mergeDuplicates } from './merge-duplicates.js';
import { stackElementwise } from './stack-elementwise.js';
import { stackTimeStepSums } from './stack-time-step-sums.js';

export { rewriteGraph, type NodeRewrite, type RewriteContext } from './rewrite.js';
export { type Stack, concatStacks, sliceTilings } from './stacks.js';
export { foldBroadcasts, foldIdentities, foldNegations, mergeDuplicates, stackElementwise, stackTimeStepSums };

/** The passes of `optimizeGraph`, in order. Each one also merges equal ops and drops dead nodes. */
export const GRAPH_PASSES: ReadonlyArray<(graph: Graph) => Graph> = [
  stackTimeStepSums,
  foldIdentities,
  foldNegations,
  stackElementwise,
  foldBroadcasts,
  mergeDuplicates,
];

export function optimizeGraph(graph: Graph): Graph {
  return GRAPH_PASSES.reduce((g, pass) => pass(g), graph);
}
