/**
 * `rnn-scratch train`: d2l's `train_ch8` for the RNN from scratch (8.5), with the book's defaults
 * (core's `BOOK_DEFAULTS`: H=512, B=32, T=35, lr=1, theta=1, 500 epochs, the first 10,000 tokens,
 * sequential partitioning).
 *
 * The command reads as a short story: parse the flags -> build the run (new, or resumed from a checkpoint)
 * -> train with callbacks that draw progress and save checkpoints -> report. Everything that is not about
 * the command line (resuming exactly, divergence, the checkpoint's metadata) is core's `train/run.ts`.
 */

import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

import {
  BOOK_DEFAULTS,
  DataError,
  DivergenceError,
  PREPROCESSING_CHOICES,
  SAMPLER_CHOICES,
  ACTIVATION_CHOICES,
  BPTT_CHOICES,
  CELL_CHOICES,
  INIT_CHOICES,
  checkpointMetaOf,
  encodeCheckpointParams,
  isDataError,
  makeExchange,
  numParams,
  runModel,
  preprocessLine,
  resumeConflict,
  resumeRun,
  heldOut,
  runConfig,
  startRun,
  trainRun,
  type Backend,
  type CheckpointMeta,
  type Run,
  type RunConfig,
  type RunCorpus,
  type RunTrainOptions,
  type TrainResult,
} from '@rnn-scratch/core';
import { bundledCorpusPath, checkTimeMachineSha256, readCorpusFile, workerStepCompiler } from '@rnn-scratch/core/node';

