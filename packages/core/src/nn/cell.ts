// One interface for the recurrent cells of d2l 8.5 (RNN), 9.1 (GRU) and 9.2 (LSTM). The book's chapter 9
// reuses 8.5's `train_ch8` unchanged with another `get_params`, `init_state` and forward function; here a
// cell is exactly that difference, and everything else (the model, the training loop, prediction,
// checkpoints, every backend) works for every cell without asking which one it runs.

import type { HostTensor } from '../ir/dtype.js';
import type { Sym } from '../ir/graph.js';

export type CellName = 'rnn' | 'gru' | 'lstm';
export const CELL_CHOICES: readonly CellName[] = ['rnn', 'gru', 'lstm'];

/** The RNN's nonlinearity: the book's tanh, or ReLU (the chapter's exercise 6). GRU and LSTM keep their gates. */
export type Activation = 'tanh' | 'relu';
export const ACTIVATION_CHOICES: readonly Activation[] = ['tanh', 'relu'];

/** Parameters by name (`W_xh`, `b_q`, ...): host tensors, or graph values while a graph is built. */
export type Params<T = HostTensor> = Readonly<Record<string, T>>;

// #region cell
export interface Cell {
  readonly name: CellName;
  /**
   * The gates, in the book's order; each has a triple `(W_x*, W_h*, b_*)` of parameters named after it:
   * rnn `h` (W_xh, W_hh, b_h); gru `z, r, h` (update, reset, candidate); lstm `i, f, o, c` (input, forget,
   * output, candidate memory).
   */
  readonly gates: readonly string[];
  /** The state tuple, like the book's `init_*_state`: `(H,)` for rnn and gru, `(H, C)` for lstm. */
  readonly state: readonly string[];
  /**
   * One time step. `x[g]` is this step's `X_t W_x{g}` for every gate g (the model computes them for all
   * steps at once), `state` the previous state tuple, `p` the layer's parameters. Returns the new state
   * tuple; its first entry is the H that the next layer (or the output layer) reads. `activation` is the
   * RNN's nonlinearity (only the rnn cell has a choice).
   */
  step(x: Readonly<Record<string, Sym>>, state: readonly Sym[], p: Params<Sym>, activation: Activation): Sym[];
}
// #endregion cell
