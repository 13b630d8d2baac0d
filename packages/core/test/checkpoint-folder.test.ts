// Checkpoint folders (`@rnn-scratch/core/node`): the commit protocol, the checksums, leftovers of killed
// saves, full and read-only disks, and the `--out` checks.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  encodeCheckpointFiles,
  encodeCheckpointMeta,
  encodeCheckpointParams,
  getParams,
  PARAM_NAMES,
  Random,
  type CheckpointMeta,
  type HostTensor,
  type RnnParams,
} from '../src/index.js';
import {
  CheckpointDirError,
  CheckpointWriteError,
  SAVE_STEPS,
  checkOutDir,
  loadCheckpoint,
  saveCheckpoint,
} from '../src/node/index.js';
import { MOUNT_SKIP_ID, mountTmpfs, mountUnsupported } from './mount.js';

const root = join(tmpdir(), `rnn-scratch-folders-${process.pid}`);
mkdirSync(root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
/** A new folder path (not created) inside a new parent, so that siblings can be checked too. */
function place(): string {
  const parent = join(root, `p${folders++}`);
  mkdirSync(parent);
  return join(parent, 'run');
}

const VOCAB = ['<unk>', ' ', 'e', 't', 'a'];

function paramsOf(seed: number, numHiddens = 3, vocab = VOCAB.length): RnnParams {
  return getParams(vocab, numHiddens, new Random(seed));
}

function metaOf(epoch: number, numHiddens = 3, vocab = VOCAB): CheckpointMeta {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: '2024-01-01T00:00:00.000Z',
    epoch,
    seed: 0,
    backend: 'reference:cpu',
    hyperparameters: {
      cell: 'rnn',
      numLayers: 1,
      init: 'normal',
      activation: 'tanh',
      embedSize: 0,
      bptt: 'minibatch',
      validTokens: 0,
      validCorpus: null,
      numHiddens,
      batchSize: 2,
      numSteps: 4,
      lr: 1,
      theta: 1,
      maxTokens: 100,
      sampler: 'sequential',
      preprocess: 'book',
      numEpochs: 10,
    },
    corpus: { path: null, sha256: 'a'.repeat(64), tokens: 100 },
    vocab: { idxToToken: vocab },
    dataRngState: new Random(3).getState(),
    history: Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1, perplexity: 10 - i })),
    status: 'running',
  };
}

/** Everything in the folder and beside it that is not the checkpoint at rest. */
function litter(dir: string, keep = ['checkpoint.json', 'params.safetensors', 'perplexity.svg']): string[] {
  const inside = readdirSync(dir).filter((n) => !keep.includes(n));
  const beside = readdirSync(dirname(dir)).filter((n) => n !== 'run');
  return [...inside, ...beside.map((n) => `../${n}`)];
}

