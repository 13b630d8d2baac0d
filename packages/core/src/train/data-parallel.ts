// Data-parallel training: the book's train step split across N shards of each minibatch, so that N engines
// (one per CPU core) each compute half (a third, ...) of the forward and backward pass. The mathematics stays
// the book's: every shard takes B/N of the B subsequences; the mean loss over all B*T tokens is the mean of
// the shards' mean losses, so its gradient is the mean of their gradients; one global-norm clip of that mean
// and one SGD update follow, exactly as in `buildTrainStep`.
//
// Core stays engine-free: the shards are any `Executable`s of `buildGradStep` (in-process, or in worker
// threads from `@rnn-scratch/core/node`), and the whole thing is itself an `Executable` with the train step's
// inputs and outputs, so the training loop does not know it is there.

import type { Executable, Feeds, Outputs } from '../backend/backend.js';
import { gradients } from '../autodiff/grad.js';
import { type HostTensor, tensor } from '../ir/dtype.js';
import { type Graph, GraphBuilder } from '../ir/graph.js';
import { optimizeGraph } from '../ir/passes/index.js';
import { paramInputs, paramShapes } from '../nn/model.js';
import { clipByGlobalNorm } from '../ops/composite.js';
import { sgd } from './sgd.js';
import { type TrainStepConfig, stepLoss } from './train-step.js';

/** The name of a parameter's gradient among a grad step's outputs (and the update step's inputs). */
export const gradName = (param: string, shard = 0) => `grad${shard}:${param}`;

/** Forward, mean loss and gradients of one shard's minibatch: the train step without clipping and update. */
export function buildGradStep(config: TrainStepConfig): Graph {
  const { b, params, loss, state } = stepLoss(config);
  const names = Object.keys(params);
  gradients(loss, Object.values(params)).forEach((g, i) => b.output(gradName(names[i]), g));
  b.output('loss', loss);
  b.output('state', state);
  return optimizeGraph(b.build());
}

/** The mean of `shards` gradients, clipped by its global norm (`theta`), then d2l's `sgd`. */
export function buildUpdateStep(config: TrainStepConfig, shards: number): Graph {
  const { theta = 1, updateBatchSize = 1 } = config;
  const dtype = config.dtype ?? 'float32';
  const b = new GraphBuilder();
  const params = paramInputs(b, config, dtype);
  const lr = b.input('lr', dtype, []);
  const names = Object.keys(params);
  const shapes = paramShapes(config);
  const mean = names.map((name) => {
    const parts = Array.from({ length: shards }, (_, k) => b.input(gradName(name, k), dtype, shapes[name]));
    return parts.reduce((sum, g) => sum.add(g)).div(shards);
  });
  const { clipped, norm } = clipByGlobalNorm(mean, theta);
  const updated = sgd(Object.values(params), clipped, lr, updateBatchSize);
  names.forEach((name, i) => b.output(name, updated[i]));
  b.output('gradNorm', norm);
  return optimizeGraph(b.build());
}

/** How a step's state tensor is laid out: (B, H) for one state, (S, B, H) for several. */
const batchAxis = (state: HostTensor) => (state.shape.length === 2 ? 0 : 1);

/** Rows [start, end) of `t` along `axis` (0 or 1 of a 2- or 3-d tensor), as a new tensor. */
export function sliceRows(t: HostTensor, axis: number, start: number, end: number): HostTensor {
  const outer = t.shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const shape = t.shape.map((d, i) => (i === axis ? end - start : d));
  const out = tensor(t.dtype, shape);
  const rows = t.shape[axis];
  for (let o = 0; o < outer; o++) {
    const from = (o * rows + start) * inner;
    out.data.set(t.data.subarray(from, from + (end - start) * inner), o * (end - start) * inner);
  }
  return out;
}

/** The shards' tensors put back together along `axis` (the inverse of `sliceRows`). */
export function concatRows(parts: readonly HostTensor[], axis: number): HostTensor {
  const first = parts[0];
  const rows = parts.reduce((a, p) => a + p.shape[axis], 0);
  const outer = first.shape.slice(0, axis).reduce((a, d) => a * d, 1);
  const inner = first.shape.slice(axis + 1).reduce((a, d) => a * d, 1);
  const out = tensor(
    first.dtype,
    first.shape.map((d, i) => (i === axis ? rows : d)),
  );
  let at = 0;
  for (const p of parts) {
    const r = p.shape[axis];
    for (let o = 0; o < outer; o++)
      out.data.set(p.data.subarray(o * r * inner, (o + 1) * r * inner), (o * rows + at) * inner);
    at += r;
  }
  return out;
}

/**
 * The train step as N shard executables of `buildGradStep` (batch size B/N each) and one of
 * `buildUpdateStep`: same inputs and outputs as `buildTrainStep`'s graph.
 */
export class DataParallelStep implements Executable {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(
    private readonly shards: readonly Executable[],
    private readonly update: Executable,
    private readonly paramNames: readonly string[],
  ) {
    this.inputNames = ['X', 'Y', 'state', 'lr', ...paramNames];
    this.outputNames = [...paramNames, 'loss', 'state', 'gradNorm'];
  }

  async run(feeds: Feeds): Promise<Outputs> {
    const n = this.shards.length;
    const { X, Y, state, lr } = feeds as Record<string, HostTensor>;
    const rows = X.shape[0] / n;
    const params = Object.fromEntries(this.paramNames.map((p) => [p, feeds[p]]));
    const outs = await Promise.all(
      this.shards.map((shard, k) => {
        const [a, z] = [k * rows, (k + 1) * rows];
        const part = {
          X: sliceRows(X, 0, a, z),
          Y: sliceRows(Y, 0, a, z),
          state: sliceRows(state, batchAxis(state), a, z),
        };
        return shard.run({ ...part, ...params });
      }),
    );
    const grads = Object.fromEntries(
      outs.flatMap((o, k) => this.paramNames.map((p) => [gradName(p, k), o[gradName(p)]])),
    );
    const updated = await this.update.run({ ...params, ...grads, lr });
    const loss = outs.reduce((a, o) => a + o.loss.data[0], 0) / n;
    return {
      ...updated,
      loss: tensor(state.dtype, [], [loss]),
      state: concatRows(
        outs.map((o) => o.state),
        batchAxis(state),
      ),
    };
  }

  async dispose(): Promise<void> {
    for (const s of this.shards) await s.dispose();
    await this.update.dispose();
  }
}

/**
 * The data-parallel train step: `compileShard` compiles `buildGradStep` for B/N rows once per shard (each on
 * its own engine), `compileUpdate` the update. B must divide by N.
 */
export async function compileDataParallelStep(
  config: TrainStepConfig,
  shards: number,
  compileShard: (graph: Graph, shard: number) => Promise<Executable>,
  compileUpdate: (graph: Graph) => Promise<Executable>,
): Promise<Executable> {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`data-parallel: ${shards} shards`);
  if (config.batchSize % shards !== 0)
    throw new RangeError(`data-parallel: batch size ${config.batchSize} does not divide into ${shards} equal shards`);
  if ((config.minibatches ?? 1) !== 1) throw new RangeError('data-parallel: one minibatch per step (bptt minibatch)');
  const grad = buildGradStep({ ...config, batchSize: config.batchSize / shards });
  const executables = await Promise.all(Array.from({ length: shards }, (_, k) => compileShard(grad, k)));
  const update = await compileUpdate(buildUpdateStep(config, shards));
  return new DataParallelStep(executables, update, Object.keys(paramShapes(config)));
}
