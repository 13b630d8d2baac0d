import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.js';
import { randomTokens } from '../src/testing/index.js';

describe('Random (xoshiro128** seeded by splitmix32)', () => {
  it('matches the reference C implementation of xoshiro128** from state [1, 2, 3, 4]', () => {
    // Output of the authors' xoshiro128starstar.c with s = {1, 2, 3, 4}, compiled with gcc.
    const rng = Random.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(outputs).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    expect(rng.getState()).toEqual([1110993931, 286554632, 2431677446, 2165318166]);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const draw = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(0)).not.toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    // A seed above 2^32 is not reduced to its low 32 bits.
    expect(draw(2 ** 32 + 5)).not.toEqual(draw(5));
    // Negative seeds use their absolute value, as in Python.
    expect(draw(-7)).toEqual(draw(7));
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new Random(1.5)).toThrow(/seed must be a safe integer/);
    expect(() => new Random(Number.NaN)).toThrow(RangeError);
    expect(() => new Random(2 ** 60)).toThrow(RangeError);
  });

  it('random() is in [0, 1) with a mean near 1/2', () => {
    const rng = new Random(3);
    let sum = 0;
    const n = 20000;
    let inRange = true;
    for (let i = 0; i < n; i++) {
      const u = rng.random();
      inRange &&= u >= 0 && u < 1;
      sum += u;
    }
    expect(inRange).toBe(true);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });

  it('randint(lo, hi) is inclusive at both ends, like Python', () => {
    const rng = new Random(11);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(rng.randint(0, 35));
    expect([...seen].every((v) => Number.isInteger(v) && v >= 0 && v <= 35)).toBe(true);
    // All 36 values appear, including both bounds.
    expect(seen.size).toBe(36);
    expect(seen.has(0) && seen.has(35)).toBe(true);
    expect(rng.randint(5, 5)).toBe(5);
    expect(new Set(Array.from({ length: 200 }, () => rng.randint(-2, 2)))).toEqual(new Set([-2, -1, 0, 1, 2]));
  });

  it('randint is unbiased on a range that is not a power of two', () => {
    const rng = new Random(5);
    const counts = [0, 0, 0];
    const n = 30000;
    for (let i = 0; i < n; i++) counts[rng.randint(0, 2)]++;
    for (const c of counts) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.015);
  });

  it('randint handles ranges wider than 2^32', () => {
    const rng = new Random(9);
    const big = 2 ** 40;
    let above32 = false;
    for (let i = 0; i < 100; i++) {
      const v = rng.randint(0, big);
      expect(v >= 0 && v <= big && Number.isInteger(v)).toBe(true);
      if (v >= 2 ** 32) above32 = true;
    }
    expect(above32).toBe(true);
  });

  it('randint rejects bad bounds', () => {
    const rng = new Random(1);
    expect(() => rng.randint(3, 2)).toThrow(/empty range/);
    expect(() => rng.randint(0, 1.5)).toThrow(RangeError);
  });

  it("shuffle is Python's Fisher–Yates walk: i from n-1 down to 1, swap with randint(0, i)", () => {
    const a = new Random(123);
    const b = Random.fromState(a.getState());
    const shuffled = a.shuffle(Array.from({ length: 20 }, (_, i) => i));
    const manual = Array.from({ length: 20 }, (_, i) => i);
    for (let i = manual.length - 1; i > 0; i--) {
      const j = b.randint(0, i);
      [manual[i], manual[j]] = [manual[j], manual[i]];
    }
    expect(shuffled).toEqual(manual);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(shuffled).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('shuffle gives every permutation of 3 items about equally often, and works on typed arrays', () => {
    const rng = new Random(77);
    const counts = new Map<string, number>();
    const n = 12000;
    for (let i = 0; i < n; i++) {
      const key = rng.shuffle(Int32Array.from([0, 1, 2])).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.02);
  });

  it('normal() has mean 0 and standard deviation 1; normal(mean, std) scales it', () => {
    const rng = new Random(2024);
    const n = 40000;
    let sum = 0;
    let sumSq = 0;
    let allFinite = true;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      allFinite &&= Number.isFinite(z);
      sum += z;
      sumSq += z * z;
    }
    expect(allFinite).toBe(true);
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(sumSq / n - mean * mean) - 1)).toBeLessThan(0.02);
    const scaled = Array.from({ length: 4000 }, () => rng.normal(0, 0.01));
    const std = Math.sqrt(scaled.reduce((s, x) => s + x * x, 0) / scaled.length);
    expect(std).toBeGreaterThan(0.009);
    expect(std).toBeLessThan(0.011);
  });

  it('getState/setState resumes the exact stream, including a pending normal', () => {
    const rng = new Random(31337);
    rng.nextUint32();
    rng.normal(); // leaves the second Box–Muller value pending
    const saved = rng.getState();
    expect(saved).toHaveLength(5);
    const expected = [rng.normal(), rng.randint(0, 100), rng.random(), rng.normal(), rng.normal()];

    const restored = new Random(1);
    restored.setState(JSON.parse(JSON.stringify(saved)) as number[]); // survives a JSON checkpoint
    expect([
      restored.normal(),
      restored.randint(0, 100),
      restored.random(),
      restored.normal(),
      restored.normal(),
    ]).toEqual(expected);
  });

  it('setState rejects malformed states', () => {
    const rng = new Random(1);
    expect(() => rng.setState([1, 2, 3])).toThrow(/4 or 5 numbers/);
    expect(() => rng.setState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => rng.setState([1, 2, 3, 2 ** 32])).toThrow(/unsigned 32-bit/);
    expect(() => rng.setState([1, 2, 3, 4, Number.NaN])).toThrow(/finite/);
  });
});

describe('randomTokens (made-up minibatches for tests and scripts)', () => {
  it('draws int32 ids of the given shape below the vocabulary size, in the order randbelow would', () => {
    const t = randomTokens(new Random(3), [4, 5], 7);
    expect(t.dtype).toBe('int32');
    expect([...t.shape]).toEqual([4, 5]);
    const rng = new Random(3);
    expect([...t.data]).toEqual(Array.from({ length: 20 }, () => rng.randbelow(7)));
    expect(new Set(t.data).size).toBeGreaterThan(1);
  });
});
