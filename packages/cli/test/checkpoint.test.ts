// Unit tests: checkpoint bytes and JSON (core), the CLI's wording of the folder checks, and the perplexity plots.
// The folder protocol itself (kills at every step, full and read-only disks) is core's checkpoint-folder test.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  decodeCheckpointMeta,
  decodeCheckpointParams,
  decodeSafetensors,
  encodeCheckpointMeta,
  encodeCheckpointParams,
  getParams,
  PARAM_NAMES,
  Random,
  type CheckpointMeta,
} from '@rnn-scratch/core';
import { afterAll, describe, expect, it } from 'vitest';

import { checkOutDir, loadCheckpoint, saveCheckpoint } from '../src/checkpoint.js';
import { CliError, EXIT_DATA } from '../src/errors.js';
import { niceTicks, perplexitySvg, sparkline } from '../src/plot.js';
import { tempDir } from './helpers.js';

const dir = tempDir('rnn-scratch-ckpt-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VOCAB = ['<unk>', ' ', 'e', 't', 'a'];
const params = getParams(VOCAB.length, 3, new Random(1));

function metaOf(epoch: number): CheckpointMeta {
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
      numHiddens: 3,
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
    vocab: { idxToToken: VOCAB },
    dataRngState: new Random(3).getState(),
    history: Array.from({ length: epoch }, (_, i) => ({ epoch: i + 1, perplexity: 10 - i })),
    status: 'running',
  };
}