import { UsageError, type FlagValues } from '../args.js';
import { backendModules, openBackend } from '../backends.js';
import { planCores } from '../cores.js';
import { checkOutDir, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from '../checkpoint.js';
import { defineCommand, type CommandContext } from '../command.js';
import { CliError, EXIT_BACKEND, EXIT_DIVERGED, EXIT_INTERRUPTED } from '../errors.js';
import { perplexitySvg } from '../plot.js';
import { TrainOutput } from '../train-output.js';

const positive = (value: number) => (value > 0 ? undefined : `must be greater than 0, got ${value}`);
const book = BOOK_DEFAULTS;
const orCheckpoint = (value: string | number) => `${value}; with --resume, the checkpoint's`;

/** Columns of the embedding table when --input embedding is given without --embed-size. */
const DEFAULT_EMBED_SIZE = 32;

const flags = [
  {
    name: 'backend',
    type: 'string',
    placeholder: 'ID',
    help: 'backend[:device]: auto, reference, onnx, onnx:webgpu, onnx:cuda, tfjs, tfjs:wasm, ... (rnn-scratch backends lists them)',
    defaultLabel: orCheckpoint('auto'),
  },
  {
    name: 'epochs',
    type: 'int',
    min: 1,
    help: 'total epochs; with --resume the epochs already done count (2 done + --epochs 4 trains epochs 3-4)',
    defaultLabel: orCheckpoint(book.numEpochs),
  },
  { name: 'lr', type: 'number', validate: positive, help: 'learning rate of SGD', defaultLabel: orCheckpoint(book.lr) },
  {
    name: 'cell',
    type: 'choice',
    choices: CELL_CHOICES,
    help: 'rnn (d2l 8.5), gru (9.1: update and reset gates) or lstm (9.2: gates and a memory cell)',
    defaultLabel: book.cell,
  },
  {
    name: 'num-layers',
    type: 'int',
    min: 1,
    help: 'stacked cells, each reading the hidden states of the one below (9.3)',
    defaultLabel: `${book.numLayers}`,
  },
  {
    name: 'init',
    type: 'choice',
    choices: INIT_CHOICES,
    help: "initial parameters: normal (the book's scratch code: N(0, 0.01^2), zero biases) or uniform (PyTorch's nn.RNN/GRU/LSTM: U(-1/sqrt(H), 1/sqrt(H)))",
    defaultLabel: book.init,
  },
  {
    name: 'activation',
    type: 'choice',
    choices: ACTIVATION_CHOICES,
    help: "the RNN's nonlinearity: tanh (the book) or relu (exercise 6); --cell rnn only",
    defaultLabel: book.activation,
  },
  {
    name: 'input',
    type: 'choice',
    choices: ['one-hot', 'embedding'],
    help: 'one-hot vectors (the book) or a learned embedding table of --embed-size columns (exercise 2)',
    defaultLabel: 'one-hot',
  },
  {
    name: 'embed-size',
    type: 'int',
    min: 1,
    help: 'columns of the embedding table, with --input embedding',
    defaultLabel: `${DEFAULT_EMBED_SIZE}`,
  },
  { name: 'num-hiddens', type: 'int', min: 1, help: 'hidden units H', defaultLabel: `${book.numHiddens}` },
  { name: 'batch-size', type: 'int', min: 1, help: 'subsequences per minibatch B', defaultLabel: `${book.batchSize}` },
  {
    name: 'num-steps',
    type: 'int',
    min: 1,
    help: 'time steps per subsequence T (truncated BPTT length)',
    defaultLabel: `${book.numSteps}`,
  },
  {
    name: 'max-tokens',
    type: 'int',
    min: -1,
    help: 'train on the first N tokens of the corpus; 0 or -1 keeps all',
    defaultLabel: `${book.maxTokens}`,
  },
  {
    name: 'sampler',
    type: 'choice',
    choices: SAMPLER_CHOICES,
    help: "sequential: state carried through each epoch (the book); random: random subsequences, state reset per minibatch; book-random: sequential data, state reset per minibatch (the book's 'random' run)",
    defaultLabel: book.sampler,
  },
  {
    name: 'theta',
    type: 'number',
    infinity: true,
    validate: positive,
    help: 'gradient clipping threshold (global L2 norm); inf: no clipping (exercise 4)',
    defaultLabel: orCheckpoint(book.theta),
  },
  {
    name: 'bptt',
    type: 'choice',
    choices: BPTT_CHOICES,
    help: "minibatch: the gradient stops at each minibatch (the book's detach_); epoch: it reaches back to the epoch's start (exercise 5; --sampler sequential only; slower, one graph per minibatch index)",
    defaultLabel: orCheckpoint(book.bptt),
  },
  {
    name: 'valid-tokens',
    type: 'int',
    min: 1,
    help: 'evaluate the held-out perplexity every --every epochs on the N tokens of the corpus right after the training ones (never trained on)',
  },
  {
    name: 'valid-corpus',
    type: 'string',
    placeholder: 'FILE',
    help: 'evaluate the held-out perplexity on another text (same preprocessing; characters outside the training vocabulary count as <unk>)',
  },
  {
    name: 'seed',
    type: 'int',
    min: 0,
    help: 'seed of the initial weights and of the data offsets and shuffles',
    defaultLabel: `${book.seed}`,
  },
  {
    name: 'corpus',
    type: 'string',
    placeholder: 'FILE',
    help: 'corpus text file (UTF-8)',
    defaultLabel: orCheckpoint('the bundled timemachine.txt'),
  },
  {
    name: 'preprocess',
    formerly: 'mode',
    type: 'choice',
    choices: PREPROCESSING_CHOICES,
    help: "book (d2l's letters-only lower-case text) or unicode (keep every character)",
    defaultLabel: book.preprocess,
  },
  {
    name: 'threads',
    type: 'int',
    min: 1,
    help: 'intra-op threads, for backends that have them',
    defaultLabel: "the backend's choice",
  },
  {
    name: 'workers',
    type: 'string',
    placeholder: 'N|auto',
    default: 'auto',
    validate: (v: string) =>
      v === 'auto' || /^[1-9]\d*$/.test(v) ? undefined : `must be auto or a positive integer, got '${v}'`,
    help: "train on N CPU cores: each minibatch's subsequences split across N worker threads, one engine and one thread each; the mean of their gradients is clipped and applied once, so the numbers are the book's to float rounding (--batch-size must divide by N; not with --bptt epoch). auto: the cores when that was measured faster (onnx:cpu, mid-sized models), else one engine; with --threads, one engine",
  },
  {
    name: 'every',
    type: 'int',
    min: 1,
    default: book.every,
    help: 'print a prediction and save a checkpoint every N epochs',
  },
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    help: 'checkpoint folder: params.safetensors, checkpoint.json, perplexity.svg',
    defaultLabel: 'runs/<date>T<time>; with --resume, the resumed folder',
  },
  {
    name: 'resume',
    type: 'string',
    placeholder: 'CHECKPOINT',
    help: 'continue a run from its checkpoint folder, exactly where it stopped',
  },
  {
    name: 'prefix',
    type: 'string',
    placeholder: 'TEXT',
    help: "predict from this prefix instead of the book's 'time traveller' and 'traveller' (for another corpus); it is preprocessed like the corpus (--preprocess book: lower-cased, letters only)",
  },
  {
    name: 'json',
    type: 'boolean',
    help: 'print one JSON object at the end instead of text (progress only as a bar on a terminal)',
  },
  {
    name: 'export-exchange',
    type: 'string',
    placeholder: 'DIR',
    help: "also write the initial parameters (params.safetensors) and the first minibatches (batches.json) to DIR, for replaying them in another implementation (such as the rnn-scratch repository's PyTorch script: python bench/torch_rnn.py --exchange DIR); training is unchanged",
  },
  { name: 'exchange-steps', type: 'int', min: 1, default: 20, help: 'how many minibatches --export-exchange writes' },
] as const;

