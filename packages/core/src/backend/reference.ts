// The reference backend: interprets graphs with the plain-TypeScript kernels. It is the oracle every
// other backend is compared with, not the fast path.

import type { Graph } from '../ir/graph.js';
import { type Backend, type Executable, type Feeds, type Outputs, SPEC_VERSION, checkFeeds } from './backend.js';
import { interpret, lastUses } from './interpret.js';
import { referenceKernels } from './reference-kernels.js';

export class ReferenceBackend implements Backend {
  readonly specVersion = SPEC_VERSION;
  readonly name = 'reference';
  readonly device = 'cpu';
  readonly floatPrecision = 64 as const;

  async compile(graph: Graph): Promise<Executable> {
    const last = lastUses(graph);
    return {
      inputNames: graph.inputs.map((i) => i.name),
      outputNames: graph.outputs.map((o) => o.name),
      async run(feeds: Feeds): Promise<Outputs> {
        checkFeeds(graph, feeds);
        return interpret(graph, referenceKernels, feeds, { constant: (n) => n.value }, last);
      },
      async dispose() {},
    };
  }

  async dispose(): Promise<void> {}
}

/** Run a graph once on the reference backend (handy in tests and docs). */
export async function runReference(graph: Graph, feeds: Feeds): Promise<Outputs> {
  const exe = await new ReferenceBackend().compile(graph);
  return exe.run(feeds);
}
