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
  const result: Record<string, string> = {};
  for (const lang of LANGS) {
    const t = (zh: string, en: string) => tr(lang, zh, en);
    result[`book-code-check.${lang}.txt`] = `${padCells([
      ['X = arange(10).reshape(2, 5)', formatType(X.dtype, X.shape), `[${Array.from(X.data).join(', ')}]`],
      [
        'one_hot(X.T, 28)',
        formatType(oneHotNode.dtype, oneHotNode.shape),
        t(
          `= (T·B, V)；书里的形状是 (T, B, V) = (${T}, ${B}, ${V})`,
          `= (T·B, V); the book's shape is (T, B, V) = (${T}, ${B}, ${V})`,
        ),
      ],
      ['Y, new_state = net(X, state)', '', ''],
      [
        '  Y',
        formatType(out.logits.dtype, out.logits.shape),
        t(
          `书里打印 torch.Size([${out.logits.shape.join(', ')}])`,
          `the book prints torch.Size([${out.logits.shape.join(', ')}])`,
        ),
      ],
      [
        '  new_state',
        formatType(out.state.dtype, out.state.shape),
        t(
          `书里是元组，len 为 1，new_state[0].shape = torch.Size([${out.state.shape.join(', ')}])`,
          `the book's is a tuple of len 1, new_state[0].shape = torch.Size([${out.state.shape.join(', ')}])`,
        ),
      ],
    ]).join('\n')}\n`;
  }
  return result;
}
