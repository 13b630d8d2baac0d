import { describe, expect, it } from 'vitest';
import { SafetensorsError, decodeSafetensors, encodeSafetensors, tensor } from '../src/index.js';

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
