/**
 * What a sweep and its workers exchange through Redis.
 *
 * - A job per run (BullMQ, id `<sweep id>-<hash of the run's name>`, so the same run is never enqueued twice):
 *   `RunJobData`, the run's train flags (seed included) and the files they name (by sha256).
 * - The files a run's flags name (`--corpus FILE`) under `rnn-scratch:<queue>:file:<sha256>`, so a worker on
 *   another machine trains on the same text.
 * - The run's latest checkpoint under `rnn-scratch:<queue>:checkpoint:<job id>` (a hash: epoch, status,
 *   checkpoint.json, params.safetensors, other files). The worker writes it after every save of its run (only
 *   ever forward: an older one never replaces a newer one), the sweep copies it into the run's folder, and a
 *   worker that takes over a run whose worker died resumes from it.
 * - The job's progress (`RunProgress`) and its return value (`RunJobResult`: train's JSON summary).
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import {
  CHECKPOINT_META_FILE,
  CHECKPOINT_PARAMS_FILE,
  checkpointModel,
  decodeCheckpointMeta,
  decodeCheckpointParams,
  type CheckpointMeta,
} from '@rnn-scratch/core';

import { saveCheckpoint } from '../checkpoint.js';
import type { RedisClient } from './redis.js';

export const JOB_FORMAT = 'rnn-scratch-run';
export const JOB_VERSION = 1;

/** A file a run's flags name, shipped through Redis. */
export interface ShippedFile {
  /** The train flag whose value it is, e.g. `corpus`. */
  readonly flag: string;
  readonly sha256: string;
  /** The path as the sweep resolved it (recorded in the run's checkpoint, as a local run would). */
  readonly path: string;
}

export interface RunJobData {
  readonly format: typeof JOB_FORMAT;
  readonly version: typeof JOB_VERSION;
  /** The sweep's id and the run's name (its folder). */
  readonly sweep: string;
  readonly name: string;
  /** The run's train flags, its seed included. */
  readonly args: readonly string[];
  readonly files: readonly ShippedFile[];
}

export interface RunProgress {
  /** The worker, `host/pid`. */
  readonly worker: string;
  /** The epoch of the checkpoint the run started from on this worker (absent for a new run). */
  readonly resumedFrom?: number;
  /** The epoch of the latest checkpoint the worker has stored. */
  readonly checkpointEpoch?: number;
}

export interface RunJobResult {
  readonly status: 'completed' | 'diverged';
  /** train's `--json` summary (completed runs), or absent when the result came from a stored checkpoint. */
  readonly summary?: Record<string, unknown>;
  /** train's one-line message (diverged runs). */
  readonly error?: string;
  readonly worker: string;
  /** Wall seconds of the worker's train process, and when it ended (ms since the epoch). */
  readonly trainSeconds: number;
  readonly trainEndedAt: number;
}

/** The job id of a run: the same run of the same sweep always gets the same one. */
export function jobIdOf(sweepId: string, runName: string): string {
  return `${sweepId}-${createHash('sha256').update(runName).digest('hex').slice(0, 16)}`;
}

export const checkpointKey = (queue: string, jobId: string) => `rnn-scratch:${queue}:checkpoint:${jobId}`;
export const fileKey = (queue: string, sha256: string) => `rnn-scratch:${queue}:file:${sha256}`;

