// The live demo's training engine: the SAME core code as the CLI (startRun, trainRun, resumeRun, the
// checkpoint files and core's Predictor) on whichever backend of core's registry the page picks: the
// plain-TypeScript reference backend, or ONNX Runtime Web and TensorFlow.js on WebGPU, WebGL or
// WebAssembly (registered by backends.ts). It normally runs inside a Web Worker (worker.ts); the page
// falls back to running it on the main thread, where the pause after each epoch keeps the page responsive.
// Besides the perplexity it reports what the docs explain: the gradient norm of every minibatch (how
// often clipping fires) and the probabilities behind every predicted character.

import {
  type Backend,
  type CheckpointMeta,
  type Graph,
  type ModelSpec,
  type Node,
  type Params,
  type Preprocessing,
  Random,
  type Run,
  type RunCorpus,
  TIME_MACHINE_SHA256,
  Vocab,
  autoChoice,
  buildTrainStep,
  checkpointMetaOf,
  checkpointModel,
  decodeCheckpointMeta,
  decodeCheckpointParams,
  encodeCheckpointFiles,
  firstLine,
  formatType,
  listBackends,
  numParams,
  preprocessLine,
  resolveBackend,
  resumeRun,
  runConfig,
  runModel,
  startRun,
  trainRun,
} from '@rnn-scratch/core';
import corpusText from '@corpus/timemachine.txt?raw';

import { ProbabilityPredictor } from './predict';
import type { CheckpointFiles, DemoConfig, FromEngine, LoadedInfo, Prediction, ShapeRow, ToEngine } from './protocol';

/** Give the event loop a turn, so that 'stop' and 'predict' messages are handled between epochs. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What every run trains on: the bundled book, the very file the CLI bundles. */
const CORPUS: RunCorpus = { text: corpusText, path: null, sha256: TIME_MACHINE_SHA256, source: 'timemachine.txt' };

/** The shapes of the values in one train step, read off the graph itself (the book's one-layer RNN). */
export function stepShapes(graph: Graph): ShapeRow[] {
  const type = (n: Node | undefined) => (n ? formatType(n.dtype, n.shape) : '?');
  const input = (name: string) => {
    const found = graph.inputs.find((i) => i.name === name);
    return found && graph.nodes[found.id];
  };
  const output = (name: string) => graph.nodes[graph.outputs.find((o) => o.name === name)!.id];
  const find = (pred: (n: Node) => boolean) => graph.nodes.find(pred);
  const X = input('X')!;
  const Whq = input('W_hq');
  const logitsProduct = find((n) => n.op === 'matmul' && n.inputs[1] === Whq?.id);
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
    ...['W_xh', 'W_hh', 'b_h', 'W_hq', 'b_q'].map((name) => ({ name, type: type(input(name)) })),
  ];
}

/** What predicts: parameters, their vocabulary and model, and how a prefix is preprocessed. */
interface Model {
  readonly params: Params;
  readonly vocab: Vocab;
  readonly spec: ModelSpec;
  readonly preprocess: Preprocessing;
}

export class DemoEngine {
  private backend: Backend | undefined;
  private run: Run | undefined;
  private model: Model | undefined;
  private predictor: ProbabilityPredictor | undefined;
  private predictorKey = '';
  private controller: AbortController | undefined;
  private running = false;
  private prefix = 'time traveller';
  private numPreds = 40;
  private temperature = 0;
  private seed = 0;

  constructor(
    private readonly post: (message: FromEngine, transfer?: Transferable[]) => void,
    private readonly options: { readonly threadsNote?: string } = {},
  ) {}

  handle(message: ToEngine): void {
    const guarded = (work: Promise<void>) => work.catch((err) => this.post({ type: 'error', message: firstLine(err) }));
    switch (message.type) {
      case 'backends':
        return void guarded(this.listBackends());
      case 'start':
        return void guarded(this.start(message.config));
      case 'stop':
        return this.controller?.abort();
      case 'resume':
        return void guarded(this.resume(message.backend, message.epochs));
      case 'checkpoint':
        return this.checkpoint();
      case 'load':
        return void guarded(this.load(message.files, message.backend));
      case 'predict':
        this.prefix = message.prefix;
        this.temperature = message.temperature;
        // While training, the next epoch report carries the new prefix's prediction.
        if (!this.running) void guarded(this.predictAndPost());
    }
  }

  /** Every backend and device with its availability, and what `auto` would take. */
  private async listBackends(): Promise<void> {
    const statuses = await listBackends();
    const note = this.options.threadsNote;
    this.post({ type: 'backends', statuses, choice: autoChoice(statuses)?.id, ...(note ? { threadsNote: note } : {}) });
  }

  /** The backend `id`, opened once and kept until another one is asked for. */
  private async open(id: string): Promise<Backend> {
    const current = this.backend;
    if (current && `${current.name}:${current.device}` === id) return current;
    await this.predictor?.dispose();
    this.predictor = undefined;
    await current?.dispose();
    this.backend = undefined;
    this.backend = await resolveBackend(id);
    return this.backend;
  }

  private async predict(): Promise<Prediction> {
    const { model, backend } = this;
    const empty = { prefix: this.prefix, temperature: this.temperature, text: '', steps: [] };
    const prefix = model ? preprocessLine(this.prefix, model.preprocess) : '';
    if (!model || !backend || prefix.length === 0) return empty;
    const key = `${backend.name}:${backend.device} ${JSON.stringify(model.spec)}`;
    if (!this.predictor || this.predictorKey !== key) {
      await this.predictor?.dispose();
      this.predictor = await ProbabilityPredictor.create(backend, model.spec);
      this.predictorKey = key;
    }
    // Sampling draws from a fresh generator with the run's seed, so the same settings give the same text.
    const prediction = await this.predictor.predict(prefix, model.params, model.vocab, {
      numPreds: this.numPreds,
      temperature: this.temperature,
      rng: new Random(this.seed),
    });
    return { ...prediction, prefix: this.prefix };
  }

