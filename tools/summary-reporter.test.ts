// The closing line of the summary reporter must agree with vitest's exit code. Each case runs a real
// `npx vitest run` on one fixture under fixtures/summary-reporter/ and reads the last line it prints.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = fileURLToPath(new URL('fixtures/summary-reporter/vitest.config.ts', import.meta.url));

/** Runs vitest on the fixtures whose file names contain `filter`; returns the exit code and the closing line. */
function runFixture(filter: string): { status: number | null; closing: string; output: string } {
  // The outer vitest marks its own process (VITEST, VITEST_WORKER_ID, ...); the inner run must not inherit that.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const r = spawnSync('npx', ['vitest', 'run', '--config', config, filter], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 50_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return { status: r.status, closing: lines.at(-1) ?? '', output };
}

describe('summary reporter', () => {
  it('a passing run: the line counts it and vitest exits 0', () => {
    const r = runFixture('passes');
    expect(r.closing, r.output).toBe('1 passed, 0 failed');
    expect(r.status, r.output).toBe(0);
  });

  it('an unhandled rejection in a passing test counts as a failure, and vitest exits non-zero', () => {
    const r = runFixture('unhandled-rejection');
    expect(r.closing, r.output).toBe('1 passed, 1 failed');
    expect(r.status, r.output).not.toBe(0);
    expect(r.output).toContain('rejected on purpose, never handled');
  });

  it('a test file that fails to load counts as one failure, and vitest exits non-zero', () => {
    const r = runFixture('import-fails');
    expect(r.closing, r.output).toBe('0 passed, 1 failed');
    expect(r.status, r.output).not.toBe(0);
  });

  it('a run that finds no test file fails, and the line says so', () => {
    const r = runFixture('matches-no-fixture');
    expect(r.closing, r.output).toBe('0 passed, 1 failed');
    expect(r.status, r.output).not.toBe(0);
  });
});
