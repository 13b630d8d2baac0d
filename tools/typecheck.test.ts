// Type-checks the TypeScript that `tsc -b` (the packages' src/) does not reach: the packages' tests and
// scripts (tsconfig.tests.json) and the benchmark and device scripts (bench/tsconfig.json). Vitest and tsx
// strip types without checking them, so without this a change to an API would show up only as a crash, on
// `npm run bench` or on a GPU machine. The docs check their own TypeScript (apps/docs/test/typecheck.test.ts).

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What `tsc -p project` prints: nothing when there is no error. */
function tsc(project: string): string {
  try {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, project)], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || String(err);
  }
}

describe('typecheck beyond the packages', () => {
  it.each(['tsconfig.tests.json', 'bench'])('tsc -p %s reports no errors', (project) => {
    expect(tsc(project)).toBe('');
  });
});
