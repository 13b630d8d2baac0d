// The safetensors format (readable by PyTorch, NumPy, JAX... via the `safetensors` library):
//   8 bytes: little-endian u64 N = header length
//   N bytes: JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}
//   the rest: raw little-endian tensor bytes, at the offsets named in the header.
// Pure bytes in and out, so it works in Node and in a browser.

import { type DType, type HostTensor, allocate, sizeOf } from '../ir/dtype.js';

const TO_ST: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };
const FROM_ST: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32' };

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
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference implementation does).
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new SafetensorsError(`file is too short (${bytes.length} bytes) to be safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8)
    throw new SafetensorsError(
      `header says ${n} bytes but the file has ${bytes.length - 8} after the length: truncated?`,
    );
  let header: Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw new SafetensorsError('header is not valid JSON: the file is corrupt');
  }
  const body = bytes.subarray(8 + n);
  const tensors: Record<string, HostTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const ours = FROM_ST[dtype];
    if (!ours) throw new SafetensorsError(`tensor "${name}" has unsupported dtype ${dtype}`);
    const [a, b] = data_offsets;
    const data = allocate(ours, sizeOf(shape));
    if (b - a !== data.byteLength || b > body.length) {
      throw new SafetensorsError(
        `tensor "${name}" needs bytes ${a}..${b} but the file has ${body.length}: truncated or corrupt`,
      );
    }
    new Uint8Array(data.buffer).set(body.subarray(a, b));
    tensors[name] = { dtype: ours, shape, data };
  }
  return { tensors, metadata };
}
