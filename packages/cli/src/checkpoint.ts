/**
 * Checkpoint folders on disk: `params.safetensors` + `checkpoint.json` (+ `perplexity.svg`), written
 * atomically. The bytes and the JSON come from core's browser-safe `checkpoint/` module.
 *
 * Atomic save of DIR:
 *   1. write every file into `DIR.tmp-<pid>` and fsync each file and the folder;
 *   2. rename the previous `DIR` (if any) to `DIR.old-<pid>`;
 *   3. rename `DIR.tmp-<pid>` to `DIR` and fsync the parent folder;
 *   4. remove `DIR.old-<pid>`.
 * A crash before 3 leaves the previous checkpoint in place (or, between 2 and 3, in `DIR.old-<pid>`, which
 * `loadCheckpoint` points out); a crash after 3 leaves the new one. Never a half-written checkpoint.
 */

import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import {
  CHECKPOINT_META_FILE,
  CHECKPOINT_PARAMS_FILE,
  CheckpointError,
  checkpointModel,
  decodeCheckpointMeta,
  decodeCheckpointParams,
  encodeCheckpointMeta,
  encodeCheckpointParams,
  type CheckpointMeta,
  type Params,
} from '@rnn-scratch/core';

import { UsageError } from './args.js';

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly meta: CheckpointMeta;
  readonly params: Params;
}

/** Write `data` to `path` and flush it to the disk. */
function writeDurable(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync a folder so a rename inside it is durable (not possible on every platform: best effort). */
function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Save a checkpoint into `dir`, atomically replacing the one there. `extra` files (e.g. `perplexity.svg`)
 * go into the same folder.
 */
export function saveCheckpoint(
  dir: string,
  meta: CheckpointMeta,
  params: Params,
  extra: Readonly<Record<string, string | Uint8Array>> = {},
): void {
  const target = resolve(dir);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const metadata = { epoch: String(meta.epoch), backend: meta.backend, 'rnn-scratch-checkpoint': String(meta.version) };
  writeDurable(join(tmp, CHECKPOINT_PARAMS_FILE), encodeCheckpointParams(params, metadata));
  for (const [name, data] of Object.entries(extra)) writeDurable(join(tmp, name), data);
  // checkpoint.json last: a folder with it is complete.
  writeDurable(join(tmp, CHECKPOINT_META_FILE), encodeCheckpointMeta(meta));
  syncDir(tmp);

  const hadOld = existsSync(target);
  if (hadOld) {
    rmSync(old, { recursive: true, force: true });
    renameSync(target, old);
  }
  try {
    renameSync(tmp, target);
  } catch (err) {
    if (hadOld) renameSync(old, target); // put the previous checkpoint back
    throw err;
  }
  syncDir(parent);
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

/** Leftovers of an interrupted save next to `dir`: `DIR.old-<pid>` folders. */
function leftovers(target: string): string[] {
  try {
    const base = basename(target);
    return readdirSync(dirname(target))
      .filter((n) => n.startsWith(`${base}.old-`) && existsSync(join(dirname(target), n, CHECKPOINT_META_FILE)))
      .map((n) => join(dirname(target), n));
  } catch {
    return [];
  }
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CheckpointError('NOT_FOUND', `${what} is missing: the checkpoint is incomplete`);
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CheckpointError('CORRUPT', `cannot read ${what}: ${reason}`);
  }
}

/**
 * Load and check a checkpoint folder. Throws CheckpointError (exit code 4) for a missing folder or file, a
 * corrupt or truncated file, another format version, or parameters whose shapes do not match.
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  const target = resolve(path);
  let stat;
  try {
    stat = statSync(target);
  } catch {
    const found = leftovers(target);
    const hint = found.length > 0 ? ` (an interrupted save left ${found[0]}: rename it to ${path} to use it)` : '';
    throw new CheckpointError('NOT_FOUND', `checkpoint not found: ${path}${hint}`);
  }
  if (!stat.isDirectory()) {
    throw new CheckpointError(
      'NOT_FOUND',
      `${path} is not a checkpoint folder (expected a folder with ${CHECKPOINT_META_FILE} and ${CHECKPOINT_PARAMS_FILE})`,
    );
  }
  const metaPath = join(path, CHECKPOINT_META_FILE);
  if (!existsSync(join(target, CHECKPOINT_META_FILE))) {
    throw new CheckpointError('NOT_FOUND', `${path} is not a checkpoint folder: it has no ${CHECKPOINT_META_FILE}`);
  }
  const meta = decodeCheckpointMeta(readFile(join(target, CHECKPOINT_META_FILE), metaPath).toString('utf8'), metaPath);
  const paramsPath = join(path, CHECKPOINT_PARAMS_FILE);
  const bytes = readFile(join(target, CHECKPOINT_PARAMS_FILE), paramsPath);
  const params = decodeCheckpointParams(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    checkpointModel(meta),
    paramsPath,
  );
  return { dir: path, meta, params };
}

/**
 * Refuse an `--out` folder we must not replace: a file, or a folder that holds something other than a
 * checkpoint, or another run's checkpoint (unless it is the one being resumed).
 */
export function checkOutDir(out: string, resuming?: string): void {
  const target = resolve(out);
  if (!existsSync(target)) return;
  const stat = statSync(target);
  if (!stat.isDirectory()) throw new UsageError(`--out ${out} is a file; give a folder for the checkpoint`);
  const entries = readdirSync(target);
  if (entries.length === 0) return;
  if (!entries.includes(CHECKPOINT_META_FILE)) {
    throw new UsageError(
      `--out ${out} is a folder that holds other files; give a new or empty folder for the checkpoint`,
    );
  }
  if (resuming === undefined || resolve(resuming) !== target) {
    throw new UsageError(
      `--out ${out} already holds a checkpoint; continue it with --resume ${out}, or give another --out`,
    );
  }
}
