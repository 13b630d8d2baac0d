// A run's state <-> checkpoint mapping: stop anywhere, write the checkpoint, read it back, resume, and get
// exactly the numbers of the run that never stopped.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BOOK_DEFAULTS,
  CheckpointError,
  DivergenceError,
  PARAM_NAMES,
  Random,
  ReferenceBackend,
  type RunConfig,
  type RunCorpus,
  checkpointMetaOf,
  decodeCheckpointMeta,
  decodeCheckpointParams,
  encodeCheckpointMeta,
  encodeCheckpointParams,
  getParams,
  resumeConflict,
  resumeRun,
  runConfig,
  startRun,
  trainRun,
} from '../src/index.js';

const text = readFileSync(new URL('../data/timemachine.txt', import.meta.url), 'utf8');
const corpus: RunCorpus = { text, path: null, sha256: 'a'.repeat(64), source: 'timemachine.txt' };
const config: RunConfig = runConfig({
  numHiddens: 6,
  batchSize: 4,
  numSteps: 5,
  maxTokens: 300,
  numEpochs: 4,
  seed: 5,
});
const backend = new ReferenceBackend();

/** Write a checkpoint of `run` and read it back the way a loader does (JSON and safetensors bytes). */
function roundTrip(run: ReturnType<typeof startRun>) {
  const meta = decodeCheckpointMeta(encodeCheckpointMeta(checkpointMetaOf(run, backend, 'running')));
  const bytes = encodeCheckpointParams(run.state.params);
  const params = decodeCheckpointParams(bytes, {
    vocabSize: run.vocab.length,
    numHiddens: meta.hyperparameters.numHiddens,
  });
  return { meta, params, source: 'runs/x' };
}

describe('a training run', () => {
  it("is the book's run unless told otherwise", () => {
    expect(runConfig()).toEqual({
      cell: 'rnn',
      numLayers: 1,
      init: 'normal',
      activation: 'tanh',
      embedSize: 0,
      bptt: 'minibatch',
      validTokens: 0,
      validCorpus: null,
      numHiddens: 512,
      batchSize: 32,
      numSteps: 35,
      maxTokens: 10000,
      numEpochs: 500,
      lr: 1,
      theta: 1,
      sampler: 'sequential',
      preprocess: 'book',
      seed: 0,
    });
    expect(runConfig({ lr: 2, theta: undefined }).lr).toBe(2);
    expect(runConfig({ theta: undefined }).theta).toBe(BOOK_DEFAULTS.theta);
  });

  it('starts from the book initialisation drawn from the seed', () => {
    const run = startRun(config, corpus);
    const want = getParams(run.vocab.length, 6, new Random(5));
    for (const n of PARAM_NAMES) expect(run.state.params[n].data).toEqual(want[n].data);
    expect(run.state.epoch).toBe(0);
    expect(run.loader.iterator).toBe('sequential');
  });

  it.each(['sequential', 'random', 'book-random'] as const)(
    '%s: resumes from a checkpoint exactly',
    async (sampler) => {
      const whole = startRun({ ...config, sampler }, corpus);
      await trainRun(whole, { backend });

      const first = startRun({ ...config, sampler, numEpochs: 2 }, corpus);
      await trainRun(first, { backend });
      const resumed = resumeRun(roundTrip(first), corpus, { numEpochs: 4 });
      expect(resumed.state.epoch).toBe(2);
      const res = await trainRun(resumed, { backend });

      expect(res.epoch).toBe(4);
      expect(resumed.state.history).toEqual(whole.state.history);
      for (const n of PARAM_NAMES) expect(resumed.state.params[n].data).toEqual(whole.state.params[n].data);
      expect(resumed.state.rngState).toEqual(whole.state.rngState);
    },
  );

  it('keeps run.state at the last completed epoch when onEpoch hears of it', async () => {
    const run = startRun(config, corpus);
    const seen: number[] = [];
    await trainRun(run, { backend, onEpoch: (e) => void seen.push(run.state.epoch === e.epoch ? e.epoch : -1) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(run.state.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
  });

  it('refuses another text or another vocabulary', () => {
    const saved = roundTrip(startRun(config, corpus));
    const other = { ...corpus, sha256: 'b'.repeat(64), source: 'other.txt' };
    const err = (() => {
      try {
        resumeRun(saved, other);
      } catch (e) {
        return e as CheckpointError;
      }
    })();
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err?.code).toBe('MISMATCH');
    expect(err?.message).toBe(
      'the corpus other.txt is not the text the checkpoint runs/x was trained on (sha256 bbbbbbbbbbbb... vs aaaaaaaaaaaa...)',
    );
    const short = { ...corpus, text: 'abc '.repeat(500) };
    expect(() => resumeRun(saved, short)).toThrow(/different vocabulary than the checkpoint runs\/x/);
  });

  it('names the first setting that a resumed run must keep', () => {
    const { meta } = roundTrip(startRun(config, corpus));
    expect(resumeConflict(meta, { numHiddens: 6, lr: 3, theta: 2, numEpochs: 10 })).toBeUndefined();
    expect(resumeConflict(meta, { batchSize: 8 })).toEqual({ key: 'batchSize', given: 8, saved: 4 });
    expect(resumeConflict(meta, { sampler: 'random', seed: 1 })).toEqual({
      key: 'sampler',
      given: 'random',
      saved: 'sequential',
    });
    expect(resumeConflict(meta, { preprocess: 'unicode' })).toEqual({
      key: 'preprocess',
      given: 'unicode',
      saved: 'book',
    });
  });

  it('records a divergence in the checkpoint metadata', () => {
    const run = startRun(config, corpus);
    const p = run.state.params;
    const atStep = checkpointMetaOf(run, backend, 'diverged', new DivergenceError(3, 2, 'loss', NaN, p));
    expect(atStep.diverged).toEqual({ epoch: 3, step: 2, loss: 'NaN' });
    const atEpoch = checkpointMetaOf(
      run,
      backend,
      'diverged',
      new DivergenceError(3, undefined, 'perplexity', Infinity, p),
    );
    expect(atEpoch.diverged).toEqual({ epoch: 3, step: 0, loss: 'perplexity Infinity' });
    expect(atEpoch.backend).toBe('reference:cpu');
    const { seed, ...hyperparameters } = config;
    expect(atEpoch.hyperparameters).toEqual(hyperparameters);
    expect(atEpoch.seed).toBe(seed);
  });

  it('reads a first-release checkpoint that calls preprocessing "mode"', () => {
    const meta = checkpointMetaOf(startRun(config, corpus), backend, 'running');
    const { preprocess, ...rest } = meta.hyperparameters;
    const old = JSON.stringify({ ...meta, hyperparameters: { ...rest, mode: preprocess } });
    expect(decodeCheckpointMeta(old).hyperparameters.preprocess).toBe('book');
  });
});
