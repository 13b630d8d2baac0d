// Prints one plain closing line, `N passed, N failed[, N skipped]`, after vitest's own summary.
// The line must agree with the exit code, so besides failed tests it counts as failures:
// - a test file that fails to load (it has no failed test inside it): one failure;
// - each unhandled error (say, a rejection nobody awaited inside an otherwise passing test), which makes
//   vitest exit 1 unless `dangerouslyIgnoreUnhandledErrors` is set;
// - a run that vitest ends as failed or interrupted with nothing above to show for it (no test files
//   found, a cancelled run): one failure.
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  private ignoreUnhandledErrors = false;

  onInit(vitest: Vitest): void {
    this.ignoreUnhandledErrors = vitest.config.dangerouslyIgnoreUnhandledErrors ?? false;
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      let failedInside = 0;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') {
          failed++;
          failedInside++;
        } else skipped++;
      }
      if (m.state() === 'failed' && failedInside === 0) failed++;
    }
    if (!this.ignoreUnhandledErrors) failed += unhandledErrors.length;
    if (reason !== 'passed' && failed === 0) failed = 1;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
