/**
 * Checkpoint folders on disk (Node only): `checkpoint.json` + `params.safetensors` (+ files such as
 * `perplexity.svg`). The bytes and the JSON come from the browser-safe `checkpoint/` module; this module
 * saves them so that a crash, a `kill -9`, a full disk or a power cut at ANY moment leaves a loadable
 * checkpoint in the folder, and reads them back with every check.
 *
 * `checkpoint.json` is the manifest: it records the sha256 of the parameters it belongs to
 * (`paramsSha256`) and a checksum of itself (`checksum`), and replacing it with one rename is the commit.
 * A save of DIR:
 *   1. tidy: remove temporaries (`*.tmp-<pid>`) of an interrupted save; finish or drop its `params.next.safetensors`;
 *   2. write the new parameters to `params.next.safetensors`, the other files to `NAME.tmp-<pid>`, fsync them;
 *   3. write the new manifest to `checkpoint.json.tmp-<pid>`, fsync it and the folder;
 *   4. COMMIT: rename it over `checkpoint.json`, fsync the folder;
 *   5. rename `params.next.safetensors` over `params.safetensors` and the other files into place, fsync the folder.
 * Before 4 the old manifest and the old `params.safetensors` are untouched; from 4 on the new manifest names the
 * new parameters by their sha256, and the loader takes them from `params.next.safetensors` until 5 has moved
 * them. At rest the folder holds exactly `checkpoint.json`, `params.safetensors` and the other files.
 * A save that fails (no space, no permission, a read-only file system) removes what it wrote and throws a
 * `CheckpointWriteError`; the previous checkpoint is untouched. One process saves into a folder at a time.
 */

import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import {
  CHECKPOINT_META_FILE,
  CHECKPOINT_PARAMS_FILE,
  CheckpointError,
  checkpointParamsMetadata,
  decodeCheckpointMeta,
  checkpointModel,
  decodeCheckpointParams,
  encodeCheckpointMeta,
  encodeCheckpointParams,
  type CheckpointMeta,
} from '../checkpoint/index.js';
import type { Params } from '../nn/cell.js';
import { firstLine } from '../text.js';

/** Where a save puts the new parameters until the commit has made them current. */
export const CHECKPOINT_NEXT_PARAMS_FILE = 'params.next.safetensors';

/** A temporary of a save (or of the write check): `NAME.tmp-<pid>`. Removed by the next save. */
const TEMPORARY = /\.tmp-\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const ZEROS = '0'.repeat(64);

export interface LoadedCheckpoint {
  /** The folder, as given. */
  readonly dir: string;
  readonly meta: CheckpointMeta;
  readonly params: Params;
}

/** The fields the folder format adds to checkpoint.json (the browser-safe module does not know them). */
interface Seal {
  /** sha256 of the parameters file this manifest belongs to. */
  readonly paramsSha256: string;
  /** sha256 of this file with this value written as 64 zeros. Delete the field to accept a hand edit. */
  readonly checksum: string;
}

/** The steps of a save, in order; `SaveCheckpointOptions.onStep` hears each one after it is done. */
export const SAVE_STEPS = ['tidy', 'params', 'files', 'manifest', 'commit', 'rename'] as const;
export type SaveStep = (typeof SAVE_STEPS)[number];

export interface SaveCheckpointOptions {
  /**
   * More files for the folder, e.g. `{ 'perplexity.svg': svg }`: written before the commit and moved into
   * place after it (they are not needed to load the checkpoint).
   */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Called after each step of the save (tests use it to stop a save between any two steps). */
  readonly onStep?: (step: SaveStep) => void;
}

export type CheckpointWriteErrorCode =
  /** No space left (ENOSPC) or the disk quota is exhausted (EDQUOT). */
  | 'NO_SPACE'
  /** The file system is mounted read-only (EROFS). */
  | 'READ_ONLY'
  /** Permission denied (EACCES, EPERM). */
  | 'NO_PERMISSION'
  /** Any other error of the file system. */
  | 'IO';

