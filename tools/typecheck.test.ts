// Type-checks the benchmark and device scripts (bench/tsconfig.json). They run outside `npm test` (on
// `npm run bench`, or bundled for a GPU machine), so without this a change to core's API would first show
// up as a crash there. The root `tsc -b` covers the packages; the docs check their own (apps/docs).

import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('bench typecheck', () => {
  it('tsc -p bench reports no errors', () => {
    let output = '';
    try {
      execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'bench')], {
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
