// The book's own shape checks of 8.5, run on our code at the book's sizes:
//
//   X = d2l.reshape(d2l.arange(10), (2, 5))
//   F.one_hot(X.T, 28).shape                  -> torch.Size([5, 2, 28])
//   Y, new_state = net(X.to(d2l.try_gpu()), state)
//   Y.shape, len(new_state), new_state[0].shape -> (torch.Size([10, 28]), 1, torch.Size([2, 512]))

import {
  BOOK_DEFAULTS,
  Random,
  buildForward,
  formatType,
  getParams,
  initRnnState,
  runReference,
  tensor,
} from '@rnn-scratch/core';

import { LANGS, tr } from '../figures/svg.ts';
import { findNode } from '../pipeline.ts';
import { padCells } from '../text-table.ts';

/** What the printed book shows for these checks (d2l-zh 8.5; the spec's section 13). */
const BOOK_PRINTS = { oneHot: [5, 2, 28], Y: [10, 28], newState: [2, 512] };

export async function bookCodeCheck(): Promise<Record<string, string>> {
  const V = 28;
  const H = BOOK_DEFAULTS.numHiddens;
  const B = 2;
  const T = 5;
  const X = tensor(
    'int32',
    [B, T],
    Array.from({ length: B * T }, (_, i) => i),
  );
  const config = { vocabSize: V, numHiddens: H, batchSize: B, numSteps: T };
  const oneHot = buildForward({ ...config, inputEncoding: 'one-hot' });
  const oneHotNode = findNode(
    oneHot,
    'one-hot',
    (n) => n.op === 'oneHot' && oneHot.nodes[n.inputs[0]].op === 'reshape',
  );
  const out = await runReference(buildForward(config), {
    X,
    Y: X,
    state: initRnnState(B, H),
    ...getParams(V, H, new Random(0)),
  });
  // Our shapes must be the book's: (T*B, V) for the outputs, (B, H) for the state, and the one-hot tensor
  // (T*B, V) is the book's (T, B, V) with the first two axes flattened.
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const [T0, B0, V0] = BOOK_PRINTS.oneHot;
  if (
    !same(out.logits.shape, BOOK_PRINTS.Y) ||
    !same(out.state.shape, BOOK_PRINTS.newState) ||
    !same(oneHotNode.shape, [T0 * B0, V0])
  ) {
    throw new Error(
      `generate: the book's shape check fails: Y ${out.logits.shape}, state ${out.state.shape}, one-hot ${oneHotNode.shape}`,
    );
  }
  const result: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    result[`book-code-check.${lang}.txt`] = `${padCells([
      ['X = arange(10).reshape(2, 5)', formatType(X.dtype, X.shape), `[${Array.from(X.data).join(', ')}]`],
      [
        'one_hot(X.T, 28)',
        formatType(oneHotNode.dtype, oneHotNode.shape),
        t(
          `= (T·B, V)；书里打印 torch.Size([${BOOK_PRINTS.oneHot.join(', ')}])，即 (T, B, V)`,
          `= (T·B, V); the book prints torch.Size([${BOOK_PRINTS.oneHot.join(', ')}]), i.e. (T, B, V)`,
        ),
      ],
      ['Y, new_state = net(X, state)', '', ''],
      [
        '  Y',
        formatType(out.logits.dtype, out.logits.shape),
        t(
          `书里打印 torch.Size([${BOOK_PRINTS.Y.join(', ')}])`,
          `the book prints torch.Size([${BOOK_PRINTS.Y.join(', ')}])`,
        ),
      ],
      [
        '  new_state',
        formatType(out.state.dtype, out.state.shape),
        t(
          `书里是元组，len 为 1，new_state[0].shape = torch.Size([${BOOK_PRINTS.newState.join(', ')}])`,
          `the book's is a tuple of len 1, new_state[0].shape = torch.Size([${BOOK_PRINTS.newState.join(', ')}])`,
        ),
      ],
    ]).join('\n')}\n`;
  }
  return result;
}
