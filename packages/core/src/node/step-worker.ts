// The worker thread behind `compileInWorker`: it opens its own backend (one engine per thread), compiles
// one graph, and runs it whenever the main thread says so, reading the inputs from and writing the outputs to
// buffers shared with the main thread.

import { parentPort, workerData } from 'node:worker_threads';

import { resolveBackend } from '../backend/registry.js';
import type { HostTensor } from '../ir/dtype.js';
import type { Graph } from '../ir/graph.js';
import { type Slot, view } from './shared-slots.js';

export interface StepWorkerData {
  readonly graph: Graph;
  readonly backend: string;
  readonly threads?: number;
  /** Backend packages to import first (they register themselves with the registry), as URLs or names. */
  readonly modules: readonly string[];
  readonly inputs: readonly Slot[];
  readonly outputs: readonly Slot[];
}

const data = workerData as StepWorkerData;
const port = parentPort!;
try {
  for (const m of data.modules) await import(m);
  const backend = await resolveBackend(data.backend, { threads: data.threads });
  const exe = await backend.compile(data.graph);
  port.postMessage({ ready: `${backend.name}:${backend.device}` });
  port.on('message', (msg: 'run' | 'close') => {
    if (msg === 'close') {
      void exe
        .dispose()
        .then(() => backend.dispose())
        .then(() => port.close());
      return;
    }
    // Engines may not accept shared memory: each input is copied out of its slot (a memcpy, not a message).
    const feeds: Record<string, HostTensor> = {};
    for (const s of data.inputs)
      feeds[s.name] = { dtype: s.dtype, shape: s.shape, data: view(s).slice() } as HostTensor;
    exe.run(feeds).then(
      (out) => {
        for (const s of data.outputs) view(s).set(out[s.name].data);
        port.postMessage({ done: true });
      },
      (err: unknown) => port.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
} catch (err) {
  port.postMessage({ error: err instanceof Error ? err.message : String(err) });
}
