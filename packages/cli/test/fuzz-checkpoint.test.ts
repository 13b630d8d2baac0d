// Fuzzing the checkpoint loader: 1,200 damaged checkpoint folders (random truncations, bit flips, edits of
// the safetensors header and of checkpoint.json, missing files), each loaded by `rnn-scratch predict`. Every
// one must end in exit code 4 with exactly one line on stderr: never exit 1 (a bug), a stack trace, a crash
// or a hang. The CLI runs in-process (`main()`, the same code path as the binary, minus starting Node), so
// the 1,200 runs take seconds; a few also run the real binary.
//
// Checkpoints written by rnn-scratch carry checksums (checkpoint.json: `paramsSha256` and `checksum`), so ANY
// change is caught (900 runs). Checkpoints without them (the first release, or written by another tool) still
// get a parser that rejects every malformed params.safetensors (300 runs); there, a bit flip inside the
// tensor data or an edit of the header's metadata leaves a valid file that loads: such a run may exit 0
// (and the file must then be valid), but nothing else.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { decodeSafetensors, Random } from '@rnn-scratch/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { main } from '../src/main.js';
import { checkBuilt, cli, tempDir, TINY } from './helpers.js';

const dir = tempDir('rnn-scratch-fuzz-');
const good = join(dir, 'good');
// Plain Uint8Arrays (a Buffer's slice() would share the bytes that the bit flips change).
let meta: Uint8Array;
let params: Uint8Array;
beforeAll(() => {
  checkBuilt();
  const r = cli(dir, ['train', ...TINY, '--epochs', '1', '--out', 'good', '--json']);
  if (r.code !== 0) throw new Error(`training the fuzz checkpoint failed: ${r.stderr}`);
  meta = new Uint8Array(readFileSync(join(good, 'checkpoint.json')));
  params = new Uint8Array(readFileSync(join(good, 'params.safetensors')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type File = 'checkpoint.json' | 'params.safetensors';
type Mutation = { file: File; kind: string; bytes?: Uint8Array; remove?: boolean };

/** One damaged copy of `file`, drawn from `rng` (drawn again when an edit happens to change nothing). */
function mutate(rng: Random, file: File, original: Uint8Array, kind: string): Mutation {
  for (;;) {
    const m = draw(rng, file, original, kind);
    if (!m.bytes || !sameBytes(m.bytes, original)) return m;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function draw(rng: Random, file: File, original: Uint8Array, kind: string): Mutation {
  const at = (n: number) => Math.floor(rng.random() * n);
  switch (kind) {
    case 'truncate':
      return { file, kind, bytes: original.subarray(0, at(original.length)) };
    case 'flip': {
      const bytes = original.slice();
      for (let k = 1 + at(3); k > 0; k--) bytes[at(bytes.length)] ^= 1 << at(8);
      return { file, kind, bytes };
    }
    case 'remove':
      return { file, kind, remove: true };
    default:
      return { file, kind, bytes: file === 'params.safetensors' ? editHeader(rng, original) : editJson(rng, original) };
  }
}

const ODD_VALUES: unknown[] = [-1, 0, 1, 2, 3.5, 1e300, '1', '', null, true, [], {}, [0], [1, 2], 'F16', 'I64', '時間'];

/** The safetensors file with its 8-byte length or one field of its JSON header changed. */
function editHeader(rng: Random, original: Uint8Array): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.random() * xs.length)];
  const view = new DataView(original.buffer, original.byteOffset, original.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (rng.random() < 0.2) {
    const bytes = original.slice();
    const lengths = [
      0n,
      1n,
      BigInt(n - 1),
      BigInt(n + 1),
      BigInt(n + 8),
      BigInt(original.length),
      2n ** 63n,
      2n ** 64n - 1n,
    ];
    new DataView(bytes.buffer).setBigUint64(0, pick(lengths), true);
    return bytes;
  }
  const header = JSON.parse(new TextDecoder().decode(original.subarray(8, 8 + n)));
  const name = pick(Object.keys(header));
  const edit = pick(['dtype', 'shape', 'offsets', 'swap', 'entry', 'delete', 'add', 'rename']);
  const entry = header[name];
  if (name === '__metadata__' || edit === 'entry') header[name] = pick(ODD_VALUES);
  else if (edit === 'dtype') entry.dtype = pick(['F16', 'F64', 'I32', 'BF16', 'U8', 'f32', '', 7]);
  else if (edit === 'shape')
    entry.shape = pick([[...entry.shape].reverse(), [entry.shape[0]], [...entry.shape, 1], [pick(ODD_VALUES)], 'x']);
  else if (edit === 'offsets')
    entry.data_offsets = [entry.data_offsets[0] + pick([-4, -1, 1, 4]), entry.data_offsets[1]];
  else if (edit === 'swap') entry.data_offsets = [entry.data_offsets[1], entry.data_offsets[0]];
  else if (edit === 'delete') delete header[name];
  else if (edit === 'add') header.extra = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
  else header[`${name}_`] = header[name];
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(json.length + ((8 - ((8 + json.length) % 8)) % 8)).fill(0x20);
  padded.set(json);
  json = padded;
  const body = original.subarray(8 + n);
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

/** checkpoint.json with one field (top level or nested) replaced, removed or added. */
function editJson(rng: Random, original: Uint8Array): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.random() * xs.length)];
  const raw = JSON.parse(new TextDecoder().decode(original));
  const paths: string[][] = [];
  const walk = (o: Record<string, unknown>, path: string[]) => {
    for (const [k, v] of Object.entries(o)) {
      paths.push([...path, k]);
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, [...path, k]);
    }
  };
  walk(raw, []);
  const path = pick(paths);
  const parent = path.slice(0, -1).reduce((o, k) => o[k], raw);
  const key = path.at(-1)!;
  const what = rng.random();
  if (what < 0.6) parent[key] = pick(ODD_VALUES);
  else if (what < 0.8) delete parent[key];
  else if (typeof parent[key] === 'number') parent[key] = parent[key] + 1;
  else parent[`${key}2`] = pick(ODD_VALUES);
  return new TextEncoder().encode(JSON.stringify(raw, null, 2));
}

/** Write the good checkpoint with `mutation` applied (and without the checksums when `unsealed`). */
function folderWith(path: string, mutation: Mutation, unsealed: boolean): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path);
  let json: Uint8Array = meta;
  if (unsealed) {
    const { paramsSha256: _p, checksum: _c, ...rest } = JSON.parse(new TextDecoder().decode(meta));
    json = new TextEncoder().encode(JSON.stringify(rest, null, 2));
  }
  const files: Record<File, Uint8Array> = { 'checkpoint.json': json, 'params.safetensors': params };
  if (mutation.bytes) files[mutation.file] = mutation.bytes;
  for (const [name, bytes] of Object.entries(files)) {
    if (!(mutation.remove && name === mutation.file)) writeFileSync(join(path, name), bytes);
  }
}

