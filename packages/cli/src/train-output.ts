/**
 * What `rnn-scratch train` prints: a header, a line per report epoch like the book's, a progress bar on a
 * terminal, and the book's closing lines (or one JSON object with --json).
 */

import { numParams, runModel, type Backend, type EpochInfo, type Run, type TrainResult } from '@rnn-scratch/core';

import type { CommandContext } from './command.js';
import { sparkline } from './plot.js';
import { formatDuration, isTty, ProgressBar } from './progress.js';

/** 1 -> '1.0', 31234.56 -> '31234.6' (the book's {:.1f} for speeds). */
const f1 = (v: number) => v.toFixed(1);

export class TrainOutput {
  private readonly bar: ProgressBar | undefined;
  private readonly backendId: string;
  private readonly sessionStart = performance.now();
  private sessionEpochs = 0;

  constructor(
    private readonly io: CommandContext,
    private readonly json: boolean,
    backend: Backend,
    /** Worker threads training shards of each minibatch (--workers). */
    private readonly workers = 1,
  ) {
    this.bar = isTty(io.stderr) ? new ProgressBar(io.stderr) : undefined;
    this.backendId = `${backend.name}:${backend.device}`;
  }

  /** A line of text (not with --json), above the progress bar when there is one. */
  say(line: string): void {
    if (this.json) return;
    if (this.bar) this.bar.above(this.io.stdout, `${line}\n`);
    else this.io.stdout.write(`${line}\n`);
  }

  /** A note for the person at the terminal (only shown where a progress bar is). */
  note(line: string): void {
    this.bar?.above(this.io.stderr, `${line}\n`);
  }

  finish(): void {
    this.bar?.finish();
  }

  header(run: Run, o: { resumed?: string; out: string }): void {
    const { config, corpus, loader, state } = run;
    const layers = config.numLayers > 1 ? ` x ${config.numLayers} layers` : '';
    this.say(
      `rnn-scratch train: backend ${this.backendId}${this.workers > 1 ? ` on ${this.workers} workers` : ''}, ${config.cell}${layers}, vocab ${run.vocab.length}, hiddens ${config.numHiddens}, batch ${config.batchSize} x ${config.numSteps} steps, ` +
        `${numParams(runModel(run)).toLocaleString('en-US')} parameters, lr ${config.lr}, theta ${config.theta}, sampler ${config.sampler}, seed ${config.seed}`,
    );
    this.say(
      `corpus ${corpus.path === null ? `${corpus.source} (bundled)` : corpus.source}: ${loader.corpus.length} of ${loader.totalTokens} tokens ` +
        `(--max-tokens ${config.maxTokens}, preprocess ${config.preprocess}); ` +
        (o.resumed ? `resuming ${o.resumed} at epoch ${state.epoch}, ` : '') +
        `epochs ${state.epoch + 1}-${config.numEpochs}; checkpoints in ${o.out}`,
    );
    if (run.valid) this.say(`held-out ${heldOutLabel(run)}`);
  }

  /** After every epoch: the progress bar, and on report epochs the book's line with a prediction. */
  epoch(info: EpochInfo): void {
    this.sessionEpochs++;
    const perEpoch = (performance.now() - this.sessionStart) / 1000 / this.sessionEpochs;
    const { epoch, numEpochs, perplexity, tokensPerSec, predictions, validPerplexity } = info;
    this.bar?.update({ epoch, numEpochs, perplexity, tokensPerSec, etaSeconds: perEpoch * (numEpochs - epoch) });
    if (!predictions) return;
    const first = Object.values(predictions)[0];
    this.say(
      `epoch ${String(epoch).padStart(String(numEpochs).length)}/${numEpochs}  perplexity ${perplexity.toFixed(2)}  ` +
        (validPerplexity === undefined ? '' : `held-out ${validPerplexity.toFixed(2)}  `) +
        `${f1(tokensPerSec)} tokens/sec  ${first}`,
    );
  }

  /** The book's closing lines and our extras, or one JSON object. */
  report(run: Run, result: TrainResult, o: { out: string; wallSeconds: number; prefixes: readonly string[] }): void {
    const { config, corpus, state } = run;
    const startEpoch = state.epoch - result.history.length;
    if (this.json) {
      const { seed, ...hyperparameters } = config;
      const summary = {
        status: result.status,
        backend: this.backendId,
        workers: this.workers,
        seed,
        epoch: result.epoch,
        startEpoch,
        hyperparameters,
        vocabSize: run.vocab.length,
        numParams: numParams(runModel(run)),
        corpus: {
          path: corpus.source,
          bundled: corpus.path === null,
          sha256: corpus.sha256,
          tokens: run.loader.corpus.length,
        },
        perplexity: result.perplexity,
        ...(run.valid
          ? {
              validPerplexity: result.validPerplexity,
              valid: { source: run.valid.source, tokens: run.valid.ids.length, unknown: run.valid.unknown },
            }
          : {}),
        tokensPerSec: result.tokensPerSec,
        averageTokensPerSec: result.averageTokensPerSec,
        wallSeconds: o.wallSeconds,
        predictions: result.predictions,
        history: state.history,
        checkpoint: o.out,
      };
      this.io.stdout.write(`${JSON.stringify(summary, (_, v) => (v === Infinity ? 'inf' : v), 2)}\n`);
      return;
    }
    this.say(`perplexity ${f1(result.perplexity)}, ${f1(result.tokensPerSec)} tokens/sec on ${this.backendId}`);
    if (result.validPerplexity !== undefined)
      this.say(`held-out perplexity ${result.validPerplexity.toFixed(2)} on ${heldOutLabel(run)}`);
    for (const prefix of o.prefixes) this.say(result.predictions[prefix]);
    this.say(
      `average ${f1(result.averageTokensPerSec)} tokens/sec over epochs ${startEpoch + 1}-${result.epoch}, wall time ${formatDuration(o.wallSeconds)}`,
    );
    const ppl = state.history.map((p) => p.perplexity);
    this.say(
      `perplexity ${sparkline(ppl)} ${ppl[0].toFixed(2)} -> ${ppl[ppl.length - 1].toFixed(2)} over ${ppl.length} epochs`,
    );
    this.say(`saved ${o.out} (params.safetensors, checkpoint.json, perplexity.svg)`);
  }
}

/** "2000 tokens (tokens 10000-12000 of ...)", with the count of tokens outside the training vocabulary. */
function heldOutLabel(run: Run): string {
  const { ids, source, unknown } = run.valid!;
  return `${ids.length} tokens (${source})${unknown > 0 ? `, ${unknown} of them not in the training vocabulary (read as <unk>)` : ''}`;
}
