// The protobuf writer against byte sequences from the protobuf encoding guide and by hand, and the
// ModelProto encoder read back with a tiny decoder (proto-reader.ts, independent of the writer).

import { buildGraph } from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { lowerToOnnx } from '../src/lower.js';
import { OnnxDataType, encodeModel, writeAttribute, writeTensor, writeValueInfo } from '../src/onnx-model.js';
import { ProtoWriter } from '../src/protobuf.js';
import { decode, text } from './proto-reader.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytesOf = (f: (w: ProtoWriter) => void) => {
  const w = new ProtoWriter(4);
  f(w);
  return hex(w.finish());
};

describe('ProtoWriter', () => {
  it('varints (protobuf guide examples)', () => {
    expect(bytesOf((w) => w.varint(1, 150))).toBe('089601'); // the guide's "08 96 01"
    expect(bytesOf((w) => w.varint(1, 1))).toBe('0801');
    expect(bytesOf((w) => w.varint(1, 0))).toBe('0800');
    expect(bytesOf((w) => w.varint(2, 300))).toBe('10ac02');
    expect(bytesOf((w) => w.varint(3, true))).toBe('1801');
    expect(bytesOf((w) => w.rawVarint(0x7fffffff))).toBe('ffffffff07');
    expect(bytesOf((w) => w.rawVarint(2 ** 32))).toBe('8080808010');
    expect(bytesOf((w) => w.rawVarint(Number.MAX_SAFE_INTEGER))).toBe('ffffffffffffff0f');
    expect(bytesOf((w) => w.rawVarint(2n ** 63n))).toBe('80808080808080808001');
  });

  it("negative int64 is a 10-byte two's-complement varint", () => {
    expect(bytesOf((w) => w.varint(1, -1))).toBe('08ffffffffffffffffff01');
    expect(bytesOf((w) => w.rawVarint(-2))).toBe('feffffffffffffffff01');
    expect(bytesOf((w) => w.rawVarint(-1n))).toBe('ffffffffffffffffff01');
  });

  it('field numbers above 15 take two tag bytes', () => {
    expect(bytesOf((w) => w.varint(20, 7))).toBe('a00107'); // AttributeProto.type = 20 -> tag 0xa0 0x01
    expect(bytesOf((w) => w.varint(16, 1))).toBe('800101');
  });

  it('length-delimited: strings, bytes, embedded messages', () => {
    expect(bytesOf((w) => w.string(2, 'testing'))).toBe('120774657374696e67'); // the guide's example
    expect(bytesOf((w) => w.string(1, ''))).toBe('0a00');
    expect(bytesOf((w) => w.bytes(9, new Uint8Array([1, 2, 3])))).toBe('4a03010203');
    expect(bytesOf((w) => w.string(1, 'é'))).toBe('0a02c3a9'); // UTF-8
    // message Test3 { optional Test1 c = 3; } with c.a = 150 -> "1a 03 08 96 01"
    expect(bytesOf((w) => w.message(3, (m) => m.varint(1, 150)))).toBe('1a03089601');
    const long = 'x'.repeat(200);
    expect(bytesOf((w) => w.string(1, long)).slice(0, 6)).toBe('0ac801'); // length 200 = c8 01
  });

  it('fixed32 / float and fixed64 / double are little-endian', () => {
    expect(bytesOf((w) => w.float(2, 1))).toBe('150000803f');
    expect(bytesOf((w) => w.float(2, -2.5))).toBe('15000020c0');
    expect(bytesOf((w) => w.fixed32(5, 0xdeadbeef))).toBe('2defbeadde');
    expect(bytesOf((w) => w.double(1, 1))).toBe('09000000000000f03f');
    expect(bytesOf((w) => w.fixed64(1, 1n))).toBe('090100000000000000');
  });

  it('packed repeated fields', () => {
    // the guide's example: repeated int32 d = 4 [3, 270, 86942] -> "22 06 03 8e 02 9e a7 05"
    expect(bytesOf((w) => w.packedVarints(4, [3, 270, 86942]))).toBe('2206038e029ea705');
    expect(bytesOf((w) => w.packedVarints(1, [2, -1]))).toBe('0a0b02ffffffffffffffffff01');
    expect(bytesOf((w) => w.packedFloats(7, [1, 2]))).toBe('3a080000803f00000040');
    expect(bytesOf((w) => w.packedDoubles(1, [1]))).toBe('0a08000000000000f03f');
    expect(bytesOf((w) => w.packedVarints(4, []))).toBe(''); // empty: nothing at all
  });

  it('grows its buffer', () => {
    const w = new ProtoWriter(1);
    for (let i = 0; i < 10_000; i++) w.varint(1, i);
    expect(w.length).toBeGreaterThan(20_000);
  });

  it('rejects unsafe integers and bad field numbers', () => {
    expect(() => new ProtoWriter().rawVarint(2 ** 60)).toThrow(/safe integer/);
    expect(() => new ProtoWriter().varint(0, 1)).toThrow(/field number/);
  });
});

