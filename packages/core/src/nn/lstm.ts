// d2l 9.2, "Long Short-Term Memory (LSTM)" from scratch: a memory cell C beside the hidden state H, written
// through an input gate, kept through a forget gate, and read out through an output gate.

import type { Sym } from '../ir/graph.js';
import type { Cell, Params } from './cell.js';

// #region lstm-step
/**
 * One time step of the book's `lstm`, with `x[g] = X_t W_x{g}`:
 *
 *     I  = sigmoid(X_t W_xi + H W_hi + b_i)        input gate, (B, H)
 *     F  = sigmoid(X_t W_xf + H W_hf + b_f)        forget gate
 *     O  = sigmoid(X_t W_xo + H W_ho + b_o)        output gate
 *     C~ = tanh(X_t W_xc + H W_hc + b_c)           candidate memory
 *     C  = F * C + I * C~                          keep some of the old memory, write some new
 *     H  = O * tanh(C)                             what the rest of the network sees
 */
export function lstmStep(x: Readonly<Record<string, Sym>>, H: Sym, C: Sym, p: Params<Sym>): [Sym, Sym] {
  const I = x.i.add(H.matmul(p.W_hi)).add(p.b_i).sigmoid();
  const F = x.f.add(H.matmul(p.W_hf)).add(p.b_f).sigmoid();
  const O = x.o.add(H.matmul(p.W_ho)).add(p.b_o).sigmoid();
  const C_tilda = x.c.add(H.matmul(p.W_hc)).add(p.b_c).tanh();
  const newC = F.mul(C).add(I.mul(C_tilda));
  return [O.mul(newC.tanh()), newC];
}
// #endregion lstm-step

/** The LSTM: gates i, f, o and the candidate c, in the book's parameter order; state `(H, C)`. */
export const lstmCell: Cell = {
  name: 'lstm',
  gates: ['i', 'f', 'o', 'c'],
  state: ['H', 'C'],
  step: (x, [H, C], p) => lstmStep(x, H, C, p),
};
