// `npm run bench:check`: an independent cross-check of our numbers against PyTorch. The CLI writes its
// initial parameters and first 20 minibatches (`rnn-scratch train --export-exchange DIR`), bench/torch_rnn.py
// replays them, and the 20 losses are compared with ours on the reference backend (float32) and on onnx:cpu,
// for the book's RNN with both state handlings and for every cell of chapter 9 (GRU, LSTM, stacked layers).
// Not part of CI: it needs Debian's python3-torch (npm run bench:setup); without it the test is skipped
// with the stable id below.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Backend,
  type Exchange,
  buildTrainStep,
  decodeSafetensors,
  initState,
  resolveBackend,
  pickParams,
  scalar,
  trainStepFeeds,
  type Params,
  type HostTensor,
} from '@rnn-scratch/core';

const python = process.env.RNN_SCRATCH_PYTHON ?? '/usr/bin/python3';
const torch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
const SKIP_ID = 'bench/cross-check/pytorch-absent';
const torchMissing =
  torch.status !== 0 ? `${SKIP_ID}: PyTorch is not importable with ${python} (npm run bench:setup)` : undefined;

async function ourLosses(backend: Backend, ex: Exchange, params0: Params): Promise<number[]> {
  const model = { vocabSize: ex.vocabSize, numHiddens: ex.numHiddens, cell: ex.cell, numLayers: ex.numLayers };
  const exe = await backend.compile(
    buildTrainStep({
      ...model,
      batchSize: ex.batches[0].X.length,
      numSteps: ex.batches[0].X[0].length,
      theta: ex.theta,
    }),
  );
  let params = params0;
  let state: HostTensor | undefined;
  const losses: number[] = [];
  for (const b of ex.batches) {
    const B = b.X.length;
    const T = b.X[0].length;
    if (state === undefined || b.resetState) state = initState(model, B);
    const batch = { X: Int32Array.from(b.X.flat()), Y: Int32Array.from(b.Y.flat()), shape: [B, T] as const };
    const out = await exe.run(trainStepFeeds(batch, state, params, scalar('float32', ex.lr)));
    losses.push(out.loss.data[0]);
    state = out.state;
    params = pickParams(out, params);
  }
  await exe.dispose();
  return losses;
}

// [sampler, flags]: the book's run at its size, then each chapter-9 model at H=64 (the reference backend replays too).
const CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['sequential', []],
  ['book-random', []],
  ['sequential', ['--cell', 'gru', '--num-hiddens', '64']],
  ['sequential', ['--cell', 'lstm', '--num-hiddens', '64']],
  ['book-random', ['--cell', 'lstm', '--num-layers', '2', '--num-hiddens', '64', '--init', 'uniform']],
  ['sequential', ['--cell', 'gru', '--num-layers', '2', '--num-hiddens', '64']],
  ['sequential', ['--num-layers', '3', '--num-hiddens', '64']],
];

describe.each(CASES)('cross-check with PyTorch (%s %s)', (sampler, flags) => {
  it.skipIf(torchMissing !== undefined)(
    `the first 20 losses agree to 1e-4 relative${torchMissing ? ` [skipped: ${torchMissing}]` : ''}`,
    async () => {
      await import('@rnn-scratch/backend-onnx').catch(() => undefined);
      const dir = mkdtempSync(join(tmpdir(), 'rnn-exchange-'));
      const bin = join(import.meta.dirname, '..', 'packages', 'cli', 'bin', 'rnn-scratch.js');
      const exported = spawnSync(
        process.execPath,
        [
          bin,
          'train',
          '--backend',
          'onnx:cpu',
          '--epochs',
          '1',
          '--seed',
          '3',
          '--sampler',
          sampler,
          ...flags,
          '--out',
          join(dir, 'run'),
          '--export-exchange',
          dir,
          '--exchange-steps',
          '20',
          '--json',
        ],
        { encoding: 'utf8' },
      );
      expect(exported.status, exported.stderr).toBe(0);
      const ex = { json: JSON.parse(readFileSync(join(dir, 'batches.json'), 'utf8')) };
      const tensors = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'params.safetensors')))).tensors;
      const params = tensors;
      const r = spawnSync(
        python,
        [join(import.meta.dirname, 'torch_rnn.py'), '--exchange', dir, '--steps', '20', '--json'],
        {
          encoding: 'utf8',
          env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const theirs: number[] = JSON.parse(r.stdout.trim().split('\n').pop()!).losses;
      expect(theirs).toHaveLength(20);
      const backends = [await resolveBackend('reference')];
      try {
        backends.push(await resolveBackend('onnx:cpu', { threads: 1 }));
      } catch {
        // onnx unavailable: the reference comparison still runs
      }
      for (const backend of backends) {
        const ours = await ourLosses(backend, ex.json, params);
        const rel = ours.map((l, i) => Math.abs(l - theirs[i]) / Math.abs(theirs[i]));
        console.log(
          `${sampler} ${flags.join(' ')} ${backend.name}:${backend.device} max relative difference over 20 losses: ${Math.max(...rel).toExponential(2)}`,
        );
        rel.forEach((d, i) => expect(d, `step ${i + 1}: ours ${ours[i]}, PyTorch ${theirs[i]}`).toBeLessThan(1e-4));
      }
    },
  );
});
