// d2l `sgd` (3.2.6, used again by `train_epoch_ch8` in 8.5): minibatch stochastic gradient descent.

import type { Sym } from '../ir/graph.js';

// #region sgd
/**
 * `param -= lr * param.grad / batch_size` for every parameter. A graph has no in-place updates, so the
 * new values are returned (the train step outputs them under the parameters' names).
 *
 * The book's 8.5 calls it with `batch_size=1`: its loss is already the MEAN over the B*T tokens of a
 * minibatch, and `sgd` divides by batch_size only because chapter 3's loss was a sum.
 */
export function sgd(params: readonly Sym[], grads: readonly Sym[], lr: Sym, batchSize = 1): Sym[] {
  return params.map((param, i) => param.sub(lr.mul(grads[i]).div(batchSize)));
}
// #endregion sgd
