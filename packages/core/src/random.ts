/**
 * A small, seedable pseudo-random number generator.
 *
 * d2l's data iterators use Python's `random` module (a Mersenne Twister) for two things: the random offset
 * at the start of each epoch and the shuffle of the subsequence start indices. Parameter initialisation
 * uses torch's RNG (`randn * 0.01`). This class gives us one reproducible source for all of them.
 *
 * NB: this is NOT Python's Mersenne Twister. The *semantics* match the book (`randint(a, b)` is inclusive at
 * both ends, `shuffle` is the same Fisher–Yates walk from the end), but the numbers drawn differ, so the
 * offsets and shuffles differ from any particular Python run. (The book's runs were unseeded anyway.)
 *
 * The generator is xoshiro128** (Blackman & Vigna, 2018): 128 bits of state held in four 32-bit words,
 * period 2^128 - 1, and it passes the standard statistical test batteries. Its state is seeded from one
 * integer with splitmix32, as the xoshiro authors recommend, so nearby seeds give unrelated streams.
 * Everything works on 32-bit integers through `Math.imul` and `>>> 0`, so results are identical on every
 * JavaScript engine.
 */

/** The only thing the data iterators need from a random source. A test can pass a stub instead. */
export interface RandomSource {
  /** A uniform integer in [lo, hi], inclusive at BOTH ends (Python's `random.randint`). */
  randint(lo: number, hi: number): number;
  /** Shuffle an array in place (Python's `random.shuffle`) and return it. */
  shuffle<A extends MutableArrayLike>(array: A): A;
}

/** Anything with a length and numeric indexing that we may write to: `number[]`, `Int32Array`, ... */
export interface MutableArrayLike {
  readonly length: number;
  [index: number]: unknown;
}

/** 2^32, the number of distinct values of `nextUint32()`. */
const TWO_POW_32 = 4294967296;
/** 2^53: `random()` returns k / 2^53 for an integer k in [0, 2^53). */
const TWO_POW_53 = 9007199254740992;

/** Rotate a 32-bit word left by k bits. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * splitmix32: a tiny generator used only to spread one integer seed over the 128-bit xoshiro state.
 * (The 32-bit variant of Steele, Lea & Flood's SplitMix, in the form popularised by bryc's PRNG collection.)
 */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e3779b9) | 0; // add the golden-ratio constant
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** Number of bits needed to write n (n >= 1), like Python's `int.bit_length()`. */
function bitLength(n: number): number {
  let bits = 0;
  while (n >= 1) {
    n = Math.floor(n / 2);
    bits++;
  }
  return bits;
}

export class Random implements RandomSource {
  /** The xoshiro128** state: four unsigned 32-bit words, never all zero. */
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Box–Muller makes normals in pairs; the second one waits here (undefined when none is waiting). */
  private spareNormal: number | undefined = undefined;

  /**
   * @param seed any safe integer (negative seeds use their absolute value, as Python's `random.seed` does).
   *   The same seed always gives the same stream.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Random: seed must be a safe integer, got ${String(seed)}`);
    }
    const abs = Math.abs(seed);
    const low = abs % TWO_POW_32; // the low 32 bits of the seed ...
    const high = Math.floor(abs / TWO_POW_32); // ... and the (up to 21) high bits
    // Seeds below 2^32 are plain splitmix32; larger seeds also mix in their high word.
    const highMix = high === 0 ? 0 : splitmix32(high)();
    const next = splitmix32(low);
    this.s0 = (next() ^ highMix) >>> 0;
    this.s1 = (next() ^ highMix) >>> 0;
    this.s2 = (next() ^ highMix) >>> 0;
    this.s3 = (next() ^ highMix) >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A new generator that continues exactly from a state saved with `getState()`. */
  static fromState(state: readonly number[]): Random {
    const rng = new Random(0);
    rng.setState(state);
    return rng;
  }

