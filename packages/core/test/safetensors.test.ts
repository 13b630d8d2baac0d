import { describe, expect, it } from 'vitest';
import { Random, SafetensorsError, decodeSafetensors, encodeSafetensors, tensor } from '../src/index.js';

describe('safetensors', () => {
  const tensors = {
    W: tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6.5]),
    b: tensor('float64', [3], [0.1, -0.2, 1e-300]),
    ids: tensor('int32', [2], [7, -1]),
  };

  it('round-trips tensors and metadata with an 8-byte aligned body', () => {
    const bytes = encodeSafetensors(tensors, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.W).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.tensors[k].dtype).toBe(t.dtype);
      expect(back.tensors[k].shape).toEqual(t.shape);
      expect([...back.tensors[k].data]).toEqual([...t.data]);
    }
  });

  it('rejects truncated and corrupt files with a clear message', () => {
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    expect(() => decodeSafetensors(bytes.subarray(0, 5))).toThrow(SafetensorsError);
    const bad = bytes.slice();
    bad[9] = 0x7b; // '{' inside the JSON
    bad[10] = 0x7b;
    expect(() => decodeSafetensors(bad)).toThrow(/corrupt/);
  });
});

/** A safetensors file from a header object and a body, padded (or not) like the writer does. */
function fileOf(header: unknown, body: Uint8Array, { pad = true } = {}): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  if (pad) {
    const padded = new Uint8Array(json.length + ((8 - ((8 + json.length) % 8)) % 8)).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

const body8 = new Uint8Array(new Float32Array([1, 2]).buffer); // two float32: 8 bytes
const tensorA = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
const tensorB = { dtype: 'F32', shape: [1], data_offsets: [4, 8] };

describe('safetensors: what the reference implementation requires', () => {
  it('pads the header by its UTF-8 length, so non-ASCII metadata keeps the data 8-byte aligned', () => {
    for (const note of ['時間', 'é', '🙂', 'ascii', '時']) {
      const bytes = encodeSafetensors({ x: tensor('float32', [3], [1, 2, 3]) }, { note });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect((8 + n) % 8, note).toBe(0);
      expect(bytes.length).toBe(8 + n + 12);
      const back = decodeSafetensors(bytes);
      expect(back.metadata).toEqual({ note });
      expect([...back.tensors.x.data]).toEqual([1, 2, 3]);
    }
  });

  it('reads tensors in any header order and zero-sized ones', () => {
    const back = decodeSafetensors(
      fileOf({ b: tensorB, e: { dtype: 'F32', shape: [0, 5], data_offsets: [8, 8] }, a: tensorA }, body8),
    );
    expect([...back.tensors.a.data, ...back.tensors.b.data]).toEqual([1, 2]);
    expect(back.tensors.e.shape).toEqual([0, 5]);
  });

  it.each([
    [
      'overlapping offsets',
      { a: { ...tensorA, data_offsets: [0, 4] }, b: { ...tensorB, data_offsets: [2, 6] } },
      /overlaps/,
    ],
    ['a gap between tensors', { a: tensorA, b: { ...tensorB, data_offsets: [6, 10] } }, /leaves a gap/],
    ['data that does not start at 0', { b: tensorB }, /leaves a gap after byte 0/],
    ['an end before the begin', { a: { ...tensorA, data_offsets: [4, 0] } }, /end before they begin/],
    [
      'offsets past the end of the file',
      { a: tensorA, b: { ...tensorB, data_offsets: [4, 12], shape: [2] } },
      /needs 12 bytes but the file has 8/,
    ],
    ['bytes after the last tensor', { a: tensorA }, /4 bytes after the last tensor/],
    ['a shape that does not fit its bytes', { a: { ...tensorA, shape: [2] }, b: tensorB }, /does not fit its 4 bytes/],
    ['a huge shape', { a: { ...tensorA, shape: [2 ** 40, 2 ** 40, 2 ** 40] }, b: tensorB }, /does not fit/],
    ['a negative dimension', { a: { ...tensorA, shape: [-1] }, b: tensorB }, /not a list of whole numbers/],
    ['fractional offsets', { a: { ...tensorA, data_offsets: [0, 4.5] }, b: tensorB }, /not two whole numbers/],
    ['a missing dtype', { a: { shape: [1], data_offsets: [0, 4] }, b: tensorB }, /has no dtype/],
    ['an unknown dtype', { a: { ...tensorA, dtype: 'constructor' }, b: tensorB }, /unsupported dtype constructor/],
    ['a tensor that is not an object', { a: [1], b: tensorB }, /not described by an object/],
    ['metadata that is not strings', { __metadata__: { n: 1 }, a: tensorA, b: tensorB }, /__metadata__/],
  ])('rejects %s', (_, header, message) => {
    expect(() => decodeSafetensors(fileOf(header, body8))).toThrow(message);
  });

  it('rejects headers that are not a JSON object, or not UTF-8', () => {
    const raw = (text: Uint8Array) => {
      const out = new Uint8Array(8 + text.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      return out;
    };
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => decodeSafetensors(raw(enc('[]      ')))).toThrow(/does not start with "{"/);
    expect(() => decodeSafetensors(raw(enc('null    ')))).toThrow(/does not start with "{"/);
    expect(() => decodeSafetensors(raw(enc('{"a":1  ')))).toThrow(/not valid JSON/);
    expect(() => decodeSafetensors(raw(new Uint8Array([0x7b, 0xff, 0x7d, 32, 32, 32, 32, 32])))).toThrow(
      /not valid UTF-8/,
    );
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/truncated/);
  });

  it('fuzz: 3,000 truncated, bit-flipped and edited files either decode consistently or throw a SafetensorsError', () => {
    const rng = new Random(2024);
    const good = encodeSafetensors(
      {
        W: tensor(
          'float32',
          [3, 4],
          Array.from({ length: 12 }, (_, i) => i / 3),
        ),
        b: tensor('float64', [4], [1, 2, 3, 4]),
        i: tensor('int32', [2], [5, 6]),
      },
      { format: 'pt', note: '時間' },
    );
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
    const values: unknown[] = [-1, 0, 1, 3, 4, 7, 8, 1e20, 0.5, '4', null, [], {}, [0, 4], 'F16', 'BF16', 'I64', 'F32'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.random() * xs.length)];
    const counts = { accepted: 0, rejected: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      let bytes: Uint8Array;
      const kind = trial % 3;
      if (kind === 0) {
        bytes = good.subarray(0, Math.floor(rng.random() * good.length));
      } else if (kind === 1) {
        bytes = good.slice();
        for (let k = 1 + Math.floor(rng.random() * 3); k > 0; k--) {
          const at = Math.floor(rng.random() * bytes.length);
          bytes[at] ^= 1 << Math.floor(rng.random() * 8);
        }
      } else {
        const h = structuredClone(header);
        const name = pick(Object.keys(h));
        const field = pick(['dtype', 'shape', 'data_offsets', 'whole', 'delete', 'length']);
        if (field === 'whole') h[name] = pick(values);
        else if (field === 'delete') delete h[name];
        else if (field === 'length' || name === '__metadata__')
          h[`x${trial}`] = { dtype: 'F32', shape: [1], data_offsets: [0, 4] };
        else if (field === 'shape') h[name].shape = pick([[pick(values)], [3, pick(values)], pick(values)]);
        else if (field === 'data_offsets')
          h[name].data_offsets = pick([
            [pick(values), h[name].data_offsets[1]],
            [h[name].data_offsets[0], pick(values)],
            pick(values),
          ]);
        else h[name].dtype = pick(values);
        bytes = fileOf(h, good.subarray(8 + n), { pad: rng.random() < 0.8 });
      }
      let result: ReturnType<typeof decodeSafetensors>;
      try {
        result = decodeSafetensors(bytes);
      } catch (err) {
        expect(err, `trial ${trial}`).toBeInstanceOf(SafetensorsError);
        expect((err as Error).message, `trial ${trial}`).not.toMatch(/\n/);
        counts.rejected++;
        continue;
      }
      counts.accepted++;
      for (const t of Object.values(result.tensors)) {
        expect(t.data.length, `trial ${trial}`).toBe(t.shape.reduce((a, d) => a * d, 1));
      }
    }
    // Bit flips in the data give valid files; everything else is mostly rejected.
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(1500);
  });
});