/** A checkpoint could not be written. The previous checkpoint in the folder, if any, is intact. */
export class CheckpointWriteError extends Error {
  override readonly name = 'CheckpointWriteError';
  /** The epoch of the checkpoint still in the folder, when it holds one. */
  readonly previousEpoch?: number;
  constructor(
    readonly code: CheckpointWriteErrorCode,
    /** The folder, as given. */
    readonly dir: string,
    /** Why, in a few words, e.g. `no space left on its file system (ENOSPC)`. */
    readonly reason: string,
    message: string,
    options: { cause?: unknown; previousEpoch?: number } = {},
  ) {
    super(message, { cause: options.cause });
    if (options.previousEpoch !== undefined) this.previousEpoch = options.previousEpoch;
  }
}

/** Is `value` a CheckpointWriteError (also one from another copy of this package)? */
export function isCheckpointWriteError(value: unknown): value is CheckpointWriteError {
  return value instanceof CheckpointWriteError || (value instanceof Error && value.name === 'CheckpointWriteError');
}

export type CheckpointDirErrorCode =
  /** The path is a file. */
  | 'NOT_A_FOLDER'
  /** The folder holds files that are not a checkpoint's. */
  | 'NOT_EMPTY'
  /** The folder holds a checkpoint (of another run, or the caller is not resuming it). */
  | 'HOLDS_CHECKPOINT';

/** A folder that a new checkpoint must not go into. */
export class CheckpointDirError extends Error {
  override readonly name = 'CheckpointDirError';
  constructor(
    readonly code: CheckpointDirErrorCode,
    readonly dir: string,
    message: string,
  ) {
    super(message);
  }
}

const REASONS: Record<string, [CheckpointWriteErrorCode, string]> = {
  ENOSPC: ['NO_SPACE', 'no space left on its file system (ENOSPC)'],
  EDQUOT: ['NO_SPACE', 'the disk quota is exhausted (EDQUOT)'],
  EROFS: ['READ_ONLY', 'its file system is read-only (EROFS)'],
  EACCES: ['NO_PERMISSION', 'permission denied (EACCES)'],
  EPERM: ['NO_PERMISSION', 'permission denied (EPERM)'],
};

/** A file-system error as [code, reason]; undefined for anything that is not one (a bug: let it through). */
function fsFailure(err: unknown): [CheckpointWriteErrorCode, string] | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  return REASONS[code] ?? ['IO', firstLine(err)];
}

