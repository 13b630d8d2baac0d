// d2l 8.5 from TypeScript: the same calls the CLI makes. The book's sizes are B=32, T=35, H=512 and
// 500 epochs; `main()` takes smaller ones so that the docs test can run this file in a few seconds.
import {
  type Backend,
  BOOK_DEFAULTS,
  type BookSettings,
  Random,
  ReferenceBackend,
  getParams,
  train,
} from '@rnn-scratch/core';
import { loadDataTimeMachineFromFile } from '@rnn-scratch/core/node';

export async function main(sizes: Partial<BookSettings> = {}) {
  const { batchSize, numSteps, numHiddens, numEpochs, maxTokens } = { ...BOOK_DEFAULTS, ...sizes };
  // train_iter, vocab = d2l.load_data_time_machine(batch_size, num_steps)
  const [trainIter, vocab] = loadDataTimeMachineFromFile(batchSize, numSteps, false, maxTokens, { seed: 0 });
  // net = RNNModelScratch(len(vocab), num_hiddens, ...): the parameters, drawn from a seeded generator
  const params = getParams(vocab.length, numHiddens, new Random(0));
  // Any registered backend works here; the reference backend is plain TypeScript (slow, runs anywhere).
  const backend: Backend = new ReferenceBackend();
  // d2l.train_ch8(net, train_iter, vocab, lr=1, num_epochs=500, device)
  const result = await train({
    backend,
    data: trainIter,
    vocab,
    params,
    numEpochs,
    lr: 1,
    theta: 1,
    sampler: 'sequential',
    every: 10,
    onEpoch: ({ epoch, perplexity, predictions }) => {
      if (predictions)
        console.log(`epoch ${epoch}: perplexity ${perplexity.toFixed(2)}`, predictions['time traveller']);
    },
  });
  console.log(
    `perplexity ${result.perplexity.toFixed(1)}, ${result.tokensPerSec.toFixed(1)} tokens/sec on ${backend.name}:${backend.device}`,
  );
  console.log(result.predictions['time traveller']);
  console.log(result.predictions['traveller']);
  return result;
}
