// Shared helpers for the end-to-end tests: run the REAL built binary `node packages/cli/bin/rnn-scratch.js`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../bin/rnn-scratch.js', import.meta.url));
export const DIST_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Tiny sizes that train in well under a second on the reference backend. */
export const TINY = [
  '--num-hiddens',
  '8',
  '--epochs',
  '3',
  '--max-tokens',
  '400',
  '--batch-size',
  '4',
  '--num-steps',
  '5',
  '--backend',
  'reference',
];

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function checkBuilt(): void {
  if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: build first (npm test, or npx tsc -b)`);
}

export function tempDir(prefix = 'rnn-scratch-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Run the CLI in `cwd`, as a user would. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}, bin = BIN): Result {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** An error run: nothing on stdout, exactly one `rnn-scratch: ...` line on stderr, no stack trace. */
export function expectOneLineError(r: Result, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^rnn-scratch: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
}

/**
 * Start the CLI, wait until a stdout line matches `ready`, then send `signal`; resolves with the exit code,
 * the signal (if it was killed by one) and the output.
 */
export function interruptAfter(
  cwd: string,
  args: string[],
  ready: RegExp,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<Result & { signal: NodeJS.Signals | null; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!sent && stdout.split('\n').some((line) => ready.test(line))) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr, sent });
    });
  });
}