function sha256Of(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
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

/** fsync a folder so that creations and renames inside it are durable (best effort: Windows cannot). */
function syncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; its renames are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** checkpoint.json with its seal: the parameters' sha256 and, last, its own checksum. */
function sealManifest(meta: CheckpointMeta, paramsSha256: string): string {
  const { paramsSha256: _p, checksum: _c, ...plain } = meta as CheckpointMeta & Partial<Seal>;
  const sealed: CheckpointMeta & Seal = { ...plain, paramsSha256, checksum: ZEROS };
  const text = encodeCheckpointMeta(sealed);
  const at = text.lastIndexOf(`"${ZEROS}"`);
  return `${text.slice(0, at + 1)}${sha256Of(text)}${text.slice(at + 1 + ZEROS.length)}`;
}

/** The seal of a manifest, checked: its checksum must match (when it has one). */
function readSeal(text: string, source: string): Partial<Seal> {
  const raw = JSON.parse(text) as Record<string, unknown>;
  for (const field of ['paramsSha256', 'checksum'] as const) {
    if (field in raw && (typeof raw[field] !== 'string' || !SHA256.test(raw[field] as string))) {
      throw new CheckpointError('INVALID', `${source}: "${field}" must be a hex sha256`);
    }
  }
  const checksum = raw.checksum as string | undefined;
  if (checksum !== undefined) {
    const at = text.lastIndexOf(`"${checksum}"`);
    const zeroed = `${text.slice(0, at + 1)}${ZEROS}${text.slice(at + 1 + ZEROS.length)}`;
    if (sha256Of(zeroed) !== checksum) {
      throw new CheckpointError(
        'CORRUPT',
        `${source} does not match its checksum: it is corrupt (or was edited: delete its "checksum" field to accept the edit)`,
      );
    }
  }
  return { paramsSha256: raw.paramsSha256 as string | undefined, checksum };
}

/** The previous save's manifest facts, if it has a readable one. */
function currentManifest(target: string): { epoch?: number; paramsSha256?: string } | undefined {
  try {
    const raw = JSON.parse(readFileSync(join(target, CHECKPOINT_META_FILE), 'utf8')) as Record<string, unknown>;
    return {
      epoch: typeof raw.epoch === 'number' ? raw.epoch : undefined,
      paramsSha256: typeof raw.paramsSha256 === 'string' ? raw.paramsSha256 : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * Step 1 of a save: clear what an interrupted save left. Temporaries go; a `params.next.safetensors` that
 * the manifest already names (the save died between its commit and its rename) is moved into place, any
 * other one goes.
 */
function tidy(target: string): void {
  const entries = readdirSync(target);
  for (const name of entries) {
    if (TEMPORARY.test(name)) rmSync(join(target, name), { recursive: true, force: true });
  }
  const manifest = currentManifest(target);
  if (entries.includes(CHECKPOINT_NEXT_PARAMS_FILE)) {
    const next = join(target, CHECKPOINT_NEXT_PARAMS_FILE);
    const params = join(target, CHECKPOINT_PARAMS_FILE);
    const want = manifest?.paramsSha256;
    const current = readIfExists(params);
    if (
      want !== undefined &&
      (current === undefined || sha256Of(current) !== want) &&
      sha256Of(readFileSync(next)) === want
    ) {
      renameSync(next, params);
    } else {
      rmSync(next, { force: true });
    }
    syncDir(target);
  }
}

/** Create `target` (and its missing parents); returns the first folder it created, if any. */
function makeFolder(target: string): string | undefined {
  let first: string | undefined;
  try {
    first = mkdirSync(target, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // A recursive mkdir says ENOENT where the file system said EROFS or EACCES: make the first missing
    // folder alone to get the real reason.
    let missing = target;
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
    mkdirSync(missing);
    throw err;
  }
  if (first !== undefined) syncDir(dirname(first));
  return first;
}

/**
 * Save a checkpoint into `dir`, replacing the one there so that the folder holds a loadable checkpoint at
 * every moment (see the top of this module). Throws a `CheckpointWriteError` (no space, read-only, no
 * permission, another file-system error) after removing what it wrote; the previous checkpoint stays.
 */
export function saveCheckpoint(
  dir: string,
  meta: CheckpointMeta,
  params: Params,
  options: SaveCheckpointOptions = {},
): void {
  const { files = {}, onStep = () => {} } = options;
  const target = resolve(dir);
  const manifest = join(target, CHECKPOINT_META_FILE);
  const next = join(target, CHECKPOINT_NEXT_PARAMS_FILE);
  const suffix = `.tmp-${process.pid}`;
  const written: string[] = [];
  let created: string | undefined;
  let previous: { epoch?: number } | undefined;
  try {
    created = makeFolder(target);
    previous = currentManifest(target);
    tidy(target);
    onStep('tidy');
    const bytes = encodeCheckpointParams(params, checkpointParamsMetadata(meta));
    written.push(next);
    writeDurable(next, bytes);
    onStep('params');
    for (const [name, data] of Object.entries(files)) {
      written.push(join(target, name + suffix));
      writeDurable(join(target, name + suffix), data);
    }
    onStep('files');
    written.push(manifest + suffix);
    writeDurable(manifest + suffix, sealManifest(meta, sha256Of(bytes)));
    syncDir(target);
    onStep('manifest');
    renameSync(manifest + suffix, manifest);
    syncDir(target);
  } catch (err) {
    try {
      for (const path of written) rmSync(path, { force: true });
      if (created !== undefined) removeEmptyFolders(created, target);
    } catch {
      // A read-only file system refuses even these; there is nothing of ours to remove then.
    }
    const failure = fsFailure(err);
    if (!failure) throw err;
    const [code, reason] = failure;
    const previousEpoch = previous?.epoch;
    const kept =
      previousEpoch !== undefined ? `the previous checkpoint (epoch ${previousEpoch}) is intact` : 'nothing was saved';
    const message = `cannot save the checkpoint to ${dir}: ${reason}; ${kept}`;
    throw new CheckpointWriteError(code, dir, reason, message, { cause: err, previousEpoch });
  }
  onStep('commit');
  // Committed. Moving the files into place can only fail on a broken file system; the loader and the next
  // save cope with a `params.next.safetensors` the manifest names, so a failure here is not the save's.
  try {
    renameSync(next, join(target, CHECKPOINT_PARAMS_FILE));
    for (const name of Object.keys(files)) renameSync(join(target, name + suffix), join(target, name));
    syncDir(target);
  } catch {
    // The next save tidies up.
  }
  onStep('rename');
}

/** Remove `from` and the empty folders below it down to `to`, when a failed first save created them. */
function removeEmptyFolders(from: string, to: string): void {
  for (let path = to; path.length >= from.length; path = dirname(path)) {
    try {
      rmdirSync(path);
    } catch {
      return;
    }
  }
}

/** Does this folder hold only what an interrupted first save leaves (temporaries, unreferenced parameters)? */
function onlyLeftovers(entries: readonly string[]): boolean {
  return entries.every((n) => TEMPORARY.test(n) || n === CHECKPOINT_NEXT_PARAMS_FILE);
}

function readCheckpointFile(path: string, shown: string): Buffer | undefined {
  try {
    return readIfExists(path);
  } catch (err) {
    throw new CheckpointError('CORRUPT', `cannot read ${shown}: ${firstLine(err)}`);
  }
}

/**
 * Load and check a checkpoint folder. Throws CheckpointError (the CLI's exit code 4) for a missing folder or
 * file, a corrupt or truncated file (also one that does not match the checksums in checkpoint.json), another
 * format version, or parameters whose shapes do not match.
 */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const target = resolve(dir);
  let entries: string[];
  try {
    if (!statSync(target).isDirectory()) {
      throw new CheckpointError(
        'NOT_FOUND',
        `${dir} is not a checkpoint folder (expected a folder with ${CHECKPOINT_META_FILE} and ${CHECKPOINT_PARAMS_FILE})`,
      );
    }
    entries = readdirSync(target);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError('NOT_FOUND', `checkpoint not found: ${dir}`);
  }
  const metaPath = join(dir, CHECKPOINT_META_FILE);
  const text = readCheckpointFile(join(target, CHECKPOINT_META_FILE), metaPath);
  if (text === undefined) {
    throw new CheckpointError(
      'NOT_FOUND',
      entries.length > 0 && onlyLeftovers(entries)
        ? `${dir} holds no checkpoint yet: only the leftovers of a save that was interrupted before it completed`
        : `${dir} is not a checkpoint folder: it has no ${CHECKPOINT_META_FILE}`,
    );
  }
  const json = text.toString('utf8');
  const meta = decodeCheckpointMeta(json, metaPath);
  const { paramsSha256 } = readSeal(json, metaPath);
  const expected = checkpointModel(meta);
  const decode = (bytes: Uint8Array, file: string) => decodeCheckpointParams(bytes, expected, join(dir, file));

  const paramsPath = join(dir, CHECKPOINT_PARAMS_FILE);
  const current = readCheckpointFile(join(target, CHECKPOINT_PARAMS_FILE), paramsPath);
  if (paramsSha256 === undefined || (current !== undefined && sha256Of(current) === paramsSha256)) {
    if (current === undefined)
      throw new CheckpointError('NOT_FOUND', `${paramsPath} is missing: the checkpoint is incomplete`);
    return { dir, meta, params: decode(current, CHECKPOINT_PARAMS_FILE) };
  }
  // A save committed this manifest but died before moving its parameters into place.
  const next = readCheckpointFile(join(target, CHECKPOINT_NEXT_PARAMS_FILE), join(dir, CHECKPOINT_NEXT_PARAMS_FILE));
  if (next !== undefined && sha256Of(next) === paramsSha256) {
    return { dir, meta, params: decode(next, CHECKPOINT_NEXT_PARAMS_FILE) };
  }
  if (current === undefined)
    throw new CheckpointError('NOT_FOUND', `${paramsPath} is missing: the checkpoint is incomplete`);
  decode(current, CHECKPOINT_PARAMS_FILE); // a file the decoder rejects gets its more specific message
  throw new CheckpointError(
    'CORRUPT',
    `${paramsPath} does not match the sha256 that ${CHECKPOINT_META_FILE} records: it is corrupt or from another checkpoint`,
  );
}

/** What `checkOutDir` needs to know. */
export interface CheckOutDirOptions {
  /** The checkpoint being resumed: saving back into it is fine. */
  readonly resuming?: string;
  /** Free space a save needs (about one parameters file more than the folder holds); checked when given. */
  readonly bytesNeeded?: number;
}

/**
 * Check, before training, that checkpoints can be saved into `dir`: it must not be a file, a folder with
 * other files, or another run's checkpoint (`CheckpointDirError`), and its file system must take a write
 * and have `bytesNeeded` free (`CheckpointWriteError`). The folder itself is not created; a write check
 * file is created and removed in it (or in its nearest existing parent).
 */
export function checkOutDir(dir: string, options: CheckOutDirOptions = {}): void {
  const target = resolve(dir);
  let existing = target;
  for (;;) {
    try {
      const stat = statSync(existing);
      if (!stat.isDirectory()) {
        throw new CheckpointDirError('NOT_A_FOLDER', dir, `${existing === target ? dir : existing} is a file`);
      }
      break;
    } catch (err) {
      if (err instanceof CheckpointDirError) throw err;
      if (dirname(existing) === existing) break;
      existing = dirname(existing);
    }
  }
  if (existing === target) {
    const entries = readdirSync(target);
    if (entries.includes(CHECKPOINT_META_FILE)) {
      if (options.resuming === undefined || resolve(options.resuming) !== target) {
        throw new CheckpointDirError('HOLDS_CHECKPOINT', dir, `${dir} already holds a checkpoint`);
      }
    } else if (!onlyLeftovers(entries)) {
      throw new CheckpointDirError('NOT_EMPTY', dir, `${dir} is a folder that holds other files`);
    }
  }
  checkWritable(dir, existing, options.bytesNeeded);
}

/** Write and remove a small file in `folder`, and compare its file system's free space with `bytesNeeded`. */
function checkWritable(dir: string, folder: string, bytesNeeded?: number): void {
  const probe = join(folder, `.rnn-scratch-write-check.tmp-${process.pid}`);
  try {
    writeDurable(probe, 'rnn-scratch\n');
  } catch (err) {
    rmSync(probe, { force: true });
    const failure = fsFailure(err);
    if (!failure) throw err;
    const [code, reason] = failure;
    throw new CheckpointWriteError(code, dir, reason, `cannot write checkpoints to ${dir}: ${reason}`, { cause: err });
  }
  rmSync(probe, { force: true });
  if (bytesNeeded === undefined) return;
  let free: number;
  try {
    const fs = statfsSync(folder);
    free = fs.bavail * fs.bsize;
  } catch {
    return; // no statfs here: the save itself will say if the space runs out
  }
  if (free < bytesNeeded) {
    const reason = `only ${formatBytes(free)} free on its file system, and a checkpoint save needs ${formatBytes(bytesNeeded)}`;
    throw new CheckpointWriteError('NO_SPACE', dir, reason, `cannot write checkpoints to ${dir}: ${reason}`);
  }
}

/** 1536 -> `1.5 KB`, 1200000 -> `1.2 MB` (powers of 1000, like `df -H`). */
function formatBytes(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
