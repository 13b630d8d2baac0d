/**
 * `rnn-scratch train`: d2l's `train_ch8` for the RNN from scratch (8.5), with the book's defaults
 * (H=512, B=32, T=35, lr=1, theta=1, 500 epochs, the first 10,000 tokens, sequential partitioning).
 *
 * Prints like the book: every `--every` epochs the epoch, its perplexity and the prediction for
 * 'time traveller'; at the end `perplexity 1.0, 31234.5 tokens/sec on onnx:cpu` and the predictions for
 * 'time traveller' and 'traveller'. Checkpoints (see ../checkpoint.ts) are saved every `--every` epochs, at
 * the end, on Ctrl-C and on divergence; `--resume` continues a run bit for bit.
 */

import { join, resolve } from 'node:path';

import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  DataError,
  encodeCheckpointParams,
  getParams,
  makeExchange,
  isDataError,
  numParams,
  PREPROCESS_MODES,
  Random,
  SAMPLING_MODES,
  samplerFor,
  SeqDataLoader,
  train,
  type Backend,
  type CheckpointMeta,
  type DivergenceError,
  type RnnParams,
  type SamplingMode,
  type PreprocessMode,
} from '@rnn-scratch/core';
import { bundledCorpusPath, checkTimeMachineSha256, readCorpusFile } from '@rnn-scratch/core/node';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