describe('core checkpoint encoding', () => {
  it('round-trips the metadata and the float32 parameters', () => {
    const meta = metaOf(2);
    expect(decodeCheckpointMeta(encodeCheckpointMeta(meta))).toEqual(meta);
    const bytes = encodeCheckpointParams(params, { epoch: '2' });
    const back = decodeCheckpointParams(bytes, { vocabSize: 5, numHiddens: 3 });
    for (const name of PARAM_NAMES) {
      expect(back[name].shape).toEqual(params[name].shape);
      expect(Array.from(back[name].data)).toEqual(Array.from(params[name].data));
    }
    // Plain safetensors: the five names in the book's order, F32, with the metadata.
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q']);
    expect(metadata).toMatchObject({ format: 'pt', epoch: '2' });
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
  });

  it('rejects bad JSON, other formats and versions, and bad fields with a CheckpointError', () => {
    const good = JSON.parse(encodeCheckpointMeta(metaOf(1)));
    const fails = (text: string, code: string, message: RegExp) => {
      let caught: unknown;
      try {
        decodeCheckpointMeta(text, 'x/checkpoint.json');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CheckpointError);
      expect((caught as CheckpointError).code).toBe(code);
      expect((caught as Error).message).toMatch(message);
    };
    fails('', 'CORRUPT', /^x\/checkpoint\.json is empty$/);
    fails('{"format": "rnn', 'CORRUPT', /is not valid JSON/);
    fails('[1]', 'CORRUPT', /is not a JSON object/);
    fails('{}', 'VERSION', /is not an rnn-scratch checkpoint/);
    fails(
      JSON.stringify({ ...good, version: 99 }),
      'VERSION',
      /format version 99; this rnn-scratch reads version 1 \(it was written by a newer/,
    );
    fails(JSON.stringify({ ...good, version: '1' }), 'VERSION', /format version "1"/);
    fails(JSON.stringify({ ...good, epoch: -1 }), 'INVALID', /"epoch" must be a whole number >= 0/);
    fails(
      JSON.stringify({ ...good, hyperparameters: { ...good.hyperparameters, sampler: 'shuffled' } }),
      'INVALID',
      /hyperparameters\.sampler/,
    );
    fails(JSON.stringify({ ...good, vocab: { idxToToken: ['a', 'b'] } }), 'INVALID', /starts with '<unk>'/);
    fails(JSON.stringify({ ...good, dataRngState: [0, 0, 0, 0] }), 'INVALID', /dataRngState/);
    fails(JSON.stringify({ ...good, history: [{ epoch: 1, perplexity: null }] }), 'INVALID', /"history"/);
  });

  it('rejects parameters with missing tensors, other dtypes or shapes', () => {
    expect(() => decodeCheckpointParams(new Uint8Array(4), { vocabSize: 5, numHiddens: 3 })).toThrow(/too short/);
    const bytes = encodeCheckpointParams(params);
    expect(() => decodeCheckpointParams(bytes.subarray(0, bytes.length - 4), { vocabSize: 5, numHiddens: 3 })).toThrow(
      /truncated/,
    );
    expect(() => decodeCheckpointParams(bytes, { vocabSize: 5, numHiddens: 4 })).toThrow(
      /"W_xh" has shape \[5, 3\] but .* need \[5, 4\]/,
    );
  });
});

describe('checkpoint folders as the command line sees them', () => {
  it('saves and loads through core/node, leaving the checkpoint at rest and nothing beside it', () => {
    const target = join(dir, 'run');
    saveCheckpoint(target, metaOf(1), params, { 'perplexity.svg': '<svg/>' });
    saveCheckpoint(target, metaOf(2), params, { 'perplexity.svg': '<svg/>' });
    const loaded = loadCheckpoint(target);
    expect(loaded.meta.epoch).toBe(2);
    expect(Array.from(loaded.params.W_hh.data)).toEqual(Array.from(params.W_hh.data));
    expect(readdirSync(target).sort()).toEqual(['checkpoint.json', 'params.safetensors', 'perplexity.svg']);
    expect(readdirSync(dir).filter((n) => n.startsWith('run.'))).toEqual([]);
  });

  it('words the --out checks for the flags: usage errors, and exit code 3 for a folder it cannot write', () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    checkOutDir(other); // empty: fine
    writeFileSync(join(other, 'notes.txt'), 'mine');
    expect(() => checkOutDir(other)).toThrow(/^--out .*other is a folder that holds other files; give a new or empty/);
    expect(() => checkOutDir(join(other, 'notes.txt'))).toThrow(
      /^--out .*notes\.txt: .*notes\.txt is a file; give a folder/,
    );
    const run = join(dir, 'run');
    expect(() => checkOutDir(run)).toThrow(/already holds a checkpoint; continue it with --resume/);
    checkOutDir(run, run); // resuming in place: fine
    checkOutDir(join(dir, 'new', 'deeper')); // does not exist yet: fine
    let err: unknown;
    try {
      checkOutDir(join(dir, 'new'), undefined, Number.MAX_SAFE_INTEGER);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(EXIT_DATA);
    expect((err as CliError).message).toMatch(
      /^--out .*new cannot take checkpoints: only .* free on its file system, and a checkpoint save needs .*; give another --out$/,
    );
  });
});

describe('perplexity plots', () => {
  it('draws a sparkline from ▁ (lowest) to █ (highest), bucketing long series', () => {
    expect(sparkline([3, 2, 1])).toBe('█▅▁');
    expect(sparkline([1, 1])).toBe('▁▁');
    expect(sparkline([])).toBe('');
    expect(
      sparkline(
        Array.from({ length: 500 }, (_, i) => 500 - i),
        50,
      ),
    ).toHaveLength(50);
  });

  it('writes an SVG with axes, nice ticks and labels', () => {
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    const svg = perplexitySvg(
      Array.from({ length: 50 }, (_, i) => ({ epoch: i + 1, perplexity: 20 / (i + 1) + 1 })),
      { title: 'a <test>' },
    );
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('a &lt;test&gt;');
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>perplexity</text>');
    expect(svg.match(/<polyline points="([^"]+)"/)![1].split(' ')).toHaveLength(50);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(perplexitySvg([{ epoch: 1, perplexity: 5 }])).toContain('<circle');
  });
});
