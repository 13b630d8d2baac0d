// One code style for every file: Prettier (pinned in the root package.json, settings in .prettierrc.json)
// finds nothing to reformat. A failure lists the files; `npm run format` rewrites them.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prettier = join(dirname(createRequire(import.meta.url).resolve('prettier/package.json')), 'bin', 'prettier.cjs');
const run = (...args: string[]) => spawnSync(process.execPath, [prettier, ...args], { cwd: root, encoding: 'utf8' });

describe('code style', () => {
  it('prettier --check finds nothing to reformat', () => {
    const r = run('--check', '.');
    expect(r.status, `${r.stdout}${r.stderr}\nrun: npm run format`).toBe(0);
  });

  it.each([
    'packages/core/src/nn/rnn.ts',
    'packages/cli/src/commands/train.ts',
    'apps/docs/.vitepress/theme/components/LiveDemo.vue',
    'apps/docs/scripts/generate.ts',
    'bench/run.ts',
    'tools/summary-reporter.ts',
  ])('the check covers %s', (path) => {
    const info = JSON.parse(run('--file-info', path).stdout) as { ignored: boolean; inferredParser: string | null };
    expect(info).toEqual({ ignored: false, inferredParser: expect.any(String) });
  });
});