  /** The next raw output: a uniform unsigned 32-bit integer (one xoshiro128** step). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    // Keep the stored words unsigned so that getState() is easy to read and compare.
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /**
   * A uniform float in [0, 1) with 53 random bits, the full precision of a double (built like Python's
   * `random.random()`: 27 bits from one draw and 26 from the next).
   */
  random(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) / TWO_POW_53; // (a * 2^26 + b) / 2^53
  }

  /** `k` uniform random bits as a non-negative integer, 1 <= k <= 53 (Python's `getrandbits`). */
  private randomBits(k: number): number {
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const high = this.nextUint32() >>> (64 - k); // the top k - 32 bits
    const low = this.nextUint32();
    return high * TWO_POW_32 + low;
  }

  /**
   * A uniform integer in [0, n) for an integer n >= 1, WITHOUT modulo bias: draw just enough bits to cover
   * n and try again when the result is too large (Python's `_randbelow_with_getrandbits`). At least half of
   * the draws are accepted, so this takes fewer than two tries on average.
   */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`Random.randbelow: n must be a positive safe integer, got ${String(n)}`);
    }
    const k = bitLength(n - 1) || 1; // n = 1 still draws one bit so the stream position is predictable
    let r = this.randomBits(k);
    while (r >= n) r = this.randomBits(k);
    return r;
  }

  /**
   * A uniform integer in [lo, hi], INCLUSIVE at both ends, like Python's `random.randint(lo, hi)`.
   * `randint(0, 35)` has 36 possible values. (This matters: d2l's sequential iterator draws its offset
   * with `randint(0, num_steps)`.)
   */
  randint(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) {
      throw new RangeError(`Random.randint: bounds must be safe integers, got (${String(lo)}, ${String(hi)})`);
    }
    if (hi < lo) throw new RangeError(`Random.randint: empty range (${lo}, ${hi}); need lo <= hi`);
    return lo + this.randbelow(hi - lo + 1);
  }

  /**
   * Shuffle `array` in place with the Fisher–Yates walk Python's `random.shuffle` uses: for i from n-1 down
   * to 1, swap element i with element j = randint(0, i). Every permutation is equally likely.
   * Returns the same array, for chaining.
   */
  shuffle<A extends MutableArrayLike>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1); // same as randint(0, i)
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /**
   * A draw from the normal distribution N(mean, std²) (standard normal by default), by the Box–Muller
   * transform. Parameter initialisation uses `normal() * 0.01`, the book's `torch.randn(shape) * 0.01`.
   */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return mean + std * z;
    }
    // Two independent uniforms give two independent standard normals. u1 is in (0, 1] so log(u1) is finite.
    const u1 = 1 - this.random();
    const u2 = this.random();
    const radius = Math.sqrt(-2 * Math.log(u1));
    const angle = 2 * Math.PI * u2;
    this.spareNormal = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /**
   * The complete generator state, as plain numbers that survive JSON: `[s0, s1, s2, s3]`, plus a fifth entry
   * when a Box–Muller normal is waiting. `setState` of this array continues the exact same stream.
   */
  getState(): number[] {
    const state = [this.s0, this.s1, this.s2, this.s3];
    if (this.spareNormal !== undefined) state.push(this.spareNormal);
    return state;
  }

  /** Restore a state saved with `getState()` (for resuming training from a checkpoint). */
  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || (state.length !== 4 && state.length !== 5)) {
      throw new RangeError('Random.setState: expected the 4 or 5 numbers returned by getState()');
    }
    const words = state.slice(0, 4);
    for (const w of words) {
      if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) {
        throw new RangeError(`Random.setState: state words must be unsigned 32-bit integers, got ${String(w)}`);
      }
    }
    if (words.every((w) => w === 0)) throw new RangeError('Random.setState: the all-zero state is invalid');
    if (state.length === 5 && !Number.isFinite(state[4])) {
      throw new RangeError(`Random.setState: the saved normal must be a finite number, got ${String(state[4])}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = words;
    this.spareNormal = state.length === 5 ? state[4] : undefined;
  }
}
