// Graphs run in worker threads, one engine per thread: how `--workers N` trains on N CPU cores. The data-
// parallel mathematics is core's (`compileDataParallelStep`); this file only gives it executables that live
// in other threads, fed through shared memory.

import { Worker } from 'node:worker_threads';

import type { Backend, Executable, Feeds, Outputs } from '../backend/backend.js';
import type { HostTensor } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { compileDataParallelStep } from '../train/data-parallel.js';
import type { TrainStepConfig } from '../train/train-step.js';
import { slotsOf, view } from './shared-slots.js';
import type { StepWorkerData } from './step-worker.js';

export interface WorkerOptions {
  /** The backend id each worker opens, e.g. `onnx:cpu` (through core's registry). */
  readonly backend: string;
  /** Intra-op threads per worker (default 1: one core each). */
  readonly threads?: number;
  /** Backend packages the workers import first, so that they register (module URLs or package names). */
  readonly modules: readonly string[];
}

// The worker is built JavaScript: from the sources (tests), use the built file beside them in dist/.
const WORKER = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/node/step-worker.js', import.meta.url)
  : new URL('./step-worker.js', import.meta.url);

type Reply = { ready?: string; done?: true; error?: string };

/** `graph` compiled by `options.backend` in a worker thread of its own. */
export async function compileInWorker(graph: Graph, options: WorkerOptions): Promise<Executable> {
  const inputs = slotsOf(graph, 'inputs');
  const outputs = slotsOf(graph, 'outputs');
  const data: StepWorkerData = { graph, inputs, outputs, threads: 1, ...options };
  const worker = new Worker(WORKER, { workerData: data });
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`step worker exited with code ${code}`));
      worker.once('exit', onExit);
      worker.once('error', reject);
      worker.once('message', (m: Reply) => {
        worker.off('exit', onExit).off('error', reject);
        if (m.error !== undefined) reject(new Error(m.error));
        else resolve(m);
      });
    });
  try {
    await next();
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  return {
    inputNames: inputs.map((s) => s.name),
    outputNames: outputs.map((s) => s.name),
    async run(feeds: Feeds): Promise<Outputs> {
      for (const s of inputs) view(s).set((feeds[s.name] as HostTensor).data);
      const reply = next();
      worker.postMessage('run');
      await reply;
      const out: Record<string, HostTensor> = {};
      for (const s of outputs) out[s.name] = { dtype: s.dtype, shape: s.shape, data: view(s).slice() } as HostTensor;
      return out;
    },
    async dispose(): Promise<void> {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
    },
  };
}

/**
 * A `compileStep` for `train`: the train step split across `workers` worker threads (each its own engine),
 * gradients summed and the update run by `backend` in this thread.
 */
export function workerStepCompiler(
  workers: number,
  backend: Backend,
  options: WorkerOptions,
): (config: TrainStepConfig) => Promise<Executable> {
  return (config) =>
    compileDataParallelStep(
      config,
      workers,
      (graph) => compileInWorker(graph, options),
      (graph) => backend.compile(graph),
    );
}
