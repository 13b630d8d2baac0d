// A tiny seeded PRNG for test data. Tests must be reproducible, so every random tensor in the
// conformance suite is drawn from a generator seeded by its case id (not by run order).

/**
 * mulberry32 (Tommy Ettinger): 32 bits of state, good enough for test data, one screen of code.
 * Returns a function that yields uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed from a string (FNV-1a), so `rngFor('vjp/add/broadcast/float64')` is stable forever. */
export function seedFrom(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A generator seeded from a case id. */
export function rngFor(id: string): () => number {
  return mulberry32(seedFrom(id));
}

/** `n` uniform numbers in [lo, hi). */
export function uniform(rng: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng());
}