type TrainFlags = FlagValues<typeof flags>;

/** The parameters just before a divergence, saved next to the last good checkpoint. */
const LAST_GOOD_FILE = 'last-good-params.safetensors';

export const trainCommand = defineCommand({
  name: 'train',
  summary: "train the RNN (or GRU, LSTM) from scratch like d2l's train_ch8 (book defaults: H=512, 500 epochs)",
  description: [
    "Trains the character RNN of d2l 8.5 on The Time Machine, like the book's train_ch8, with its defaults:",
    '512 hidden units, minibatches of 32 x 35, lr 1, clipping at 1, 500 epochs on the first 10,000 characters,',
    'sequential partitioning. Every --every epochs it prints the perplexity and a prediction and saves a',
    "checkpoint; at the end it prints the last epoch's perplexity and speed and two predictions.",
    '',
    "The book's settings, section by section (everything else as in 8.5):",
    '  8.5  RNN from scratch    rnn-scratch train',
    '  9.1  GRU                 rnn-scratch train --cell gru --num-hiddens 256',
    '  9.2  LSTM                rnn-scratch train --cell lstm --num-hiddens 256',
    '  9.3  deep RNN (LSTM)     rnn-scratch train --cell lstm --num-layers 2 --num-hiddens 256 --lr 2 --init uniform',
    '       (9.3 uses nn.LSTM, hence --init uniform; the scratch init N(0, 0.01^2) learns much later there)',
    '',
    'Checkpoints go to --out (params.safetensors, checkpoint.json, perplexity.svg); a save never leaves the',
    'folder without a loadable checkpoint, even when killed or when the disk is full. --out is checked before',
    'training starts. Ctrl-C saves the last completed epoch and exits with 130; --resume DIR continues exactly',
    '(same data order, same numbers).',
    '',
    'Examples:',
    '  rnn-scratch train',
    '  rnn-scratch train --backend onnx:cpu --epochs 50 --out runs/quick',
    '  rnn-scratch train --resume runs/quick --epochs 100',
    '  rnn-scratch train --num-hiddens 8 --epochs 3 --max-tokens 400 --batch-size 4 --num-steps 5 --backend reference',
  ].join('\n'),
  flags,
  async run(options, io) {
    const started = performance.now();
    const { run, resumed } = buildRun(options);
    if (options.exportExchange !== undefined) exportExchange(run, options.exportExchange, options.exchangeSteps);
    const out = options.out ?? resumed?.dir ?? defaultOutDir();
    checkOutDir(out, resumed?.dir, saveBytes(run));
    const prefixes = options.prefix !== undefined ? [preprocessPrefix(options.prefix, run)] : book.prefixes;
    const { backend, workers } = await openCores(run, options, resumed?.meta.backend, io);
    const compileStep = workers > 1 ? workerSteps(workers, backend) : undefined;

    const output = new TrainOutput(io, options.json, backend, workers);
    output.header(run, { resumed: resumed?.dir, out });
    const { every } = options;
    const result = await trainWithCheckpoints(run, backend, { out, every, prefixes, output, io, compileStep });
    output.report(run, result, { out, wallSeconds: (performance.now() - started) / 1000, prefixes });
  },
});