import { UsageError } from '../args.js';
import { openBackend } from '../backends.js';
import { checkOutDir, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from '../checkpoint.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT_BACKEND, EXIT_CHECKPOINT, EXIT_DIVERGED, EXIT_INTERRUPTED } from '../errors.js';
import { perplexitySvg, sparkline, type Point } from '../plot.js';
import { formatDuration, isTty, ProgressBar } from '../progress.js';

/** The book's settings (d2l 8.5). */
export const TRAIN_DEFAULTS = {
  backend: 'auto',
  epochs: 500,
  lr: 1,
  numHiddens: 512,
  batchSize: 32,
  numSteps: 35,
  maxTokens: 10000,
  sampler: 'sequential' as SamplingMode,
  theta: 1,
  seed: 0,
  mode: 'book' as PreprocessMode,
} as const;

/** The prefixes train_ch8 predicts from. */
const PREFIXES = ['time traveller', 'traveller'] as const;

const positive = (value: number) => (value > 0 ? undefined : `must be greater than 0, got ${value}`);

const flags = [
  {
    name: 'backend',
    type: 'string',
    placeholder: 'ID',
    help: 'backend[:device]: auto, reference, onnx, onnx:webgpu, onnx:cuda, tfjs, tfjs:wasm, ... (rnn-scratch backends lists them)',
    defaultLabel: "auto; with --resume, the checkpoint's",
  },
  {
    name: 'epochs',
    type: 'int',
    min: 1,
    help: 'total epochs; with --resume the epochs already done count (2 done + --epochs 4 trains epochs 3-4)',
    defaultLabel: "500; with --resume, the checkpoint's",
  },
  { name: 'lr', type: 'number', validate: positive, help: 'learning rate of SGD', defaultLabel: "1; with --resume, the checkpoint's" },
  { name: 'num-hiddens', type: 'int', min: 1, help: 'hidden units H', defaultLabel: '512' },
  { name: 'batch-size', type: 'int', min: 1, help: 'subsequences per minibatch B', defaultLabel: '32' },
  { name: 'num-steps', type: 'int', min: 1, help: 'time steps per subsequence T (truncated BPTT length)', defaultLabel: '35' },
  {
    name: 'max-tokens',
    type: 'int',
    min: -1,
    help: 'train on the first N tokens of the corpus; 0 or -1 keeps all',
    defaultLabel: '10000',
  },
  {
    name: 'sampler',
    type: 'choice',
    choices: SAMPLING_MODES,
    help: "sequential: state carried through each epoch (the book); random: random subsequences, state reset per minibatch; book-random: sequential data, state reset per minibatch (the book's 'random' run)",
    defaultLabel: 'sequential',
  },
  { name: 'theta', type: 'number', validate: positive, help: 'gradient clipping threshold (global L2 norm)', defaultLabel: "1; with --resume, the checkpoint's" },
  { name: 'seed', type: 'int', min: 0, help: 'seed of the initial weights and of the data offsets and shuffles', defaultLabel: '0' },
  { name: 'corpus', type: 'string', placeholder: 'FILE', help: 'corpus text file (UTF-8)', defaultLabel: "the bundled timemachine.txt; with --resume, the checkpoint's" },
  {
    name: 'mode',
    type: 'choice',
    choices: PREPROCESS_MODES,
    help: "preprocessing: book (d2l's letters-only lower-case text) or unicode (keep every character)",
    defaultLabel: 'book',
  },
  { name: 'threads', type: 'int', min: 1, help: 'intra-op threads, for backends that have them', defaultLabel: "the backend's choice" },
  { name: 'every', type: 'int', min: 1, default: 10, help: 'print a prediction and save a checkpoint every N epochs' },
  {
    name: 'out',
    type: 'string',
    placeholder: 'DIR',
    help: 'checkpoint folder: params.safetensors, checkpoint.json, perplexity.svg',
    defaultLabel: 'runs/<date>T<time>; with --resume, the resumed folder',
  },
  { name: 'resume', type: 'string', placeholder: 'CHECKPOINT', help: 'continue a run from its checkpoint folder, exactly where it stopped' },
  {
    name: 'prefix',
    type: 'string',
    placeholder: 'TEXT',
    help: "predict from this prefix instead of the book's 'time traveller' and 'traveller' (for another corpus)",
  },
  { name: 'json', type: 'boolean', help: 'print one JSON object at the end instead of text (progress only as a bar on a terminal)' },
  {
    name: 'export-exchange',
    type: 'string',
    placeholder: 'DIR',
    help: 'also write the initial parameters (params.safetensors) and the first minibatches (batches.json) to DIR, for replaying them in another implementation (bench/torch_rnn.py --exchange DIR); training is unchanged',
  },
  { name: 'exchange-steps', type: 'int', min: 1, default: 20, help: 'how many minibatches --export-exchange writes' },
] as const;

/** A new folder under runs/ named after the current time. */
function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, '');
  let dir = `runs/${stamp}`;
  for (let k = 2; existsSync(dir); k++) dir = `runs/${stamp}-${k}`;
  return dir;
}

