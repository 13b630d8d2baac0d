// Page 15 shows a sweep that the generator runs locally; the page says the same sweep through Redis gives the
// same table. This test runs it through a real redis-server (127.0.0.1, a free port, its own temporary folder)
// and two real `rnn-scratch worker` processes, and compares with the generated table and figure.
//
// Needs Debian's redis-server (.ci/run installs it). Without it the test FAILS when CI is set and is skipped
// (id docs/sweeps/no-redis-server) otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { startRedis, Worker } from '../../../packages/cli/test/redis.ts';
import { generatedDir } from '../scripts/paths.ts';
import { runPageSweep, sweepFigure, sweepTable } from '../scripts/sweeps.ts';

const SKIP_ID = 'docs/sweeps/no-redis-server';
const hasRedis = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;
const generated = (name: string) => readFileSync(join(generatedDir, name), 'utf8');

describe('page 15: the sweep through a queue', () => {
  if (!hasRedis && !process.env.CI) {
    it.skip(`[skipped ${SKIP_ID}: redis-server not found (install Debian's redis-server)]`, () => {});
    return;
  }

  it('two workers through a real redis-server give the table and the figure the page shows', async () => {
    expect(hasRedis, 'CI is set but redis-server cannot be found').toBe(true);
    const redis = await startRedis();
    const cwd = mkdtempSync(join(tmpdir(), 'rnn-scratch-docs-queue-'));
    const workers = [0, 1].map(() => new Worker(cwd, ['--queue', redis.url('docs')]));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/taking runs from/)));
      const results = runPageSweep(['--queue', redis.url('docs')]);
      expect(sweepTable(results)).toBe(generated('sweep-results.txt'));
      for (const lang of ['zh', 'en'] as const) {
        expect(sweepFigure(results, lang)).toBe(generated(`fig-sweep-results.${lang}.svg`));
      }
      // The runs really went through both workers, each once.
      await new Promise((r) => setTimeout(r, 200));
      const started = workers.map((w) => w.lines(/: started$/).length);
      expect(started[0] + started[1]).toBe(results.runs.length);
      expect(Math.min(...started)).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await redis.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
