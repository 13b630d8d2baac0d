/**
 * `rnn-scratch backends --check ID`: core's conformance suite (every op, every gradient, the composite ops,
 * bad inputs, and tiny trainings of every cell) run on a backend of this machine against the reference
 * backend, the same cases the packages' own tests run. What to run and how to compare is core's
 * (`runConformance`); this file opens the backend, shows progress and reports.
 */

import { firstLine, type Backend } from '@rnn-scratch/core';
import {
  type CaseResult,
  type ConformanceReport,
  conformanceCases,
  runConformance,
  skipsByReason,
} from '@rnn-scratch/core/conformance';

import { UsageError } from './args.js';
import type { Output } from './command.js';
import { CliError, EXIT_CHECK_FAILED } from './errors.js';
import { formatDuration, isTty } from './progress.js';

export interface CheckResult {
  readonly backend: string;
  readonly report: ConformanceReport;
}

/** A usage error unless every `--only` prefix starts at least one case id. */
export function checkPrefixes(only: readonly string[]): void {
  const ids = conformanceCases({}).map((c) => c.id);
  const unmatched = only.find((prefix) => !ids.some((id) => id.startsWith(prefix)));
  if (unmatched === undefined) return;
  const levels = [...new Set(ids.map((id) => `${id.split('/')[0]}/`))].join(', ');
  throw new UsageError(`--only ${unmatched} matches no conformance case (ids start with ${levels})`);
}

/** Run the suite on `backend`, drawing progress on `stderr` (a line per level when it is not a terminal). */
export async function checkBackend(backend: Backend, only: readonly string[], stderr: Output): Promise<CheckResult> {
  const id = `${backend.name}:${backend.device}`;
  const tty = isTty(stderr);
  let failed = 0;
  let level = '';
  const levelDone = (index: number, total: number) =>
    stderr.write(`${id}: ${level} done, ${index}/${total} cases, ${failed} failed\n`);
  const report = await runConformance(backend, {
    only: only.length > 0 ? only : undefined,
    onCase(c, result: CaseResult, index, total) {
      if (!tty && level !== '' && c.level !== level) levelDone(index, total);
      level = c.level;
      if (result.status === 'failed') failed++;
      if (tty) stderr.write(`\r\x1b[K${id}: ${index + 1}/${total} (${c.level}), ${failed} failed`);
      if (index + 1 === total) tty ? stderr.write('\n') : levelDone(total, total);
    },
  });
  return { backend: id, report };
}

/** The report as text: a summary line per backend, then each failure and each reason for skipping. */
export function formatCheck({ backend, report }: CheckResult): string {
  const { passed, failed, skipped, seconds } = report;
  const lines = [
    `${backend}: ${passed.length} passed, ${failed.length} failed, ${skipped.length} skipped ` +
      `(${formatDuration(seconds)})`,
  ];
  // The suite's messages usually start with the case id already.
  for (const f of failed) lines.push(`  failed ${f.id}: ${firstLine(f.message).replace(`${f.id}: `, '')}`);
  for (const [reason, n] of skipsByReason(report)) lines.push(`  skipped ${n}: ${reason}`);
  return lines.join('\n');
}

/** The report as data, for --json. */
export function checkJson({ backend, report }: CheckResult): object {
  return {
    backend,
    passed: report.passed.length,
    failed: report.failed,
    skipped: Object.fromEntries(skipsByReason(report)),
    seconds: Math.round(report.seconds * 10) / 10,
  };
}

/** The error that ends a check in which some case failed (exit code 10), naming the first failure of each. */
export function checkFailure(results: readonly CheckResult[]): CliError | undefined {
  const failing = results.filter((r) => r.report.failed.length > 0);
  if (failing.length === 0) return undefined;
  const each = failing.map(({ backend, report: { failed } }) => {
    const more = failed.length > 1 ? ', ...' : '';
    return `${backend} (${failed.length}: ${failed[0].id}${more})`;
  });
  return new CliError(EXIT_CHECK_FAILED, `conformance cases failed on ${each.join(', ')}`);
}