/** A new run from the flags and the book's defaults, or the checkpoint's run with the flags allowed to change. */
function buildRun(options: TrainFlags): { run: Run; resumed?: LoadedCheckpoint } {
  if (options.embedSize !== undefined && options.input !== 'embedding') {
    throw new UsageError('--embed-size sets the embedding table: give --input embedding too');
  }
  if (options.validTokens !== undefined && options.validCorpus !== undefined) {
    throw new UsageError('give --valid-tokens or --valid-corpus, not both');
  }
  const requested: Partial<RunConfig> = {
    cell: options.cell,
    numLayers: options.numLayers,
    init: options.init,
    activation: options.activation,
    embedSize:
      options.input === undefined
        ? undefined
        : options.input === 'embedding'
          ? (options.embedSize ?? DEFAULT_EMBED_SIZE)
          : 0,
    numHiddens: options.numHiddens,
    batchSize: options.batchSize,
    numSteps: options.numSteps,
    maxTokens: options.maxTokens,
    sampler: options.sampler,
    preprocess: options.preprocess,
    seed: options.seed,
  };
  const changes = {
    lr: options.lr,
    theta: options.theta,
    numEpochs: options.epochs,
    bptt: options.bptt,
    ...heldOutChanges(options),
  };
  if (options.resume === undefined) {
    return { run: withHeldOut(startRun(runConfig({ ...requested, ...changes }), readRunCorpus(options.corpus))) };
  }
  const resumed = loadCheckpoint(options.resume);
  const conflict = resumeConflict(resumed.meta, requested);
  if (conflict) {
    const flag = `--${kebab(conflict.key)}`;
    throw new UsageError(
      `${flag} ${conflict.given} conflicts with the checkpoint ${resumed.dir}, which was trained with ${flag} ${conflict.saved}; leave ${flag} out when resuming`,
    );
  }
  const run = resumeRun({ ...resumed, source: resumed.dir }, readRunCorpus(options.corpus, resumed), changes);
  if (run.config.numEpochs <= run.state.epoch) {
    throw new UsageError(
      `the checkpoint ${resumed.dir} has already trained ${run.state.epoch} epochs and --epochs is the total (${run.config.numEpochs}); give --epochs ${run.state.epoch + 1} or more to train on`,
    );
  }
  return { run: withHeldOut(run), resumed };
}

/** --workers N splits each minibatch into N equal shards, one minibatch per step. */
function checkWorkers(workers: number, run: Run): void {
  if (workers === 1) return;
  const { batchSize, bptt } = run.config;
  if (batchSize % workers !== 0)
    throw new UsageError(`--workers ${workers} needs a --batch-size that divides by ${workers}, got ${batchSize}`);
  if (bptt === 'epoch') throw new UsageError(`--workers ${workers} runs one minibatch per step: not with --bptt epoch`);
}

/** The train step across `workers` threads, each opening the same backend as this run with one thread. */
function workerSteps(workers: number, backend: Backend): RunTrainOptions['compileStep'] {
  const id = `${backend.name}:${backend.device}`;
  return workerStepCompiler(workers, backend, { backend: id, threads: 1, modules: backendModules(backend.name) });
}

/** --valid-tokens or --valid-corpus replace the held-out data of a resumed run. */
function heldOutChanges(options: TrainFlags): Partial<RunConfig> {
  if (options.validTokens !== undefined) return { validTokens: options.validTokens, validCorpus: null };
  if (options.validCorpus !== undefined) return { validTokens: 0, validCorpus: resolve(options.validCorpus) };
  return {};
}

/** The run with its held-out text attached, when its config asks for one. */
function withHeldOut(run: Run): Run {
  const { validTokens, validCorpus } = run.config;
  if (validTokens > 0) run.valid = heldOut(run, { tokens: validTokens });
  if (validCorpus !== null) run.valid = heldOut(run, { text: readCorpusFile(validCorpus), source: validCorpus });
  return run;
}

