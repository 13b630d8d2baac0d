// The live demo's training engine: the SAME core code as the CLI (SeqDataLoader, getParams,
// buildTrainStep, trainEpoch and the one-step prediction graph) on core's ReferenceBackend, which is plain
// TypeScript and runs in any browser. It normally runs inside a Web Worker (worker.ts); the page falls
// back to running it on the main thread, where the pause after each epoch keeps the page responsive.
// Besides the perplexity it reports what the docs explain: the gradient norm of every minibatch (how
// often clipping fires) and the probabilities behind every predicted character.

import {
  type Backend,
  type Graph,
  type Node,
  Random,
  ReferenceBackend,
  type Params,
  SeqDataLoader,
  type Vocab,
  buildTrainStep,
  formatType,
  getParams,
  iteratorFor,
  numParams,
  trainEpoch,
} from '@rnn-scratch/core';
import corpusText from '@corpus/timemachine.txt?raw';

import { ProbabilityPredictor } from './predict';
import type { DemoConfig, FromEngine, Prediction, ShapeRow, ToEngine } from './protocol';

/** Give the event loop a turn, so that 'stop' and 'predict' messages are handled between epochs. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The shapes of the values in one train step, read off the compiled graph itself. */
export function stepShapes(graph: Graph): ShapeRow[] {
  const type = (n: Node | undefined) => (n ? formatType(n.dtype, n.shape) : '?');
  const input = (name: string) => graph.nodes[graph.inputs.find((i) => i.name === name)!.id];
  const output = (name: string) => graph.nodes[graph.outputs.find((o) => o.name === name)!.id];
  const find = (pred: (n: Node) => boolean) => graph.nodes.find(pred);
  const X = input('X');
  const Whq = input('W_hq');
  const logitsProduct = find((n) => n.op === 'matmul' && n.inputs[1] === Whq.id);
  return [
    { name: 'X, Y (batch, steps)', type: type(X) },
    { name: 'X.T (steps, batch)', type: type(find((n) => n.op === 'transpose' && n.inputs[0] === X.id)) },
    { name: 'one_hot(X.T) @ W_xh = gather', type: type(find((n) => n.op === 'gather')) },
    { name: 'H_t (state)', type: type(find((n) => n.op === 'tanh')) },
    {
      name: 'logits (steps*batch, vocab)',
      type: type(find((n) => n.op === 'add' && n.inputs[0] === logitsProduct?.id)),
    },
    { name: 'loss', type: type(output('loss')) },
    { name: 'W_xh', type: type(input('W_xh')) },
    { name: 'W_hh', type: type(input('W_hh')) },
    { name: 'b_h', type: type(input('b_h')) },
    { name: 'W_hq', type: type(input('W_hq')) },
    { name: 'b_q', type: type(input('b_q')) },
  ];
}

export class DemoEngine {
  private readonly backend: Backend = new ReferenceBackend();
  private running = false;
  private stopRequested = false;
  private params: Params | undefined;
  private vocab: Vocab | undefined;
  private predictor: ProbabilityPredictor | undefined;
  private predictorHiddens = 0;
  private prefix = 'time traveller';
  private numPreds = 40;
  private temperature = 0;
  private seed = 0;

  constructor(private readonly post: (message: FromEngine) => void) {}

  handle(message: ToEngine): void {
    if (message.type === 'start') void this.start(message.config);
    else if (message.type === 'stop') this.stopRequested = true;
    else {
      this.prefix = message.prefix;
      this.temperature = message.temperature;
      // While training, the next epoch report carries the new prefix's prediction.
      if (!this.running) void this.predictAndPost();
    }
  }

  private async predict(): Promise<Prediction> {
    const prefix = this.prefix.toLowerCase();
    const empty = { prefix: this.prefix, temperature: this.temperature, text: '', steps: [] };
    if (!this.params || !this.vocab || !this.predictor || prefix.length === 0) return empty;
    // Characters outside the vocabulary (digits, capitals were lowered above) become <unk>, as in the book.
    // Sampling draws from a fresh generator with the run's seed, so the same settings give the same text.
    const prediction = await this.predictor.predict(prefix, this.params, this.vocab, {
      numPreds: this.numPreds,
      temperature: this.temperature,
      rng: new Random(this.seed),
    });
    return { ...prediction, prefix: this.prefix };
  }

  private async predictAndPost(): Promise<void> {
    try {
      this.post({ type: 'prediction', prediction: await this.predict() });
    } catch (err) {
      this.post({ type: 'error', message: String(err instanceof Error ? err.message : err) });
    }
  }

  private async start(config: DemoConfig): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopRequested = false;
    this.prefix = config.prefix;
    this.numPreds = config.numPreds;
    this.temperature = config.temperature;
    this.seed = config.seed;
    let epoch = 0;
    try {
      const { numHiddens, batchSize, numSteps, lr, theta, sampler } = config;
      const loader = new SeqDataLoader({
        text: corpusText,
        batchSize,
        numSteps,
        maxTokens: config.maxTokens,
        iterator: iteratorFor(sampler),
        seed: config.seed,
      });
      const vocabSize = loader.vocab.length;
      const graph = buildTrainStep({ vocabSize, numHiddens, batchSize, numSteps, theta });
      const step = await this.backend.compile(graph);
      if (!this.predictor || this.predictorHiddens !== numHiddens) {
        await this.predictor?.dispose();
        this.predictor = await ProbabilityPredictor.create(this.backend, { vocabSize, numHiddens });
        this.predictorHiddens = numHiddens;
      }
      this.vocab = loader.vocab;
      let params: Params = getParams(vocabSize, numHiddens, new Random(config.seed));
      this.params = params;
      this.post({
        type: 'ready',
        info: {
          backend: `${this.backend.name}:${this.backend.device}`,
          vocabSize,
          corpusLength: loader.corpus.length,
          batchesPerEpoch: loader.numBatches.max,
          numParams: numParams({ vocabSize, numHiddens }),
          graphNodes: graph.nodes.length,
          shapes: stepShapes(graph),
        },
      });
      await nextTurn();
      while (epoch < config.epochs && !this.stopRequested) {
        const gradNorms: number[] = [];
        const result = await trainEpoch(step, params, loader, {
          sampler,
          lr,
          epoch: epoch + 1,
          onStep: (s) => gradNorms.push(s.gradNorm),
        });
        epoch++;
        params = this.params = result.params;
        this.post({
          type: 'epoch',
          epoch,
          epochs: config.epochs,
          perplexity: result.perplexity,
          tokensPerSec: result.tokens / result.seconds,
          gradNorms,
          theta,
          prediction: await this.predict(),
        });
        await nextTurn(); // handle Stop and prefix changes before the next epoch
      }
      await step.dispose();
      this.post({ type: 'finished', reason: this.stopRequested ? 'stopped' : 'done', epoch });
    } catch (err) {
      this.post({ type: 'error', message: String(err instanceof Error ? err.message : err) });
    } finally {
      this.running = false;
    }
  }
}
