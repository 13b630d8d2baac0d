// Random minibatches of token ids, for tests and profiling scripts that feed a train step made-up data.

import { type HostTensor, tensor } from '../ir/dtype.js';
import type { Random } from '../random.js';

/** A tensor of `shape` token ids, each drawn by `rng` uniformly from 0 .. vocabSize - 1. */
export function randomTokens(rng: Random, shape: readonly number[], vocabSize: number): HostTensor<'int32'> {
  const n = shape.reduce((a, d) => a * d, 1);
  return tensor(
    'int32',
    shape,
    Array.from({ length: n }, () => rng.randbelow(vocabSize)),
  );
}
