// @rnn-scratch/core/conformance: the conformance suite run from a program instead of a test runner, so that
// anyone can check that a backend on their machine (a GPU, a new driver) computes what the reference
// computes:
//
//   import { runConformance } from '@rnn-scratch/core/conformance';
//   const report = await runConformance(await resolveBackend('onnx:webgpu'));
//   console.log(report.passed.length, report.failed);
//
// The cases, skips and tolerances are the same as in `defineConformanceSuite` (conformance-cases.ts).

import type { Backend } from '../backend/backend.js';
import { ReferenceBackend } from '../backend/reference.js';
import { type CaseOptions, type ConformanceCase, conformanceCases, skipOnBackend } from './conformance-cases.js';

export { type CaseOptions, type ConformanceCase, conformanceCases } from './conformance-cases.js';

/** What happened to one case. */
export type CaseResult =
  | { readonly id: string; readonly status: 'passed' }
  | { readonly id: string; readonly status: 'failed'; readonly message: string }
  | { readonly id: string; readonly status: 'skipped'; readonly reason: string };

export interface RunOptions extends CaseOptions {
  /** Called after each case, for progress: the case, its result, and how many cases there are. */
  readonly onCase?: (c: ConformanceCase, result: CaseResult, index: number, total: number) => void;
  /** Run only the cases whose id starts with one of these prefixes (`op/`, `e2e/train-steps/`). Default: all. */
  readonly only?: readonly string[];
}

export interface ConformanceReport {
  readonly passed: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id: string; readonly message: string }>;
  readonly skipped: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
  readonly seconds: number;
}

/** The skipped cases counted by reason, the most frequent first. */
export function skipsByReason(report: ConformanceReport): Array<[reason: string, count: number]> {
  const counts = new Map<string, number>();
  for (const s of report.skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** Run every case on `backend` (which stays open: the caller disposes it), one after the other. */
export async function runConformance(backend: Backend, options: RunOptions = {}): Promise<ConformanceReport> {
  const reference = new ReferenceBackend();
  const start = performance.now();
  const only = options.only;
  const cases = conformanceCases(
    options,
    () => backend,
    () => reference,
  ).filter((c) => only === undefined || only.some((prefix) => c.id.startsWith(prefix)));
  const results: CaseResult[] = [];
  try {
    for (const [index, c] of cases.entries()) {
      const result = await runCase(c, backend);
      results.push(result);
      options.onCase?.(c, result, index, cases.length);
    }
  } finally {
    await reference.dispose();
  }
  return {
    passed: results.filter((r) => r.status === 'passed').map((r) => r.id),
    failed: results.flatMap((r) => (r.status === 'failed' ? [{ id: r.id, message: r.message }] : [])),
    skipped: results.flatMap((r) => (r.status === 'skipped' ? [{ id: r.id, reason: r.reason }] : [])),
    seconds: (performance.now() - start) / 1000,
  };
}

async function runCase(c: ConformanceCase, backend: Backend): Promise<CaseResult> {
  const reason = c.skip ?? skipOnBackend(c.id, backend);
  if (reason !== undefined) return { id: c.id, status: 'skipped', reason };
  try {
    await c.run();
    return { id: c.id, status: 'passed' };
  } catch (err) {
    return { id: c.id, status: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}
