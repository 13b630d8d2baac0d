// Held-out perplexity (the chapter's exercise 2). A training perplexity of 1.0 on 10,000 characters is
// memorisation; only text the model never trained on shows what it learned.

import type { Executable } from '../backend/backend.js';
import type { Batch } from '../data/seq-data-iter.js';
import { seqDataIterSequential } from '../data/seq-data-iter.js';
import type { Params } from '../nn/cell.js';
import { initState, modelOf } from '../nn/model.js';
import { Random } from '../random.js';
import { perplexity, type Sampler } from './train-loop.js';

/**
 * The minibatches of held-out token ids: sequential partitioning from offset 0, so every evaluation reads
 * the same minibatches and draws nothing from the run's generator (a resumed run stays exact).
 */
export function heldOutBatches(ids: ArrayLike<number>, batchSize: number, numSteps: number): Batch[] {
  return [...seqDataIterSequential(ids, batchSize, numSteps, new Random(0), { offset: 0 })];
}

// #region evaluate
/**
 * exp(mean loss) over `batches` with the forward graph (`buildForward`) only: the parameters are not updated.
 * The state is carried from one minibatch to the next for `sequential` and reset for the random samplers,
 * as in training.
 */
export async function evaluatePerplexity(
  forward: Executable,
  params: Params,
  batches: Iterable<Batch>,
  sampler: Sampler,
): Promise<number> {
  const model = modelOf(params);
  const dtype = params.W_hq.dtype as 'float32' | 'float64';
  let state: ReturnType<typeof initState> | undefined;
  let lossSum = 0;
  let tokens = 0;
  for (const { X, Y, shape } of batches) {
    const [batchSize, numSteps] = shape;
    if (state === undefined || sampler !== 'sequential') state = initState(model, batchSize, dtype);
    const ids = (data: Int32Array) => ({ dtype: 'int32' as const, shape: [...shape], data });
    const out = await forward.run({ X: ids(X), Y: ids(Y), state, ...params });
    lossSum += out.loss.data[0] * batchSize * numSteps;
    tokens += batchSize * numSteps;
    state = out.state;
  }
  return perplexity(lossSum / tokens);
}
// #endregion evaluate
