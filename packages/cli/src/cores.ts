/**
 * How `rnn-scratch train` uses the machine's CPU cores: the one place that chooses, for `--workers auto`
 * (the default), between
 * - one engine on one core (small models: the cores would spend more time agreeing than computing),
 * - N engines in N worker threads, each training a shard of every minibatch (`--workers N`: the mean of
 *   their gradients is clipped and applied once, so the numbers are the book's), and
 * - one engine with N intra-op threads (large models).
 *
 * Why the boundaries are where they are (`npm run bench` on 2 cores, BENCHMARKS.md, 2026-11-30 23:38): onnx:cpu
 * trains the book's model (H=512, 0.3M parameters) 1.37x faster on 2 workers than on its best single engine,
 * and at H=128 (24k) 1.11x, while 2 intra-op threads barely help there (the products of a step are small). At
 * H=2048 (4.3M parameters), and with the 2,578-character vocabulary at H=512 (2.9M), every time step reads
 * weights larger than the caches: 2 workers, each reading all of them, gain less (1.12x, 1.28x) than 2
 * intra-op threads, which split them (1.51x, 1.45x). The boundary between the two (2M) lies between those
 * measured sizes. Only onnx:cpu was measured faster on more cores; every other backend keeps one worker and
 * its own thread setting.
 */

/** Parameters from which one engine per core pays for agreeing on every step (H=128: 24k). */
export const WORKERS_MIN_PARAMS = 16_000;
/** Parameters above which each core reading all the weights is slower than splitting them (H=1024: 1.1M, below). */
export const WORKERS_MAX_PARAMS = 2_000_000;

/** What `--workers auto` decides. `threads` is set only when the backend should get more than its default. */
export interface CorePlan {
  readonly workers: number;
  readonly threads?: number;
}

export interface CorePlanInput {
  /** The opened backend, `name:device`. */
  readonly backend: string;
  readonly cores: number;
  readonly numParams: number;
  readonly batchSize: number;
  readonly bptt: string;
  /** --threads, when given: the user chose one engine's threads. */
  readonly threads?: number;
}

/** The cores' use for `--workers auto`. */
export function planCores(o: CorePlanInput): CorePlan {
  if (o.backend !== 'onnx:cpu' || o.threads !== undefined || o.cores < 2) return { workers: 1 };
  if (o.numParams > WORKERS_MAX_PARAMS) return { workers: 1, threads: o.cores };
  if (o.numParams < WORKERS_MIN_PARAMS || o.bptt === 'epoch') return { workers: 1 };
  return { workers: largestDivisorUpTo(o.batchSize, o.cores) };
}

/** The largest n <= most that divides `total` (each worker gets an equal shard of the minibatch). */
function largestDivisorUpTo(total: number, most: number): number {
  for (let n = Math.min(most, total); n > 1; n--) if (total % n === 0) return n;
  return 1;
}
