// Whether an execution provider really works here, shared by the Node and the browser entries: the lists
// an engine gives (`ort.listSupportedBackends()`, `navigator.gpu`) are not the answer, so a device counts
// as available only after a tiny 1-op model has been created AND run on its execution provider. Each
// entry caches the result (or the reason) per device.

import type { InferenceSession } from 'onnxruntime-common';
import { OnnxDataType, encodeModel } from './onnx-model.js';
import type { OrtModule, SessionOptions } from './session.js';

/** The device cannot run here; `reason` says why, `hint` how to fix it. */
export class OnnxDeviceUnavailableError extends Error {
  override name = 'OnnxDeviceUnavailableError';
  constructor(
    readonly device: string,
    readonly reason: string,
    readonly hint: string | undefined,
  ) {
    super(`onnx:${device} is unavailable: ${reason}${hint ? `. Fix: ${hint}` : ''}`);
  }
}

let probeModel: Uint8Array | undefined;

/** `y = x + x` on a float32[2]: the smallest model that exercises session creation and a run. */
function tinyModel(): Uint8Array {
  probeModel ??= encodeModel({
    graph: {
      name: 'probe',
      nodes: [{ opType: 'Add', name: 'probe_add', inputs: ['x', 'x'], outputs: ['y'] }],
      initializers: [],
      inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, dims: [2] }],
      outputs: [{ name: 'y', elemType: OnnxDataType.FLOAT, dims: [2] }],
    },
  });
  return probeModel;
}

/** Create and run the tiny model with `options`; rejects with ORT's own error when that fails. */
export async function runTinyModel(ort: OrtModule, options: SessionOptions): Promise<void> {
  let session: InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(tinyModel(), options);
    const x = new ort.Tensor('float32', new Float32Array([1, 2]), [2]);
    const { y } = await session.run({ x });
    const got = y.data as Float32Array;
    if (got[0] !== 2 || got[1] !== 4)
      throw new Error(`probe model computed [${Array.from(got).join(', ')}], expected [2, 4]`);
  } finally {
    await session?.release();
  }
}

/** Remembers one probe per device: `probe(device)` runs `run(device)` the first time only. */
export function probeCache(run: (device: string) => Promise<void>): (device: string) => Promise<void> {
  const probes = new Map<string, Promise<void>>();
  return (device) => {
    let p = probes.get(device);
    if (p === undefined) {
      p = run(device);
      p.catch(() => {}); // a cached rejection is not "unhandled"
      probes.set(device, p);
    }
    return p;
  };
}
