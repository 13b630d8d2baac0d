// A minimal protobuf reader for the tests (field number -> list of values), independent of the writer.

export type Value = bigint | Uint8Array | number;

export function decode(bytes: Uint8Array): Map<number, Value[]> {
  const out = new Map<number, Value[]>();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (pos < bytes.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    let value: Value;
    switch (tag & 7) {
      case 0:
        value = varint();
        break;
      case 1:
        value = dv.getFloat64(pos, true);
        pos += 8;
        break;
      case 2: {
        const n = Number(varint());
        value = bytes.subarray(pos, pos + n);
        pos += n;
        break;
      }
      case 5:
        value = dv.getFloat32(pos, true);
        pos += 4;
        break;
      default:
        throw new Error(`bad wire type in tag ${tag}`);
    }
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(value);
  }
  return out;
}

export function text(v: Value): string {
  return new TextDecoder().decode(v as Uint8Array);
}

/** The numbers of a packed repeated varint field. */
export function packedVarints(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let v = 0n;
  let shift = 0n;
  for (const b of bytes) {
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (b < 0x80) {
      out.push(v);
      v = 0n;
      shift = 0n;
    }
  }
  return out;
}
