// Full and read-only disks, end to end: `--out` is checked before training (exit 3), and a save that fails
// for lack of space or on a file system turned read-only is one line with exit code 7, no temporaries left
// and the previous checkpoint intact. A tmpfs of 600 KB is the full disk; mounting needs root (CI is root).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { loadCheckpoint } from '@rnn-scratch/core/node';
import { beforeAll, describe, expect, it } from 'vitest';

import { MOUNT_SKIP_ID, mountTmpfs, mountUnsupported, remountReadOnly } from '../../core/test/mount.js';
import { BIN, checkBuilt, cli, expectOneLineError, TINY } from './helpers.js';

const SMALL = ['--max-tokens', '400', '--batch-size', '4', '--num-steps', '5', '--backend', 'reference'];
const AT_REST = ['checkpoint.json', 'params.safetensors', 'perplexity.svg'];

const noMount = mountUnsupported();
if (noMount !== undefined) {
  describe('train on full and read-only disks', () => {
    it.skip(`[skipped ${MOUNT_SKIP_ID}: ${noMount}]`, () => {});
  });
} else {
  describe('train on full and read-only disks', () => {
    beforeAll(checkBuilt);

    it('a read-only --out fails before training: one line, exit 3', () => {
      const disk = mountTmpfs('ro,size=64k');
      try {
        const out = join(disk.dir, 'run');
        const r = cli(disk.dir, ['train', ...TINY, '--out', out]);
        expectOneLineError(
          r,
          3,
          new RegExp(
            `^rnn-scratch: --out ${out} cannot take checkpoints: its file system is read-only \\(EROFS\\); give another --out$`,
          ),
        );
      } finally {
        disk.dispose();
      }
    });

    it('an --out without room for a checkpoint fails before training: one line, exit 3', () => {
      const disk = mountTmpfs('size=600k');
      try {
        // 512 hidden units: 1.2 MB of parameters.
        const r = cli(disk.dir, ['train', ...SMALL, '--num-hiddens', '512', '--out', 'run']);
        expectOneLineError(
          r,
          3,
          /^rnn-scratch: --out run cannot take checkpoints: only 6\d\d\.\d KB free on its file system, and a checkpoint save needs 1\.\d MB; give another --out$/,
        );
        expect(readdirSync(disk.dir)).toEqual([]);
      } finally {
        disk.dispose();
      }
    });

    it('a disk that fills up: the failed save is one line, exit 7, the previous checkpoint intact and no litter', () => {
      const disk = mountTmpfs('size=600k');
      try {
        // 256 hidden units: 315 KB of parameters. The first save fits; the second needs a second copy.
        const r = cli(disk.dir, [
          'train',
          ...SMALL,
          '--num-hiddens',
          '256',
          '--epochs',
          '3',
          '--every',
          '1',
          '--json',
          '--out',
          'run',
        ]);
        expectOneLineError(
          r,
          7,
          /^rnn-scratch: cannot save the checkpoint to run: no space left on its file system \(ENOSPC\); the previous checkpoint \(epoch 1\) is intact \(continue it with: rnn-scratch train --resume run\)$/,
        );
        expect(readdirSync(disk.dir)).toEqual(['run']);
        expect(readdirSync(join(disk.dir, 'run')).sort()).toEqual(AT_REST);
        expect(loadCheckpoint(join(disk.dir, 'run')).meta.epoch).toBe(1);
      } finally {
        disk.dispose();
      }
    });

    it('a file system turned read-only during training: exit 7, the last checkpoint intact', async () => {
      const disk = mountTmpfs('size=4m');
      try {
        const child = spawn(
          process.execPath,
          [BIN, 'train', ...TINY, '--epochs', '2000', '--every', '1', '--json', '--out', 'run'],
          {
            cwd: disk.dir,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
        const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
        const deadline = Date.now() + 30_000;
        while (!existsSync(join(disk.dir, 'run', 'checkpoint.json')) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        remountReadOnly(disk.dir);
        const code = await Promise.race([
          closed,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
        ]);
        if (code === 'timeout') child.kill('SIGKILL');
        expectOneLineError(
          { code: code === 'timeout' ? null : code, stdout, stderr },
          7,
          /^rnn-scratch: cannot save the checkpoint to run: its file system is read-only \(EROFS\); the previous checkpoint \(epoch \d+\) is intact \(continue it with: rnn-scratch train --resume run\)$/,
        );
        const epoch = Number(/epoch (\d+)\) is intact/.exec(stderr)![1]);
        expect(loadCheckpoint(join(disk.dir, 'run')).meta.epoch).toBe(epoch);
        expect(readdirSync(join(disk.dir, 'run')).sort()).toEqual(AT_REST);
      } finally {
        disk.dispose();
      }
    });
  });
}
