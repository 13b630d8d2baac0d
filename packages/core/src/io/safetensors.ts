// The safetensors format (readable by PyTorch, NumPy, JAX... via the `safetensors` library):
//   8 bytes: little-endian u64 N = header length in bytes
//   N bytes: UTF-8 JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
//            padded with spaces so that the data starts 8-byte aligned
//   the rest: raw little-endian tensor bytes, at the offsets named in the header (relative to the data start).
// Pure bytes in and out, so it works in Node and in a browser.
//
// The reader checks what the reference implementation (the Rust `safetensors` crate) checks, so a file it
// accepts is one Python accepts too: a header that is a JSON object starting with '{', every tensor with a
// known dtype, a shape of whole numbers and offsets whose length matches the shape, and tensors that, sorted
// by offset, tile the data exactly: no overlap, no gap, nothing before the first or after the last.

import { type DType, type HostTensor, allocate } from '../ir/dtype.js';

const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const FROM_ST: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32' };
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };
/** The largest header the reference implementation reads (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export function encodeSafetensors(
  tensors: Readonly<Record<string, HostTensor>>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const bytes = t.data.byteLength;
    header[name] = { dtype: TO_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference implementation does).
  // The length is in UTF-8 bytes: metadata such as {"note": "時間"} has fewer characters than bytes.
  const headerLength = json.length + ((8 - ((8 + json.length) % 8)) % 8);
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new SafetensorsError(`file is too short (${bytes.length} bytes) to be safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      `header says ${n} bytes but the file has ${bytes.length - 8} after the length: truncated?`,
    );
  }
  if (n > BigInt(MAX_HEADER_BYTES))
    throw new SafetensorsError(`header of ${n} bytes is too large: the file is corrupt`);
  const headerEnd = 8 + Number(n);
  const header = parseHeader(bytes.subarray(8, headerEnd));
  const body = bytes.subarray(headerEnd);

  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = checkMetadata(info);
      continue;
    }
    entries.push(checkEntry(name, info));
  }

  // Sorted by offset, the tensors must tile the data exactly, as the reference implementation requires.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      const what = e.begin < at ? 'overlaps the tensor before it' : `leaves a gap after byte ${at}`;
      throw new SafetensorsError(`tensor "${e.name}" at bytes ${e.begin}..${e.end} ${what}: the file is corrupt`);
    }
    at = e.end;
  }
  if (at !== body.length) {
    throw new SafetensorsError(
      at > body.length
        ? `tensor data needs ${at} bytes but the file has ${body.length}: truncated or corrupt`
        : `the file has ${body.length - at} bytes after the last tensor: corrupt`,
    );
  }

  const tensors: Record<string, HostTensor> = {};
  for (const e of entries) {
    const data = allocate(e.dtype, (e.end - e.begin) / BYTES[e.dtype]);
    new Uint8Array(data.buffer).set(body.subarray(e.begin, e.end));
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

function parseHeader(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SafetensorsError('header is not valid UTF-8: the file is corrupt');
  }
  if (!text.startsWith('{')) throw new SafetensorsError('header does not start with "{": the file is corrupt');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    throw new SafetensorsError('header is not valid JSON: the file is corrupt');
  }
  if (!isObject(header)) throw new SafetensorsError('header is not a JSON object: the file is corrupt');
  return header;
}

function checkMetadata(info: unknown): Record<string, string> {
  if (!isObject(info) || !Object.values(info).every((v) => typeof v === 'string')) {
    throw new SafetensorsError('"__metadata__" must map names to strings: the file is corrupt');
  }
  return { ...(info as Record<string, string>) };
}

function checkEntry(name: string, info: unknown): Entry {
  const bad = (what: string): never => {
    throw new SafetensorsError(`tensor "${name}" ${what}: the file is corrupt`);
  };
  if (!isObject(info)) return bad('is not described by an object');
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') return bad('has no dtype');
  const ours = FROM_ST[dtype];
  if (!Object.hasOwn(FROM_ST, dtype) || ours === undefined) {
    throw new SafetensorsError(`tensor "${name}" has unsupported dtype ${dtype}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) return bad('has a shape that is not a list of whole numbers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return bad('has data_offsets that are not two whole numbers');
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) return bad(`has data_offsets ${begin}..${end} that end before they begin`);
  // Compare byte counts without ever forming a product larger than the file: a huge shape is corrupt, not a crash.
  let elements = (shape as number[]).includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (elements * BYTES[ours] > end - begin) break;
    elements *= d;
  }
  if (elements * BYTES[ours] !== end - begin) {
    return bad(`has shape [${(shape as number[]).join(', ')}] (${dtype}) that does not fit its ${end - begin} bytes`);
  }
  return { name, dtype: ours, shape: [...(shape as number[])], begin, end };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