function sameParams(a: Readonly<Record<string, HostTensor>>, b: RnnParams): boolean {
  return PARAM_NAMES.every((n) => a[n].data.every((v, i) => v === b[n].data[i]));
}

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('saving a checkpoint folder', () => {
  it('writes checkpoint.json, params.safetensors and the extra files, and loads them back', () => {
    const dir = place();
    saveCheckpoint(dir, metaOf(1), paramsOf(1), { files: { 'perplexity.svg': '<svg/>' } });
    saveCheckpoint(dir, metaOf(2), paramsOf(2), { files: { 'perplexity.svg': '<svg>2</svg>' } });
    const loaded = loadCheckpoint(dir);
    expect(loaded.meta).toEqual(metaOf(2));
    expect(sameParams(loaded.params, paramsOf(2))).toBe(true);
    expect(readFileSync(join(dir, 'perplexity.svg'), 'utf8')).toBe('<svg>2</svg>');
    expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', 'params.safetensors', 'perplexity.svg']);
    expect(litter(dir)).toEqual([]);
  });

  it('seals checkpoint.json with the sha256 of the parameters and a checksum of itself', () => {
    const dir = place();
    saveCheckpoint(dir, metaOf(1), paramsOf(1));
    const text = readFileSync(join(dir, 'checkpoint.json'), 'utf8');
    const raw = JSON.parse(text);
    expect(raw.paramsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(raw.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(raw).at(-1)).toBe('checksum');

    // Any change to the file: a one-line CORRUPT error that says how to accept a deliberate edit.
    writeFileSync(join(dir, 'checkpoint.json'), text.replace('"lr": 1', '"lr": 3'));
    const err = caught(() => loadCheckpoint(dir));
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err.message).toMatch(/checkpoint\.json does not match its checksum: .*delete its "checksum" field/);
    // Without the field, the edit is accepted.
    const { checksum: _, ...edited } = JSON.parse(text.replace('"lr": 1', '"lr": 3'));
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(edited));
    expect(loadCheckpoint(dir).meta.hyperparameters.lr).toBe(3);

    // Parameters that are not the ones the manifest names.
    saveCheckpoint(dir, metaOf(1), paramsOf(1));
    writeFileSync(join(dir, 'params.safetensors'), encodeCheckpointParams(paramsOf(7)));
    expect(caught(() => loadCheckpoint(dir)).message).toMatch(
      /params\.safetensors does not match the sha256 that checkpoint\.json records/,
    );
  });

  it('reads a folder without the seal (the first release, or one written by a browser app)', () => {
    const dir = place();
    mkdirSync(dir);
    writeFileSync(join(dir, 'checkpoint.json'), encodeCheckpointMeta(metaOf(4)));
    writeFileSync(join(dir, 'params.safetensors'), encodeCheckpointParams(paramsOf(4)));
    expect(loadCheckpoint(dir).meta.epoch).toBe(4);
    saveCheckpoint(dir, metaOf(5), paramsOf(5));
    expect(loadCheckpoint(dir).meta.epoch).toBe(5);
    expect(litter(dir)).toEqual([]);
  });

  it('names what is wrong with a folder that holds no checkpoint', () => {
    const dir = place();
    expect(caught(() => loadCheckpoint(dir)).message).toBe(`checkpoint not found: ${dir}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'params.next.safetensors'), 'half');
    writeFileSync(join(dir, 'checkpoint.json.tmp-123'), '{');
    expect(caught(() => loadCheckpoint(dir)).message).toBe(
      `${dir} holds no checkpoint yet: only the leftovers of a save that was interrupted before it completed`,
    );
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(caught(() => loadCheckpoint(dir)).message).toBe(
      `${dir} is not a checkpoint folder: it has no checkpoint.json`,
    );
  });
});

const DIST_NODE = fileURLToPath(new URL('../dist/node/index.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * Save epoch `epoch` into `dir` in a child process that kills itself with SIGKILL right after `step`:
 * exactly what `kill -9` at that moment leaves on the disk.
 */
function saveAndDie(dir: string, epoch: number, step: string): void {
  const metaFile = join(root, `meta-${epoch}.json`);
  writeFileSync(metaFile, JSON.stringify(metaOf(epoch)));
  const code = `
    const { readFileSync } = await import('node:fs');
    const core = await import(${JSON.stringify(DIST_MAIN)});
    const { saveCheckpoint } = await import(${JSON.stringify(DIST_NODE)});
    const meta = JSON.parse(readFileSync(${JSON.stringify(metaFile)}, 'utf8'));
    const params = core.getParams(${VOCAB.length}, 3, new core.Random(${epoch}));
    const die = (step) => { if (step === ${JSON.stringify(step)}) process.kill(process.pid, 'SIGKILL'); };
    saveCheckpoint(${JSON.stringify(dir)}, meta, params, { files: { 'perplexity.svg': '<svg>${epoch}</svg>' }, onStep: die });
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.signal, r.stderr).toBe('SIGKILL');
}

describe('a save killed after any of its steps', () => {
  it.each(SAVE_STEPS.map((step, i) => ({ step, committed: i >= SAVE_STEPS.indexOf('commit') })))(
    'after "$step": the folder loads (the old checkpoint before the commit, the new one after) and the next save leaves no litter',
    ({ step, committed }) => {
      const dir = place();
      saveCheckpoint(dir, metaOf(1), paramsOf(1), { files: { 'perplexity.svg': '<svg>1</svg>' } });
      saveAndDie(dir, 2, step);
      const loaded = loadCheckpoint(dir);
      expect(loaded.meta.epoch).toBe(committed ? 2 : 1);
      expect(sameParams(loaded.params, paramsOf(committed ? 2 : 1))).toBe(true);
      saveCheckpoint(dir, metaOf(3), paramsOf(3));
      expect(loadCheckpoint(dir).meta.epoch).toBe(3);
      expect(litter(dir)).toEqual([]);
    },
  );

  it('during the first save: the folder holds no checkpoint until the commit, and the next save cleans it', () => {
    for (const step of SAVE_STEPS) {
      const dir = place();
      saveAndDie(dir, 1, step);
      if (SAVE_STEPS.indexOf(step) >= SAVE_STEPS.indexOf('commit')) {
        expect(loadCheckpoint(dir).meta.epoch).toBe(1);
      } else {
        expect(() => loadCheckpoint(dir)).toThrow(CheckpointError);
        checkOutDir(dir); // leftovers only: a new run may use the folder
      }
      saveCheckpoint(dir, metaOf(2), paramsOf(2));
      expect(loadCheckpoint(dir).meta.epoch).toBe(2);
      expect(litter(dir)).toEqual([]);
    }
  });

  it('moves committed parameters into place before writing new ones', () => {
    const dir = place();
    saveCheckpoint(dir, metaOf(1), paramsOf(1));
    saveAndDie(dir, 2, 'commit');
    expect(existsSync(join(dir, 'params.next.safetensors'))).toBe(true);
    // The next save starts by finishing the killed one; if it then died before its own commit, epoch 2 is there.
    saveAndDie(dir, 3, 'files');
    const loaded = loadCheckpoint(dir);
    expect(loaded.meta.epoch).toBe(2);
    expect(sameParams(loaded.params, paramsOf(2))).toBe(true);
  });
});

describe('checkOutDir: where a new run may save', () => {
  it('takes a new or empty folder, and the checkpoint being resumed', () => {
    const dir = place();
    checkOutDir(dir);
    checkOutDir(join(dir, 'deeper', 'still'));
    expect(existsSync(dir)).toBe(false); // it checks, it does not create
    mkdirSync(dir);
    checkOutDir(dir);
    expect(readdirSync(dir)).toEqual([]); // the write check leaves nothing
    saveCheckpoint(dir, metaOf(1), paramsOf(1));
    checkOutDir(dir, { resuming: dir });
  });

  it('refuses a file, a folder with other files and another checkpoint', () => {
    const dir = place();
    saveCheckpoint(dir, metaOf(1), paramsOf(1));
    const holds = caught(() => checkOutDir(dir));
    expect(holds).toBeInstanceOf(CheckpointDirError);
    expect(holds).toMatchObject({ code: 'HOLDS_CHECKPOINT', message: `${dir} already holds a checkpoint` });
    const other = place();
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    expect(caught(() => checkOutDir(other))).toMatchObject({ code: 'NOT_EMPTY' });
    expect(caught(() => checkOutDir(join(other, 'notes.txt')))).toMatchObject({ code: 'NOT_A_FOLDER' });
    expect(caught(() => checkOutDir(join(other, 'notes.txt', 'below')))).toMatchObject({ code: 'NOT_A_FOLDER' });
  });

  it('refuses a file system without the space a save needs', () => {
    const err = caught(() => checkOutDir(place(), { bytesNeeded: Number.MAX_SAFE_INTEGER }));
    expect(err).toBeInstanceOf(CheckpointWriteError);
    expect(err).toMatchObject({ code: 'NO_SPACE' });
    expect(err.message).toMatch(
      /^cannot write checkpoints to .*: only .* free on its file system, and a checkpoint save needs /,
    );
  });
});

const noMount = mountUnsupported();
if (noMount !== undefined) {
  describe('checkpoint folders on full and read-only disks', () => {
    it.skip(`[skipped ${MOUNT_SKIP_ID}: ${noMount}]`, () => {});
  });
} else {
  describe('checkpoint folders on full and read-only disks', () => {
    // 28 tokens, 200 hidden units: 47,228 float32 parameters, 189 KB. A 600 KB tmpfs holds one checkpoint and
    // the new parameters of the next save, but not a third copy.
    const V = 28;
    const H = 200;
    const vocab = ['<unk>', ...'abcdefghijklmnopqrstuvwxyz ']; // 28 tokens
    const big = (seed: number) => paramsOf(seed, H, V);

    it('a save that runs out of space removes what it wrote and keeps the previous checkpoint', () => {
      const disk = mountTmpfs('size=600k');
      try {
        const dir = join(disk.dir, 'run');
        saveCheckpoint(dir, metaOf(1, H, vocab), big(1), { files: { 'perplexity.svg': '<svg/>' } });
        const before = Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
        // Fill the disk so that the next parameters file does not fit.
        writeFileSync(join(disk.dir, 'filler'), Buffer.alloc(260_000));
        const err = caught(() =>
          saveCheckpoint(dir, metaOf(2, H, vocab), big(2), { files: { 'perplexity.svg': '<svg/>' } }),
        );
        expect(err).toBeInstanceOf(CheckpointWriteError);
        expect(err).toMatchObject({ code: 'NO_SPACE', previousEpoch: 1 });
        expect(err.message).toBe(
          `cannot save the checkpoint to ${dir}: no space left on its file system (ENOSPC); the previous checkpoint (epoch 1) is intact`,
        );
        const after = Object.fromEntries(readdirSync(dir).map((n) => [n, readFileSync(join(dir, n))]));
        expect(after).toEqual(before);
        expect(loadCheckpoint(dir).meta.epoch).toBe(1);
        // Room again: the next save works.
        rmSync(join(disk.dir, 'filler'));
        saveCheckpoint(dir, metaOf(3, H, vocab), big(3));
        expect(loadCheckpoint(dir).meta.epoch).toBe(3);
      } finally {
        disk.dispose();
      }
    });

    it('a first save that does not fit leaves nothing behind, not even the folder', () => {
      const disk = mountTmpfs('size=100k');
      try {
        const dir = join(disk.dir, 'a', 'run');
        const err = caught(() => saveCheckpoint(dir, metaOf(1, H, vocab), big(1)));
        expect(err).toMatchObject({ code: 'NO_SPACE', name: 'CheckpointWriteError' });
        expect(err.message).toMatch(/; nothing was saved$/);
        expect(readdirSync(disk.dir)).toEqual([]);
        // checkOutDir sees it coming.
        const check = caught(() => checkOutDir(dir, { bytesNeeded: encodeCheckpointParams(big(1)).length }));
        expect(check).toMatchObject({ code: 'NO_SPACE' });
      } finally {
        disk.dispose();
      }
    });

    it('a read-only file system: checkOutDir and the save both say so, and nothing changes', () => {
      const disk = mountTmpfs('ro,size=64k');
      try {
        const dir = join(disk.dir, 'run');
        const check = caught(() => checkOutDir(dir));
        expect(check).toMatchObject({ code: 'READ_ONLY', reason: 'its file system is read-only (EROFS)' });
        expect(check.message).toBe(`cannot write checkpoints to ${dir}: its file system is read-only (EROFS)`);
        const save = caught(() => saveCheckpoint(dir, metaOf(1), paramsOf(1)));
        expect(save).toMatchObject({ code: 'READ_ONLY' });
        expect(readdirSync(disk.dir)).toEqual([]);
        expect(statSync(disk.dir).isDirectory()).toBe(true);
      } finally {
        disk.dispose();
      }
    });
  });
}

describe('a checkpoint made without a file system (a browser download)', () => {
  it('encodeCheckpointFiles gives the two files; a folder holding them loads, with the params bytes saveCheckpoint writes', () => {
    const [meta, params] = [metaOf(4), paramsOf(5)];
    const files = encodeCheckpointFiles(meta, params);
    const dir = place();
    mkdirSync(dir);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const loaded = loadCheckpoint(dir);
    expect(loaded.meta).toEqual(meta);
    for (const name of PARAM_NAMES) expect(Array.from(loaded.params[name].data)).toEqual(Array.from(params[name].data));
    const saved = place();
    saveCheckpoint(saved, meta, params);
    expect(readFileSync(join(saved, 'params.safetensors'))).toEqual(Buffer.from(files['params.safetensors']));
  });
});
