// kill -9 during `rnn-scratch train --every 1`: whenever the process dies, the checkpoint folder loads, and
// the next save leaves nothing but the checkpoint. The real CLI, killed with SIGKILL:
// - at every step of a save, found with the RNN_SCRATCH_SAVE_PAUSE_MS test hook (each save prints its steps
//   to stderr and pauses after each, so the kill lands exactly there);
// - at 32 moments drawn from a seeded generator, while it trains and saves every epoch.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { Random } from '@rnn-scratch/core';
import { SAVE_STEPS, loadCheckpoint, saveCheckpoint } from '@rnn-scratch/core/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, checkBuilt, cli, tempDir, TINY } from './helpers.js';

const dir = tempDir('rnn-scratch-kill-');
beforeAll(checkBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** TINY with many epochs and a save after each. */
const FOREVER = [...TINY, '--epochs', '100000', '--every', '1', '--json'];
const MARKER = /^rnn-scratch: save step (\w+)$/;

/**
 * Run the CLI in `cwd`; `onLine` hears each stderr line and may return a delay in ms after which the process
 * is killed with SIGKILL. Resolves with the signal and the save steps it announced.
 */
function trainAndKill(
  cwd: string,
  args: string[],
  env: Record<string, string>,
  onLine: (line: string, steps: string[]) => number | undefined,
): Promise<{ signal: NodeJS.Signals | null; code: number | null; steps: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const steps: string[] = [];
    let stderr = '';
    let buffer = '';
    let armed = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const m = MARKER.exec(line);
        if (m) steps.push(m[1]);
        if (armed) continue;
        const delay = onLine(line, steps);
        if (delay !== undefined) {
          armed = true;
          if (delay === 0) child.kill('SIGKILL');
          else setTimeout(() => child.kill('SIGKILL'), delay);
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, steps, stderr });
    });
  });
}

/** What is in a trial's folder besides the checkpoint at rest, and beside it in its parent. */
function litter(parent: string): string[] {
  const inside = readdirSync(join(parent, 'run')).filter(
    (n) => !['checkpoint.json', 'params.safetensors', 'perplexity.svg'].includes(n),
  );
  return [...inside, ...readdirSync(parent).filter((n) => n !== 'run')];
}

describe('train --every 1, killed with SIGKILL', () => {
  it.each(SAVE_STEPS.map((step, i) => ({ step, committed: i >= SAVE_STEPS.indexOf('commit') })))(
    'right after the save step $step: the checkpoint loads (the new one from the commit on) and resuming leaves no litter',
    async ({ step, committed }) => {
      const base = join(dir, 'base');
      if (!existsSync(base)) {
        const first = cli(dir, ['train', ...TINY, '--epochs', '1', '--out', 'base', '--json']);
        expect(first.code, first.stderr).toBe(0);
      }
      const parent = join(dir, `step-${step}`);
      mkdirSync(parent);
      cpSync(base, join(parent, 'run'), { recursive: true });
      // Resume it; its first save (epoch 2) announces each step and pauses 400 ms after it: kill it there.
      const r = await trainAndKill(
        parent,
        ['train', '--resume', 'run', '--epochs', '5', '--every', '1', '--json'],
        { RNN_SCRATCH_SAVE_PAUSE_MS: '400' },
        (line) => (line === `rnn-scratch: save step ${step}` ? 0 : undefined),
      );
      expect(r.signal, r.stderr).toBe('SIGKILL');
      expect(r.steps.at(-1)).toBe(step);
      const loaded = loadCheckpoint(join(parent, 'run'));
      expect(loaded.meta.epoch).toBe(committed ? 2 : 1);
      // The next save (a resumed run) tidies up.
      const next = cli(parent, ['train', '--resume', 'run', '--epochs', '3', '--every', '1', '--json']);
      expect(next.code, next.stderr).toBe(0);
      expect(loadCheckpoint(join(parent, 'run')).meta.epoch).toBe(3);
      expect(litter(parent)).toEqual([]);
    },
  );

  it('at 32 random moments (seeded): the checkpoint always loads, and the next save leaves no litter', async () => {
    const rng = new Random(1234);
    const delays = Array.from({ length: 32 }, () => Math.floor(rng.random() * 150));
    const lastSteps = new Map<string, number>();
    const trial = async (k: number) => {
      const parent = join(dir, `random-${k}`);
      mkdirSync(parent);
      // A 2 ms pause after each save step widens the saves a little. The kill comes delays[k] ms after the
      // third save completed (an epoch and its save take about 100 ms here), so it lands anywhere in the cycle.
      let saves = 0;
      const r = await trainAndKill(
        parent,
        ['train', ...FOREVER, '--out', 'run'],
        { RNN_SCRATCH_SAVE_PAUSE_MS: '2' },
        (line) => (line === 'rnn-scratch: save step rename' && ++saves === 3 ? delays[k] : undefined),
      );
      expect(r.signal, `trial ${k}: ${r.stderr}`).toBe('SIGKILL');
      const last = r.steps.at(-1)!;
      lastSteps.set(last, (lastSteps.get(last) ?? 0) + 1);
      const loaded = loadCheckpoint(join(parent, 'run'));
      expect(loaded.meta.epoch).toBeGreaterThanOrEqual(3);
      // The next save: every fourth trial by resuming with the CLI, the others with core's saveCheckpoint.
      if (k % 4 === 0) {
        const next = cli(parent, ['train', '--resume', 'run', '--epochs', String(loaded.meta.epoch + 1), '--json']);
        expect(next.code, next.stderr).toBe(0);
      } else {
        saveCheckpoint(join(parent, 'run'), loaded.meta, loaded.params);
      }
      expect(loadCheckpoint(join(parent, 'run')).meta.epoch).toBeGreaterThanOrEqual(loaded.meta.epoch);
      expect(litter(parent), `trial ${k}`).toEqual([]);
      rmSync(parent, { recursive: true, force: true });
    };
    // Two at a time.
    for (let k = 0; k < delays.length; k += 2) await Promise.all([trial(k), trial(k + 1)]);
    // The kills landed in different places: during training (after "rename") and inside saves.
    expect(lastSteps.size, JSON.stringify([...lastSteps])).toBeGreaterThanOrEqual(3);
  }, 300_000); // 32 trials of real processes: minutes on a busy 2-core machine
});