describe('ONNX messages', () => {
  it('TensorProto: dims, data_type, name, raw_data', () => {
    const got = bytesOf((w) =>
      writeTensor(w, { name: 'c', dataType: OnnxDataType.FLOAT, dims: [2], data: new Float32Array([1, 2]) }),
    );
    // 0a 01 02 (dims packed [2]) | 10 01 (FLOAT) | 42 01 63 ("c") | 4a 08 <1.0f><2.0f>
    expect(got).toBe('0a0102' + '1001' + '420163' + '4a08' + '0000803f' + '00000040');
  });

  it('TensorProto of int64 and of a scalar', () => {
    const i64 = bytesOf((w) =>
      writeTensor(w, { name: 'a', dataType: OnnxDataType.INT64, dims: [1], data: new BigInt64Array([-1n]) }),
    );
    expect(i64).toBe('0a0101' + '1007' + '420161' + '4a08' + 'ffffffffffffffff');
    const scalar = bytesOf((w) =>
      writeTensor(w, { name: 's', dataType: OnnxDataType.DOUBLE, dims: [], data: new Float64Array([1]) }),
    );
    expect(scalar).toBe('100b' + '420173' + '4a08' + '000000000000f03f'); // no dims field for a scalar
  });

  it('AttributeProto: int, ints, float', () => {
    expect(bytesOf((w) => writeAttribute(w, { name: 'axis', type: 'int', value: 1 }))).toBe(
      '0a0461786973' + '1801' + 'a00102',
    );
    expect(bytesOf((w) => writeAttribute(w, { name: 'perm', type: 'ints', value: [1, 0] }))).toBe(
      '0a047065726d' + '42020100' + 'a00107',
    );
    expect(bytesOf((w) => writeAttribute(w, { name: 'alpha', type: 'float', value: 1 }))).toBe(
      '0a05616c706861' + '150000803f' + 'a00101',
    );
  });

  it('ValueInfoProto: name and tensor type with shape (a scalar keeps an empty shape)', () => {
    const v = bytesOf((w) => writeValueInfo(w, { name: 'x', elemType: OnnxDataType.FLOAT, dims: [3] }));
    // 0a 01 78 | 12 08 [TypeProto: 0a 06 [Tensor: 08 01 | 12 02 [Shape: 0a 00?]]]
    // Dimension {dim_value: 3} = 08 03; TensorShapeProto {dim: ...} = 0a 02 08 03
    expect(v).toBe('0a0178' + '120a' + '0a08' + '0801' + '1204' + '0a020803');
    const s = bytesOf((w) => writeValueInfo(w, { name: 's', elemType: OnnxDataType.INT32, dims: [] }));
    expect(s).toBe('0a0173' + '1206' + '0a04' + '0806' + '1200');
  });

  it('ModelProto header: ir_version 10, producer, opset 21 for the default domain', () => {
    const bytes = encodeModel({ graph: { name: 'g', nodes: [], initializers: [], inputs: [], outputs: [] } });
    const m = decode(bytes);
    expect(m.get(1)).toEqual([10n]); // ir_version
    expect(text(m.get(2)![0])).toBe('rnn-scratch'); // producer_name
    const opset = decode(m.get(8)![0] as Uint8Array); // opset_import
    expect(text(opset.get(1)![0])).toBe('');
    expect(opset.get(2)).toEqual([21n]);
    const graph = decode(m.get(7)![0] as Uint8Array);
    expect(text(graph.get(2)![0])).toBe('g');
  });

  it('a lowered graph decodes to the expected nodes, initializers, inputs and outputs', () => {
    const g = buildGraph((b) => {
      const x = b.input('x', 'float32', [2, 3]);
      b.output('y', x.mul(b.scalar(2)).sum([1]));
    });
    const graph = decode(decode(lowerToOnnx(g)).get(7)![0] as Uint8Array);
    const nodes = graph.get(1)!.map((n) => decode(n as Uint8Array));
    expect(nodes.map((n) => text(n.get(4)![0]))).toEqual(['Mul', 'ReduceSum']);
    expect(nodes.map((n) => text(n.get(3)![0]))).toEqual(['n2_mul', 'n3_sum']);
    expect(text(nodes[1].get(2)![0])).toBe('y'); // the last node writes the graph output directly
    const inits = graph.get(5)!.map((t) => decode(t as Uint8Array));
    expect(inits.map((t) => text(t.get(8)![0])).sort()).toEqual(['axes_1', 'c1']);
    expect(graph.get(11)!.map((v) => text(decode(v as Uint8Array).get(1)![0]))).toEqual(['x']);
    expect(graph.get(12)!.map((v) => text(decode(v as Uint8Array).get(1)![0]))).toEqual(['y']);
  });

  it('ONNX Runtime loads a hand-built model and reports its inputs and outputs', async () => {
    const bytes = encodeModel({
      graph: {
        name: 'hand',
        nodes: [
          {
            opType: 'Gemm',
            name: 'gemm',
            inputs: ['a', 'w'],
            outputs: ['y'],
            attributes: [{ name: 'transB', type: 'int', value: 1 }],
          },
        ],
        initializers: [{ name: 'w', dataType: OnnxDataType.FLOAT, dims: [1, 2], data: new Float32Array([3, 4]) }],
        inputs: [{ name: 'a', elemType: OnnxDataType.FLOAT, dims: [1, 2] }],
        outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, dims: [1, 1] }],
      },
    });
    const s = await ort.InferenceSession.create(bytes);
    expect(s.inputNames).toEqual(['a']);
    const { y } = await s.run({ a: new ort.Tensor('float32', new Float32Array([1, 2]), [1, 2]) });
    expect(Array.from(y.data as Float32Array)).toEqual([11]);
    await s.release();
  });
});
