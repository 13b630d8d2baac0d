// A small, dependency-free protocol buffers WRITER: just enough wire format to emit an ONNX ModelProto.
// Wire types (https://protobuf.dev/programming-guides/encoding/):
//   0 VARINT (int32, int64, uint64, bool, enum), 1 I64 (fixed64, double), 2 LEN (string, bytes,
//   embedded messages, packed repeated fields), 5 I32 (fixed32, float).
// Negative int32/int64 values are written as 10-byte two's-complement varints, as protobuf does
// (ZigZag is only for sint32/sint64, which ONNX does not use).

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();

/** An append-only byte buffer with protobuf field writers. `finish()` returns the bytes written. */
export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  // ---- raw (untagged) values ----

  /** An unsigned or signed integer as a varint. Negative values become 10-byte two's complement. */
  rawVarint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`varint: ${value} is not a safe integer`);
      if (value >= 0 && value < 0x80000000) {
        this.reserve(5);
        let v = value;
        while (v > 0x7f) {
          this.buf[this.pos++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        this.buf[this.pos++] = v;
        return this;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    this.reserve(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
    return this;
  }

  rawBytes(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  private tag(field: number, wire: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`bad field number ${field}`);
    this.rawVarint(field * 8 + wire);
  }

  // ---- tagged fields ----

  /** int32 / int64 / uint64 / enum / bool field. */
  varint(field: number, value: number | bigint | boolean): this {
    this.tag(field, WireType.VARINT);
    return this.rawVarint(typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }

  /** A float field (wire type I32, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    this.tag(field, WireType.I32);
    this.reserve(4);
    this.view.setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  /** A fixed32 field (unsigned, little-endian). */
  fixed32(field: number, value: number): this {
    this.tag(field, WireType.I32);
    this.reserve(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** A double field (wire type I64, little-endian IEEE 754 double). */
  double(field: number, value: number): this {
    this.tag(field, WireType.I64);
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  /** A fixed64 field (unsigned 64-bit, little-endian). */
  fixed64(field: number, value: number | bigint): this {
    this.tag(field, WireType.I64);
    this.reserve(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, BigInt(value)), true);
    this.pos += 8;
    return this;
  }

  /** A length-delimited field of raw bytes. */
  bytes(field: number, bytes: Uint8Array): this {
    this.tag(field, WireType.LEN);
    this.rawVarint(bytes.length);
    return this.rawBytes(bytes);
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message: `write` fills a fresh writer whose bytes become this field's payload. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    write(sub);
    return this.bytes(field, sub.finish());
  }

  /** A packed repeated varint field (int32/int64/enum). Nothing is written for an empty list. */
  packedVarints(field: number, values: ArrayLike<number | bigint>): this {
    if (values.length === 0) return this;
    const sub = new ProtoWriter(values.length * 2);
    for (let i = 0; i < values.length; i++) sub.rawVarint(values[i]);
    return this.bytes(field, sub.finish());
  }

  /** A packed repeated float field. Nothing is written for an empty list. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const raw = new Uint8Array(values.length * 4);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
    return this.bytes(field, raw);
  }

  /** A packed repeated double field. Nothing is written for an empty list. */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const raw = new Uint8Array(values.length * 8);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat64(i * 8, values[i], true);
    return this.bytes(field, raw);
  }

  /** The bytes written so far (a copy trimmed to length). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Little-endian bytes of a typed array, as ONNX `raw_data` wants them (a view when the host is little-endian). */
export function littleEndianBytes(
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array,
): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (data instanceof Float32Array) dv.setFloat32(i * size, v as number, true);
    else if (data instanceof Float64Array) dv.setFloat64(i * size, v as number, true);
    else if (data instanceof Int32Array) dv.setInt32(i * size, v as number, true);
    else dv.setBigInt64(i * size, v as bigint, true);
  }
  return out;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
