// Prints one plain closing line, `N passed, N failed[, N skipped]`, after vitest's own summary.
// A test file that fails to load has no failed test inside it, so it is counted as one failure here.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
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
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