/** Does `bytes` hold the five float32 parameters with the good file's shapes? */
function isValidParams(bytes: Uint8Array | undefined): boolean {
  if (!bytes) return false;
  const want = decodeSafetensors(params).tensors;
  try {
    const got = decodeSafetensors(bytes).tensors;
    return (
      Object.keys(got).sort().join() === Object.keys(want).sort().join() &&
      Object.entries(want).every(([k, t]) => got[k].dtype === 'float32' && got[k].shape.join() === t.shape.join())
    );
  } catch {
    return false;
  }
}

async function predictIn(path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['predict', '--checkpoint', path, '--num-preds', '2'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const KINDS = ['truncate', 'flip', 'edit', 'truncate', 'flip', 'edit', 'remove'];

describe('the checkpoint loader, fuzzed', () => {
  it('1,200 damaged checkpoints: each one exit 4 with one line (exit 0 only for undetectable damage without checksums)', async () => {
    const rng = new Random(8);
    const target = join(dir, 'fuzz');
    const tally: Record<string, number> = {};
    for (let trial = 0; trial < 1200; trial++) {
      // 900 checkpoints as rnn-scratch writes them (with checksums), 300 without.
      const unsealed = trial >= 900;
      const file: File = !unsealed && trial % 3 === 0 ? 'checkpoint.json' : 'params.safetensors';
      const original = file === 'params.safetensors' ? params : meta;
      const mutation = mutate(rng, file, original, KINDS[trial % KINDS.length]);
      folderWith(target, mutation, unsealed);
      const started = performance.now();
      const r = await predictIn(target);
      const label = `trial ${trial} (${mutation.kind} ${file}${unsealed ? ', no checksums' : ''}): ${r.stderr}`;
      expect(performance.now() - started, label).toBeLessThan(5000);
      // Without checksums, damage that leaves a valid file (a flipped bit inside the tensor data, an edit of the
      // header's metadata) cannot be told from real data: the run may exit 0, if the file is indeed valid.
      const undetectable = unsealed && r.code === 0 && isValidParams(mutation.bytes);
      if (!undetectable) {
        expect(r.code, label).toBe(4);
        expect(r.stdout, label).toBe('');
        expect(r.stderr, label).toMatch(/^rnn-scratch: [^\n]+\n$/);
        expect(r.stderr, label).not.toMatch(/unexpected error|looks like a bug/);
      }
      const key = `${r.code}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally['4'], JSON.stringify(tally)).toBeGreaterThan(1100);
    expect(
      Object.keys(tally).every((c) => c === '0' || c === '4'),
      JSON.stringify(tally),
    ).toBe(true);
  });

  it('the real binary agrees on a few of them', () => {
    const rng = new Random(9);
    for (const [file, kind] of [
      ['params.safetensors', 'truncate'],
      ['params.safetensors', 'edit'],
      ['params.safetensors', 'flip'],
      ['checkpoint.json', 'flip'],
      ['checkpoint.json', 'edit'],
    ] as const) {
      const path = join(dir, `bin-${file}-${kind}`);
      folderWith(path, mutate(rng, file, file === 'params.safetensors' ? params : meta, kind), false);
      const r = cli(dir, ['predict', '--checkpoint', path, '--num-preds', '2']);
      expect(r.code, `${kind} ${file}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/^rnn-scratch: [^\n]+\n$/);
    }
  });
});
