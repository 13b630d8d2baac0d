// d2l 9.1, "Gated Recurrent Units (GRU)" from scratch: a reset gate R decides how much of the old state
// the candidate H~ may read, an update gate Z decides how much of the old state to keep.

import type { Sym } from '../ir/graph.js';
import type { Cell, Params } from './cell.js';

// #region gru-step
/**
 * One time step of the book's `gru`, with `x[g] = X_t W_x{g}`:
 *
 *     Z  = sigmoid(X_t W_xz + H W_hz + b_z)        update gate, (B, H), values in (0, 1)
 *     R  = sigmoid(X_t W_xr + H W_hr + b_r)        reset gate
 *     H~ = tanh(X_t W_xh + (R * H) W_hh + b_h)     candidate state: R = 0 forgets the old H here
 *     H  = Z * H + (1 - Z) * H~                    Z = 1 keeps the old state, Z = 0 takes the candidate
 */
export function gruStep(x: Readonly<Record<string, Sym>>, H: Sym, p: Params<Sym>): Sym {
  const Z = x.z.add(H.matmul(p.W_hz)).add(p.b_z).sigmoid();
  const R = x.r.add(H.matmul(p.W_hr)).add(p.b_r).sigmoid();
  const H_tilda = x.h.add(R.mul(H).matmul(p.W_hh)).add(p.b_h).tanh();
  return Z.mul(H).add(Z.neg().add(1).mul(H_tilda));
}
// #endregion gru-step

/** The GRU: gates z (update), r (reset), h (candidate), in the book's parameter order; state `(H,)`. */
export const gruCell: Cell = {
  name: 'gru',
  gates: ['z', 'r', 'h'],
  state: ['H'],
  step: (x, [H], p) => [gruStep(x, H, p)],
};