/** A checkpoint folder's files, read consistently (the parameters its checkpoint.json names). */
export interface CheckpointFiles {
  readonly epoch: number;
  readonly status: CheckpointMeta['status'];
  /** checkpoint.json as written. */
  readonly meta: Buffer;
  /** The parameters file checkpoint.json names (by its sha256). */
  readonly params: Buffer;
  /** The other files: perplexity.svg, last-good-params.safetensors. */
  readonly files: Readonly<Record<string, Buffer>>;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const TEMPORARY = /\.tmp-\d+$/;

/**
 * Read the checkpoint in `folder` as it stands, or undefined when it has none or a save is moving its files
 * right now (try again a moment later).
 */
export function readCheckpointFiles(folder: string): CheckpointFiles | undefined {
  let meta: Buffer;
  try {
    meta = readFileSync(join(folder, CHECKPOINT_META_FILE));
  } catch {
    return undefined;
  }
  let raw: { epoch?: unknown; status?: unknown; paramsSha256?: unknown };
  try {
    raw = JSON.parse(meta.toString('utf8')) as typeof raw;
  } catch {
    return undefined;
  }
  let params: Buffer | undefined;
  for (const name of [CHECKPOINT_PARAMS_FILE, 'params.next.safetensors']) {
    const path = join(folder, name);
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    if (raw.paramsSha256 === undefined || sha256(bytes) === raw.paramsSha256) {
      params = bytes;
      break;
    }
  }
  if (!params) return undefined;
  const files: Record<string, Buffer> = {};
  for (const name of readdirSync(folder)) {
    if (name === CHECKPOINT_META_FILE || name.startsWith('params.') || TEMPORARY.test(name)) continue;
    const path = join(folder, name);
    if (statSync(path).isFile()) files[name] = readFileSync(path);
  }
  return {
    epoch: Number(raw.epoch),
    status: String(raw.status) as CheckpointMeta['status'],
    meta,
    params,
    files,
  };
}

/** A checkpoint as a Redis hash (field -> bytes). */
export function checkpointHash(c: CheckpointFiles): Record<string, Buffer> {
  const hash: Record<string, Buffer> = {
    epoch: Buffer.from(String(c.epoch)),
    status: Buffer.from(c.status),
    meta: c.meta,
    params: c.params,
  };
  for (const [name, data] of Object.entries(c.files)) hash[`file:${name}`] = data;
  return hash;
}

/** A Redis hash back into a checkpoint, or undefined for an empty (missing) one. */
export function checkpointFromHash(hash: Record<string, Buffer>): CheckpointFiles | undefined {
  if (!hash.meta || !hash.params) return undefined;
  const files: Record<string, Buffer> = {};
  for (const [field, data] of Object.entries(hash)) if (field.startsWith('file:')) files[field.slice(5)] = data;
  return {
    epoch: Number(hash.epoch?.toString() ?? NaN),
    status: (hash.status?.toString() ?? 'running') as CheckpointMeta['status'],
    meta: hash.meta,
    params: hash.params,
    files,
  };
}

/** The paths a run's checkpoint records, as the sweep resolved them (a worker records its own copies). */
export interface RecordedPaths {
  /** `corpus.path`, for a run with --corpus. */
  readonly corpus?: string;
  /** `hyperparameters.validCorpus`, for a run with --valid-corpus. */
  readonly validCorpus?: string;
}

/**
 * Save a checkpoint received from Redis into `folder` with the folder's commit protocol, after checking it
 * (its parameters must have the sha256 its checkpoint.json records, and the shapes it says). `paths` replace
 * the paths of files the checkpoint records (a worker's copies) with the sweep's, as a local run records them.
 */
export function writeCheckpointFiles(folder: string, c: CheckpointFiles, paths: RecordedPaths = {}): void {
  const text = c.meta.toString('utf8');
  const meta = decodeCheckpointMeta(text, `the checkpoint of ${folder} from the queue`);
  const raw = JSON.parse(text) as Record<string, unknown> & {
    paramsSha256?: string;
    corpus: Record<string, unknown>;
    hyperparameters: Record<string, unknown>;
  };
  if (raw.paramsSha256 !== undefined && raw.paramsSha256 !== sha256(c.params)) {
    throw new Error(`the checkpoint of ${folder} from the queue is damaged: its parameters do not match`);
  }
  const params = decodeCheckpointParams(c.params, checkpointModel(meta), `the parameters of ${folder} from the queue`);
  const { paramsSha256: _p, checksum: _c, ...plain } = raw;
  if (paths.corpus !== undefined) plain.corpus = { ...raw.corpus, path: paths.corpus };
  if (paths.validCorpus !== undefined) {
    plain.hyperparameters = { ...raw.hyperparameters, validCorpus: paths.validCorpus };
  }
  saveCheckpoint(folder, plain as unknown as CheckpointMeta, params, c.files);
}

/** Is `data` a job this version of the worker understands? Returns why not, or undefined. */
export function jobDataProblem(data: unknown): string | undefined {
  const d = data as Partial<RunJobData> | null;
  if (!d || typeof d !== 'object' || d.format !== JOB_FORMAT) return 'not a run of rnn-scratch sweep';
  if (d.version !== JOB_VERSION) {
    return `a run of job format version ${String(d.version)}; this worker reads version ${JOB_VERSION} (use the same rnn-scratch version for the sweep and its workers)`;
  }
  if (typeof d.name !== 'string' || typeof d.sweep !== 'string') return 'a run without a name or sweep';
  if (!Array.isArray(d.args) || !d.args.every((a) => typeof a === 'string')) return 'a run whose flags are not strings';
  if (!Array.isArray(d.files)) return 'a run without its list of files';
  return undefined;
}

/**
 * Store a checkpoint under `key` unless the one there is newer (a later epoch, or the same epoch finished):
 * the stored checkpoint only ever moves forward, whichever worker writes it. A `final` store (the folder read
 * once more after the run's process ended) also replaces a stored checkpoint of the same epoch and status:
 * a read taken while the last save was still moving its files into place (its checkpoint.json committed,
 * its perplexity.svg not yet renamed) must not stand for the folder the run left.
 */
const STORE_FORWARD = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
local status = redis.call('HGET', KEYS[1], 'status')
local e = tonumber(ARGV[1])
if epoch then
  local current = tonumber(epoch)
  if current > e then return 0 end
  if current == e then
    local finishes = status == 'running' and ARGV[2] ~= 'running'
    local replaces = ARGV[3] == 'final' and status == ARGV[2]
    if not (finishes or replaces) then return 0 end
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
return 1`;

export async function storeCheckpoint(
  redis: RedisClient,
  key: string,
  c: CheckpointFiles,
  final = false,
): Promise<boolean> {
  const pairs = Object.entries(checkpointHash(c)).flatMap(([field, value]) => [field, value]);
  const how = final ? 'final' : 'progress';
  const stored = await redis.eval(STORE_FORWARD, 1, key, String(c.epoch), c.status, how, ...pairs);
  return stored === 1;
}