/** A backend whose executables give the event loop a turn before each run, so Ctrl-C is seen promptly. */
function yielding(backend: Backend): Backend {
  return {
    specVersion: backend.specVersion,
    name: backend.name,
    device: backend.device,
    floatPrecision: backend.floatPrecision,
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

/** Refuse a flag whose value differs from the checkpoint's (it would change the data or the shapes). */
function checkSame(flag: string, given: string | number | undefined, saved: string | number, dir: string): void {
  if (given !== undefined && given !== saved) {
    throw new UsageError(
      `--${flag} ${given} conflicts with the checkpoint ${dir}, which was trained with --${flag} ${saved}; leave --${flag} out when resuming`,
    );
  }
}

/** The epoch's perplexity exp(mean loss) is not finite although every minibatch loss was. */
class PerplexityOverflow extends Error {
  override readonly name = 'PerplexityOverflow';
  constructor(
    readonly epoch: number,
    readonly perplexity: number,
  ) {
    super(`perplexity ${perplexity} at epoch ${epoch}`);
  }
}

/** The facts of a divergence, from core's DivergenceError or our PerplexityOverflow; undefined for other errors. */
function divergenceOf(
  err: unknown,
  lastEpochParams: RnnParams,
): { epoch: number; step?: number; loss: string; lastGoodParams: RnnParams } | undefined {
  if (err instanceof PerplexityOverflow) {
    return { epoch: err.epoch, loss: `perplexity ${err.perplexity}`, lastGoodParams: lastEpochParams };
  }
  if (err instanceof Error && err.name === 'DivergenceError') {
    const d = err as DivergenceError;
    return { epoch: d.epoch, step: d.step, loss: String(d.loss), lastGoodParams: d.lastGoodParams };
  }
  return undefined;
}

/** 1 -> '1', 0.5 -> '0.5', 31234.56 -> '31234.6' (the book's {:.1f} for speeds). */
const f1 = (v: number) => v.toFixed(1);

export const trainCommand = defineCommand({
  name: 'train',
  summary: "train the RNN from scratch like d2l's train_ch8 (book defaults: H=512, 500 epochs)",
  description: [
    "Trains the character RNN of d2l 8.5 on The Time Machine, like the book's train_ch8, with its defaults:",
    '512 hidden units, minibatches of 32 x 35, lr 1, clipping at 1, 500 epochs on the first 10,000 characters,',
    'sequential partitioning. Every --every epochs it prints the perplexity and a prediction and saves a',
    'checkpoint; at the end it prints the last epoch\'s perplexity and speed and two predictions.',
    '',
    'Checkpoints go to --out (params.safetensors, checkpoint.json, perplexity.svg). Ctrl-C saves the last',
    'completed epoch and exits with 130; --resume DIR continues exactly (same data order, same numbers).',
    '',
    'Examples:',
    '  rnn-scratch train',
    '  rnn-scratch train --backend onnx:cpu --epochs 50 --out runs/quick',
    '  rnn-scratch train --resume runs/quick --epochs 100',
    '  rnn-scratch train --num-hiddens 8 --epochs 3 --max-tokens 400 --batch-size 4 --num-steps 5 --backend reference',
  ].join('\n'),
  flags,
  async run(options, { stdout, stderr }) {
    const started = performance.now();
    // ---- Work out the configuration (a checkpoint's, when resuming) and fail early on bad input. ----
    let resumed: LoadedCheckpoint | undefined;
    if (options.resume !== undefined) {
      resumed = loadCheckpoint(options.resume);
      const h = resumed.meta.hyperparameters;
      const dir = options.resume;
      checkSame('num-hiddens', options.numHiddens, h.numHiddens, dir);
      checkSame('batch-size', options.batchSize, h.batchSize, dir);
      checkSame('num-steps', options.numSteps, h.numSteps, dir);
      checkSame('max-tokens', options.maxTokens, h.maxTokens, dir);
      checkSame('sampler', options.sampler, h.sampler, dir);
      checkSame('mode', options.mode, h.mode, dir);
      checkSame('seed', options.seed, resumed.meta.seed, dir);
    }
    const saved = resumed?.meta;
    const config = {
      numHiddens: saved?.hyperparameters.numHiddens ?? options.numHiddens ?? TRAIN_DEFAULTS.numHiddens,
      batchSize: saved?.hyperparameters.batchSize ?? options.batchSize ?? TRAIN_DEFAULTS.batchSize,
      numSteps: saved?.hyperparameters.numSteps ?? options.numSteps ?? TRAIN_DEFAULTS.numSteps,
      maxTokens: saved?.hyperparameters.maxTokens ?? options.maxTokens ?? TRAIN_DEFAULTS.maxTokens,
      sampler: (saved?.hyperparameters.sampler ?? options.sampler ?? TRAIN_DEFAULTS.sampler) as SamplingMode,
      mode: (saved?.hyperparameters.mode ?? options.mode ?? TRAIN_DEFAULTS.mode) as PreprocessMode,
      lr: options.lr ?? saved?.hyperparameters.lr ?? TRAIN_DEFAULTS.lr,
      theta: options.theta ?? saved?.hyperparameters.theta ?? TRAIN_DEFAULTS.theta,
      numEpochs: options.epochs ?? saved?.hyperparameters.numEpochs ?? TRAIN_DEFAULTS.epochs,
    };
    const seed = saved?.seed ?? options.seed ?? TRAIN_DEFAULTS.seed;
    const startEpoch = saved?.epoch ?? 0;
    if (resumed && config.numEpochs <= startEpoch) {
      throw new UsageError(
        `the checkpoint ${resumed.dir} has already trained ${startEpoch} epochs and --epochs is the total (${config.numEpochs}); give --epochs ${startEpoch + 1} or more to train on`,
      );
    }

    // The corpus: the checkpoint's file (it must be the very same text), or --corpus, or the bundled book.
    const bundled = options.corpus === undefined && (saved === undefined || saved.corpus.path === null);
    const file = options.corpus ?? saved?.corpus.path ?? bundledCorpusPath();
    let text: string;
    try {
      text = readCorpusFile(file);
    } catch (err) {
      if (saved && options.corpus === undefined && isDataError(err)) {
        throw new DataError(err.code, `${err.message} (the corpus of checkpoint ${resumed!.dir}; give it with --corpus FILE)`);
      }
      throw err;
    }
    const sha256 = checkTimeMachineSha256(file).sha256;
    if (saved && sha256 !== saved.corpus.sha256) {
      throw new CliError(
        EXIT_CHECKPOINT,
        `the corpus ${file} is not the text the checkpoint ${resumed!.dir} was trained on (sha256 ${sha256.slice(0, 12)}... vs ${saved.corpus.sha256.slice(0, 12)}...)`,
      );
    }
    // One generator for everything, in a fixed order: the weights first, then each epoch's offset/shuffle.
    const rng = new Random(seed);
    const loader = new SeqDataLoader({
      text,
      batchSize: config.batchSize,
      numSteps: config.numSteps,
      sampler: samplerFor(config.sampler),
      maxTokens: config.maxTokens,
      mode: config.mode,
      rng,
      source: file,
    });
    const vocab = loader.vocab;
    let params: RnnParams;
    let history: Point[];
    if (resumed) {
      const want = resumed.meta.vocab.idxToToken;
      if (want.length !== vocab.length || want.some((t, i) => t !== vocab.idxToToken[i])) {
        throw new CheckpointError('SHAPE', `the corpus gives a different vocabulary than the checkpoint ${resumed.dir}`);
      }
      params = resumed.params;
      rng.setState(resumed.meta.dataRngState);
      history = [...resumed.meta.history];
    } else {
      params = getParams(vocab.length, config.numHiddens, rng);
      history = [];
    }

    if (options.exportExchange !== undefined) {
      // The first minibatches training will see: draw them, then rewind the generator so training is unchanged.
      const rngState = rng.getState();
      const ex = makeExchange(loader, params, vocab.idxToToken, { steps: options.exchangeSteps, lr: config.lr, theta: config.theta, mode: config.sampler });
      rng.setState(rngState);
      mkdirSync(options.exportExchange, { recursive: true });
      writeFileSync(join(options.exportExchange, 'params.safetensors'), ex.params);
      writeFileSync(join(options.exportExchange, 'batches.json'), JSON.stringify(ex.json));
    }

    const out = options.out ?? resumed?.dir ?? defaultOutDir();
    checkOutDir(out, resumed?.dir);

    // ---- The backend (exit code 5 when it cannot run here). ----
    let backendSpec = options.backend ?? saved?.backend ?? TRAIN_DEFAULTS.backend;
    let rawBackend: Backend;
    try {
      rawBackend = await openBackend(backendSpec, { threads: options.threads });
    } catch (err) {
      if (!(options.backend === undefined && saved && err instanceof CliError && err.exitCode === EXIT_BACKEND)) throw err;
      stderr.write(`rnn-scratch: note: the checkpoint's backend is unavailable here (${err.message}); using auto\n`);
      backendSpec = 'auto';
      rawBackend = await openBackend(backendSpec, { threads: options.threads });
    }
    const backendId = `${rawBackend.name}:${rawBackend.device}`;
    const backend = yielding(rawBackend);

    if (options.prefix === '') throw new UsageError('--prefix: give at least one character');
    const prefixes: readonly string[] = options.prefix !== undefined ? [options.prefix] : PREFIXES;

    // ---- Output helpers. ----
    const json = options.json;
    const tty = isTty(stderr);
    const bar = tty ? new ProgressBar(stderr) : undefined;
    const say = (line: string) => {
      if (json) return;
      if (bar) bar.above(stdout, `${line}\n`);
      else stdout.write(`${line}\n`);
    };
    const corpusLabel = bundled ? `${file} (bundled)` : file;
    const V = vocab.length;
    say(
      `rnn-scratch train: backend ${backendId}, vocab ${V}, hiddens ${config.numHiddens}, batch ${config.batchSize} x ${config.numSteps} steps, ` +
        `${numParams(V, config.numHiddens).toLocaleString('en-US')} parameters, lr ${config.lr}, theta ${config.theta}, sampler ${config.sampler}, seed ${seed}`,
    );
    say(
      `corpus ${corpusLabel}: ${loader.corpus.length} of ${loader.totalTokens} tokens (--max-tokens ${config.maxTokens}, mode ${config.mode}); ` +
        (resumed ? `resuming ${resumed.dir} at epoch ${startEpoch}, ` : '') +
        `epochs ${startEpoch + 1}-${config.numEpochs}; checkpoints in ${out}`,
    );

    // ---- Checkpoints: the state at the end of the last completed epoch. ----
    let snapshot = { epoch: startEpoch, params, rngState: rng.getState(), historyLength: history.length };
    const metaFor = (status: CheckpointMeta['status'], diverged?: CheckpointMeta['diverged']): CheckpointMeta => ({
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      createdAt: new Date().toISOString(),
      epoch: snapshot.epoch,
      seed,
      backend: backendId,
      hyperparameters: { ...config },
      corpus: { path: bundled ? null : resolve(file), sha256, tokens: loader.corpus.length },
      vocab: { idxToToken: [...vocab.idxToToken] },
      dataRngState: snapshot.rngState,
      history: history.slice(0, snapshot.historyLength),
      status,
      ...(diverged ? { diverged } : {}),
    });
    const save = (status: CheckpointMeta['status'], extra: Record<string, Uint8Array> = {}, diverged?: CheckpointMeta['diverged']) => {
      const meta = metaFor(status, diverged);
      const svg = perplexitySvg(meta.history, { title: `perplexity, ${backendId}, H=${config.numHiddens}` });
      saveCheckpoint(out, meta, snapshot.params, { 'perplexity.svg': svg, ...extra });
    };

    // ---- Ctrl-C: stop after the current minibatch, save, exit 130. A second Ctrl-C quits at once. ----
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) {
        bar?.finish();
        stderr.write('rnn-scratch: interrupted twice; exiting without saving\n');
        process.exit(EXIT_INTERRUPTED);
      }
      controller.abort();
      if (bar) bar.above(stderr, 'rnn-scratch: stopping after this minibatch to save a checkpoint (Ctrl-C again quits without saving)\n');
    };
    process.on('SIGINT', onSigint);

    const sessionStart = performance.now();
    let sessionEpochs = 0;
    let result;
    try {
      result = await train(
        backend,
        loader,
        vocab,
        params,
        { theta: config.theta },
        {
          numEpochs: config.numEpochs,
          lr: config.lr,
          mode: config.sampler,
          startEpoch,
          every: options.every,
          prefixes,
          signal: controller.signal,
          onEpoch: (info) => {
            // A finite but huge mean loss overflows exp(): as good as diverged, and not storable in JSON.
            if (!Number.isFinite(info.perplexity)) throw new PerplexityOverflow(info.epoch, info.perplexity);
            sessionEpochs++;
            history.push({ epoch: info.epoch, perplexity: info.perplexity });
            snapshot = { epoch: info.epoch, params: info.params, rngState: rng.getState(), historyLength: history.length };
            const perEpoch = (performance.now() - sessionStart) / 1000 / sessionEpochs;
            bar?.update({
              epoch: info.epoch,
              numEpochs: info.numEpochs,
              perplexity: info.perplexity,
              tokensPerSec: info.tokensPerSec,
              etaSeconds: perEpoch * (info.numEpochs - info.epoch),
            });
            if (info.predictions) {
              say(
                `epoch ${String(info.epoch).padStart(String(info.numEpochs).length)}/${info.numEpochs}  perplexity ${info.perplexity.toFixed(2)}  ` +
                  `${f1(info.tokensPerSec)} tokens/sec  ${info.predictions[prefixes[0]]}`,
              );
            }
            if (info.epoch % options.every === 0 && info.epoch !== info.numEpochs) save('running');
          },
        },
      );
    } catch (err) {
      bar?.finish();
      const d = divergenceOf(err, snapshot.params);
      if (d) {
        const lastGood = 'last-good-params.safetensors';
        save('diverged', { [lastGood]: encodeCheckpointParams(d.lastGoodParams) }, { epoch: d.epoch, step: d.step ?? 0, loss: d.loss });
        const where = d.step === undefined ? `epoch ${d.epoch} (${d.loss})` : `epoch ${d.epoch}, minibatch ${d.step} (loss ${d.loss})`;
        const before = d.step === undefined ? `at the end of epoch ${snapshot.epoch}` : 'just before the bad step';
        throw new CliError(
          EXIT_DIVERGED,
          `training diverged at ${where}; saved the last good checkpoint (epoch ${snapshot.epoch}) to ${out} ` +
            `and the parameters ${before} to ${out}/${lastGood}; try a smaller --lr or --theta`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      await rawBackend.dispose();
    }
    bar?.finish();

    if (result.status === 'interrupted') {
      save('interrupted');
      throw new CliError(
        EXIT_INTERRUPTED,
        `interrupted during epoch ${snapshot.epoch + 1}; saved the checkpoint of epoch ${snapshot.epoch} to ${out} ` +
          `(continue with: rnn-scratch train --resume ${out})`,
      );
    }
    save('completed');
    const wallSeconds = (performance.now() - started) / 1000;

    if (json) {
      const summary = {
        status: result.status,
        backend: backendId,
        seed,
        epoch: result.epoch,
        startEpoch,
        hyperparameters: config,
        vocabSize: V,
        numParams: numParams(V, config.numHiddens),
        corpus: { path: file, bundled, sha256, tokens: loader.corpus.length },
        perplexity: result.perplexity,
        tokensPerSec: result.tokensPerSec,
        averageTokensPerSec: result.averageTokensPerSec,
        wallSeconds,
        predictions: result.predictions,
        history,
        checkpoint: out,
      };
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    // The book's closing lines, then our extras.
    say(`perplexity ${f1(result.perplexity)}, ${f1(result.tokensPerSec)} tokens/sec on ${backendId}`);
    for (const prefix of prefixes) say(result.predictions[prefix]);
    say(
      `average ${f1(result.averageTokensPerSec)} tokens/sec over epochs ${startEpoch + 1}-${result.epoch}, wall time ${formatDuration(wallSeconds)}`,
    );
    const ppl = history.map((p) => p.perplexity);
    say(`perplexity ${sparkline(ppl)} ${ppl[0].toFixed(2)} -> ${ppl[ppl.length - 1].toFixed(2)} over ${ppl.length} epochs`);
    say(`saved ${out} (params.safetensors, checkpoint.json, perplexity.svg)`);
  },
});

