// Small file systems for the disk tests: a tmpfs of a given size (a full disk) or a read-only one. Mounting
// needs root (CI runs the tests as root); where it is not permitted the tests skip with this reason.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The stable id the disk tests skip under. */
export const MOUNT_SKIP_ID = 'tmpfs-mount';

function mount(args: string[]): string | undefined {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.error) return `cannot run mount: ${r.error.message}`;
  return r.status === 0 ? undefined : (r.stderr || `mount exited with ${r.status}`).trim().split('\n')[0];
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Why tmpfs mounts are not possible here, or undefined when they are. */
export function mountUnsupported(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-mount-probe-'));
  try {
    const failed = mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    if (failed !== undefined) return `mount -t tmpfs is not permitted here: ${failed}`;
    unmount(dir);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mount a tmpfs with `options` (e.g. `size=600k`, `ro,size=64k`) on a new temporary folder. */
export function mountTmpfs(options: string): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-tmpfs-'));
  const failed = mount(['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (failed !== undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mount -t tmpfs -o ${options}: ${failed}`);
  }
  return {
    dir,
    dispose: () => {
      unmount(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Remount a mounted tmpfs read-only; retries while a file is still open for writing (EBUSY). */
export function remountReadOnly(dir: string, tries = 200): void {
  for (let i = 0; ; i++) {
    const failed = mount(['-o', 'remount,ro', dir]);
    if (failed === undefined) return;
    if (i >= tries) throw new Error(`mount -o remount,ro ${dir}: ${failed}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
