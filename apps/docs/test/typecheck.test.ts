// Type-checks the docs' own TypeScript (apps/docs/tsconfig.json: scripts, snippets, tests, theme, demo).
// The root `tsc -b` covers the packages only.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { docsRoot, repoRoot } from './helpers';

describe('docs typecheck', () => {
  it('tsc -p apps/docs/tsconfig.json reports no errors', () => {
    let output = '';
    try {
      execFileSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(docsRoot, 'tsconfig.json')], {
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}` || String(err);
    }
    expect(output).toBe('');
  });
});