/** The corpus: --corpus, else the resumed checkpoint's file, else the bundled book. */
function readRunCorpus(given: string | undefined, resumed?: LoadedCheckpoint): RunCorpus {
  const path = given ?? resumed?.meta.corpus.path ?? null;
  const file = path ?? bundledCorpusPath();
  try {
    const text = readCorpusFile(file);
    return {
      text,
      path: path === null ? null : resolve(path),
      sha256: checkTimeMachineSha256(file).sha256,
      source: file,
    };
  } catch (err) {
    if (!(resumed && given === undefined && isDataError(err))) throw err;
    throw new DataError(
      err.code,
      `${err.message} (the corpus of checkpoint ${resumed.dir}; give it with --corpus FILE)`,
    );
  }
}

/** About the free space a save needs: one more parameters file (the old one stays until the commit) and the rest. */
function saveBytes(run: Run): number {
  return (
    encodeCheckpointParams(run.state.params).length + 64 * 1024 + 100 * run.config.numEpochs + 16 * run.vocab.length
  );
}

/** --prefix, preprocessed like the corpus (the book's preprocessing lower-cases it and keeps only letters). */
function preprocessPrefix(prefix: string, run: Run): string {
  const cleaned = preprocessLine(prefix, run.config.preprocess);
  if (cleaned === '') {
    throw new UsageError(
      `--prefix ${JSON.stringify(prefix)} is empty once preprocessed like the corpus (--preprocess ${run.config.preprocess}); give some letters`,
    );
  }
  return cleaned;
}

/** Write the first minibatches training will see, then rewind the generator so training is unchanged. */
function exportExchange(run: Run, dir: string, steps: number): void {
  const rngState = run.rng.getState();
  const { lr, theta, sampler } = run.config;
  const exchange = makeExchange(run.loader, run.state.params, run.vocab.idxToToken, { steps, lr, theta, sampler });
  run.rng.setState(rngState);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'params.safetensors'), exchange.params);
  writeFileSync(join(dir, 'batches.json'), JSON.stringify(exchange.json));
}

/**
 * The backend, and how many workers train on it: --workers N (checked before the backend is opened), or
 * what `planCores` chooses for auto.
 */
async function openCores(
  run: Run,
  options: TrainFlags,
  saved: string | undefined,
  io: CommandContext,
): Promise<{ backend: Backend; workers: number }> {
  if (options.workers !== 'auto') {
    const workers = Number(options.workers);
    checkWorkers(workers, run);
    return { backend: await openTrainBackend(options, saved, io), workers };
  }
  const backend = await openTrainBackend(options, saved, io);
  const id = `${backend.name}:${backend.device}`;
  const { batchSize, bptt } = run.config;
  const plan = planCores({
    backend: id,
    cores: availableParallelism(),
    numParams: numParams(runModel(run)),
    batchSize,
    bptt,
    threads: options.threads,
  });
  if (plan.threads === undefined) return { backend, workers: plan.workers };
  await backend.dispose();
  return { backend: await openBackend(id, { threads: plan.threads }), workers: plan.workers };
}

/** --backend, else the checkpoint's backend (falling back to auto when it cannot run here), else auto. */
async function openTrainBackend(options: TrainFlags, saved: string | undefined, io: CommandContext): Promise<Backend> {
  const threads = options.threads;
  try {
    return await openBackend(options.backend ?? saved ?? 'auto', { threads });
  } catch (err) {
    // The checkpoint's backend may not run here, or not exist here (a browser's onnx:wasm): use auto.
    const unusable = (err instanceof CliError && err.exitCode === EXIT_BACKEND) || err instanceof UsageError;
    if (options.backend !== undefined || saved === undefined || !unusable) throw err;
    io.stderr.write(`rnn-scratch: note: the checkpoint's backend is unavailable here (${err.message}); using auto\n`);
    return openBackend('auto', { threads });
  }
}

/**
 * Train to the end, saving a checkpoint every `every` epochs, at the end, on Ctrl-C (then exit 130) and on
 * divergence (then exit 6, with the parameters just before the bad step beside the last good checkpoint).
 */
