// What each level of the conformance suite gets: the backend under test, the reference backend, a way to
// register a case by its stable id, and tolerances. Also how skips are matched.

import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import type { Backend, Executable, Feeds, Outputs } from '../backend/backend.js';
import type { Tolerance } from './assert.js';

/**
 * One entry of a backend's skip list. `id` is either an exact case id (`op/matmul/transA/float64`) or a
 * prefix ending in `/` that skips every case under it (`op/cast/`, `vjp/`). An entry that matches no
 * case fails the suite, so stale skips are noticed.
 */
export interface SkipEntry {
  readonly id: string;
  readonly reason: string;
  /** A link to the issue tracking the gap, if there is one. */
  readonly issue?: string;
}

export interface SuiteContext {
  /** The backend under test. Only call inside a test: it is created in `beforeAll`. */
  backend(): Backend;
  /** The reference backend: the oracle for gradients (and for training curves at the end-to-end level). */
  reference(): Backend;
  /**
   * Register one case as a vitest test titled by its id. Applies the skip list, the suite's `dtypes`,
   * and skips a case whose id ends in `/float64` when the backend computes in float32.
   */
  test(id: string, body: () => Promise<void>): void;
  /** The tolerance for a value of `dtype` computed by the backend under test. */
  tolerance(dtype: DType): Tolerance;
  /** The text the end-to-end level trains on; by default the bundled timemachine.txt is read. */
  readonly corpusText?: string;
}

export function skipMatches(entry: SkipEntry, id: string): boolean {
  return entry.id === id || (entry.id.endsWith('/') && id.startsWith(entry.id));
}

const DTYPES: readonly string[] = ['float32', 'float64', 'int32'];

/** The dtype a case id ends in (`op/add/scalars/int32` -> int32), or undefined (`bad-input/feed/missing`). */
export function dtypeOfId(id: string): DType | undefined {
  const last = id.slice(id.lastIndexOf('/') + 1);
  return DTYPES.includes(last) ? (last as DType) : undefined;
}

/** Compile `graph`, hand the executable to `use`, and always dispose it. */
export async function withExecutable<R>(
  backend: Backend,
  graph: Graph,
  use: (exe: Executable) => Promise<R>,
): Promise<R> {
  const exe = await backend.compile(graph);
  try {
    return await use(exe);
  } finally {
    await exe.dispose();
  }
}

/** Compile, run once, dispose. */
export function runGraph(backend: Backend, graph: Graph, feeds: Feeds): Promise<Outputs> {
  return withExecutable(backend, graph, (exe) => exe.run(feeds));
}
