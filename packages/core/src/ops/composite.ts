// Composite ops: built only from primitives, so every backend runs them and autodiff differentiates
// them with the primitives' rules (no kernels or gradient rules of their own).

import type { Sym } from '../ir/graph.js';

// #region cross-entropy
/**
 * log(softmax(x)) along `axis`, computed stably: subtract the row maximum first so exp never overflows.
 * The maximum is a constant shift (it cancels mathematically), so its gradient is stopped.
 */
export function logSoftmax(x: Sym, axis = -1): Sym {
  const m = x.max(axis, true).stopGradient();
  const shifted = x.sub(m);
  return shifted.sub(shifted.exp().sum(axis, true).log());
}

export function softmax(x: Sym, axis = -1): Sym {
  return logSoftmax(x, axis).exp();
}

/**
 * Mean cross-entropy of `logits` (N, V) against integer `labels` (N,): PyTorch's `CrossEntropyLoss()`.
 * Picks each row's log-probability of its label with a one-hot mask (no gather gradient needed).
 */
export function softmaxCrossEntropy(logits: Sym, labels: Sym): Sym {
  const [, vocabSize] = logits.shape;
  const logProbs = logSoftmax(logits, 1);
  const picked = labels.oneHot(vocabSize, logits.dtype).mul(logProbs).sum(1);
  return picked.mean().neg();
}
// #endregion cross-entropy

// #region clip
/** The global L2 norm over ALL tensors: sqrt(sum over tensors of sum of squares). */
export function globalNorm(tensors: readonly Sym[]): Sym {
  let total: Sym | undefined;
  for (const t of tensors) {
    const s = t.square().sum();
    total = total === undefined ? s : total.add(s);
  }
  if (total === undefined) throw new Error('globalNorm: no tensors');
  return total.sqrt();
}

/**
 * d2l's `grad_clipping`: if the global norm exceeds `theta`, scale every gradient by theta / norm.
 * Written without a branch as `scale = min(1, theta / norm)`: when norm > theta that is theta/norm,
 * otherwise exactly 1 (and 1 * g == g bit for bit), so it matches the book's `if norm > theta` exactly.
 * `theta` may be a number (baked into the graph) or a scalar graph input.
 */
export function clipByGlobalNorm(grads: readonly Sym[], theta: Sym | number): { clipped: Sym[]; norm: Sym } {
  const norm = globalNorm(grads);
  if (theta === Infinity) return { clipped: [...grads], norm }; // no clipping (the norm is still reported)
  const th = typeof theta === 'number' ? norm.builder.scalar(theta, norm.dtype) : theta;
  const scale = th.div(norm).minimum(1);
  return { clipped: grads.map((g) => g.mul(scale)), norm };
}
// #endregion clip