  private async predictAndPost(): Promise<void> {
    this.post({ type: 'prediction', prediction: await this.predict() });
  }

  private async start(config: DemoConfig): Promise<void> {
    if (this.running) return;
    this.prefix = config.prefix;
    this.numPreds = config.numPreds;
    this.temperature = config.temperature;
    this.seed = config.seed;
    const { numHiddens, batchSize, numSteps, maxTokens, lr, theta, sampler, seed, epochs } = config;
    const settings = { numHiddens, batchSize, numSteps, maxTokens, lr, theta, sampler, seed, numEpochs: epochs };
    const backend = await this.open(config.backend);
    this.run = startRun(runConfig(settings), CORPUS);
    await this.train(this.run, backend);
  }

  /** Continue the stopped (or loaded) run from its last completed epoch, exactly, on `backendId`. */
  private async resume(backendId: string, epochs: number): Promise<void> {
    if (this.running || !this.run) return;
    const backend = await this.open(backendId);
    const meta = checkpointMetaOf(this.run, backend, 'interrupted');
    const checkpoint = { meta, params: this.run.state.params, source: 'the stopped run' };
    this.run = resumeRun(checkpoint, CORPUS, { numEpochs: Math.max(epochs, meta.epoch + 1) });
    await this.train(this.run, backend);
  }

  private async train(run: Run, backend: Backend): Promise<void> {
    this.running = true;
    const controller = (this.controller = new AbortController());
    try {
      const { config, loader } = run;
      const spec = runModel(run);
      this.model = { params: run.state.params, vocab: run.vocab, spec, preprocess: config.preprocess };
      const plain = spec.cell === 'rnn' && spec.numLayers === 1 && spec.embedSize === 0;
      const graph = buildTrainStep({ ...spec, batchSize: config.batchSize, numSteps: config.numSteps });
      this.post({
        type: 'ready',
        info: {
          backend: `${backend.name}:${backend.device}`,
          vocabSize: spec.vocabSize,
          corpusLength: loader.corpus.length,
          batchesPerEpoch: loader.numBatches.max,
          numParams: numParams(spec),
          graphNodes: graph.nodes.length,
          shapes: plain ? stepShapes(graph) : [],
        },
      });
      await nextTurn();
      let gradNorms: number[] = [];
      const steps = loader.numBatches.max;
      const result = await trainRun(run, {
        backend,
        signal: controller.signal,
        prefixes: [], // the demo predicts itself, keeping the probabilities
        onStep: (s) => {
          gradNorms.push(s.gradNorm);
          this.post({ type: 'progress', epoch: s.epoch, step: s.step, steps, loss: s.loss });
        },
        onEpoch: async (info) => {
          this.model = { ...this.model!, params: info.params };
          const { epoch, numEpochs: epochs, perplexity, tokensPerSec } = info;
          const prediction = await this.predict();
          this.post({
            type: 'epoch',
            epoch,
            epochs,
            perplexity,
            tokensPerSec,
            gradNorms,
            theta: config.theta,
            prediction,
          });
          gradNorms = [];
          await nextTurn(); // handle Stop and prefix changes before the next epoch
        },
      });
      const reason = result.status === 'interrupted' ? 'stopped' : 'done';
      this.post({ type: 'finished', reason, epoch: run.state.epoch });
    } finally {
      this.running = false;
    }
  }

  /** The current run (or the loaded checkpoint) as the CLI's two checkpoint files. */
  private checkpoint(): void {
    const { run, backend } = this;
    if (!run || !backend) {
      this.post({ type: 'error', message: 'nothing to save yet: train first, or load a checkpoint' });
      return;
    }
    const status: CheckpointMeta['status'] = this.running
      ? 'running'
      : run.state.epoch >= run.config.numEpochs
        ? 'completed'
        : 'interrupted';
    const files = encodeCheckpointFiles(checkpointMetaOf(run, backend, status), run.state.params);
    this.post({ type: 'checkpoint', files }, [files['params.safetensors'].buffer as ArrayBuffer]);
  }

  /** Read a checkpoint (the CLI's files); predict with it, and continue training it when it is of this corpus. */
  private async load(files: CheckpointFiles, backendId: string): Promise<void> {
    if (this.running) return;
    const meta = decodeCheckpointMeta(files['checkpoint.json'], 'checkpoint.json');
    const spec = checkpointModel(meta);
    const params = decodeCheckpointParams(files['params.safetensors'], spec, 'params.safetensors');
    const vocab = Vocab.fromJSON(meta.vocab);
    let cannotResume: string | undefined;
    try {
      this.run = resumeRun({ meta, params, source: 'the loaded checkpoint' }, CORPUS);
    } catch (err) {
      this.run = undefined;
      cannotResume = firstLine(err);
    }
    this.model = { params, vocab, spec, preprocess: meta.hyperparameters.preprocess };
    await this.open(backendId);
    const info: LoadedInfo = {
      epoch: meta.epoch,
      numEpochs: meta.hyperparameters.numEpochs,
      backend: meta.backend,
      numHiddens: spec.numHiddens,
      cell: spec.cell ?? 'rnn',
      history: meta.history.map((h) => h.perplexity),
      ...(cannotResume !== undefined ? { cannotResume } : {}),
    };
    this.post({ type: 'loaded', info, prediction: await this.predict() });
  }
}