async function trainWithCheckpoints(
  run: Run,
  backend: Backend,
  o: {
    out: string;
    every: number;
    prefixes: readonly string[];
    output: TrainOutput;
    io: CommandContext;
    compileStep?: RunTrainOptions['compileStep'];
  },
): Promise<TrainResult> {
  const save = (status: CheckpointMeta['status'], diverged?: DivergenceError) =>
    saveRun(run, backend, o.out, status, diverged);
  const ctrlC = stopOnCtrlC(o.output, o.io);
  let result: TrainResult;
  try {
    result = await trainRun(run, {
      backend: yielding(backend),
      every: o.every,
      prefixes: o.prefixes,
      signal: ctrlC.signal,
      compileStep: o.compileStep,
      onEpoch: (info) => {
        o.output.epoch(info);
        if (info.epoch % o.every === 0 && info.epoch !== info.numEpochs) save('running');
      },
    });
  } catch (err) {
    o.output.finish();
    if (!(err instanceof DivergenceError)) throw err;
    save('diverged', err);
    throw divergedError(err, run, o.out);
  } finally {
    ctrlC.dispose();
    await backend.dispose();
  }
  o.output.finish();
  if (result.status === 'interrupted') {
    save('interrupted');
    throw new CliError(
      EXIT_INTERRUPTED,
      `interrupted during epoch ${run.state.epoch + 1}; saved the checkpoint of epoch ${run.state.epoch} to ${o.out} ` +
        `(continue with: rnn-scratch train --resume ${o.out})`,
    );
  }
  save('completed');
  return result;
}

/** Save the run as it stands, with its perplexity curve (and, after a divergence, the last good parameters). */
function saveRun(
  run: Run,
  backend: Backend,
  out: string,
  status: CheckpointMeta['status'],
  diverged?: DivergenceError,
): void {
  const meta = checkpointMetaOf(run, backend, status, diverged);
  const svg = perplexitySvg(meta.history, { title: `perplexity, ${meta.backend}, H=${run.config.numHiddens}` });
  const extra: Record<string, Uint8Array> = diverged
    ? { [LAST_GOOD_FILE]: encodeCheckpointParams(diverged.lastGoodParams) }
    : {};
  saveCheckpoint(out, meta, run.state.params, { 'perplexity.svg': svg, ...extra });
  // A resumed run that went on past an old divergence: its last good parameters are history now.
  if (!diverged) rmSync(join(out, LAST_GOOD_FILE), { force: true });
}

/** Core says what diverged; the command line adds where it saved what, and which flags to try. */
function divergedError(err: DivergenceError, run: Run, out: string): CliError {
  const where =
    err.step === undefined
      ? `epoch ${err.epoch} (perplexity ${err.value})`
      : `epoch ${err.epoch}, minibatch ${err.step} (loss ${err.value})`;
  const before = err.step === undefined ? `at the end of epoch ${run.state.epoch}` : 'just before the bad step';
  return new CliError(
    EXIT_DIVERGED,
    `training diverged at ${where}; saved the last good checkpoint (epoch ${run.state.epoch}) to ${out} ` +
      `and the parameters ${before} to ${out}/${LAST_GOOD_FILE}; try a smaller --lr or --theta`,
    { cause: err },
  );
}

/** Ctrl-C stops training after the current minibatch (to save a checkpoint); a second Ctrl-C quits at once. */
function stopOnCtrlC(output: TrainOutput, io: CommandContext): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      output.finish();
      io.stderr.write('rnn-scratch: interrupted twice; exiting without saving\n');
      process.exit(EXIT_INTERRUPTED);
    }
    controller.abort();
    output.note('rnn-scratch: stopping after this minibatch to save a checkpoint (Ctrl-C again quits without saving)');
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

/** A backend whose executables give the event loop a turn before each run, so Ctrl-C is seen promptly. */
function yielding(backend: Backend): Backend {
  return {
    ...pick(backend),
    async compile(graph) {
      const exe = await backend.compile(graph);
      return {
        inputNames: exe.inputNames,
        outputNames: exe.outputNames,
        async run(feeds) {
          await new Promise((resolve) => setImmediate(resolve));
          return exe.run(feeds);
        },
        dispose: () => exe.dispose(),
      };
    },
    dispose: () => backend.dispose(),
  };
}

function pick({ specVersion, name, device, floatPrecision }: Backend) {
  return { specVersion, name, device, floatPrecision };
}

/** A new folder under runs/ named after the current time. */
function defaultOutDir(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, '');
  let dir = `runs/${stamp}`;
  for (let k = 2; existsSync(dir); k++) dir = `runs/${stamp}-${k}`;
  return dir;
}

/** `numHiddens` -> `num-hiddens`: a run setting's flag name. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
