// `exportOnnx`: the inference graph of every cell as a self-contained opset-17 file. Read back with an
// independent decoder (versions, initializers under the parameter names, data inside the file) and run in
// ONNX Runtime from the bytes alone, step by step against the reference backend.

import {
  type CellName,
  type HostTensor,
  Random,
  type TrainStepConfig,
  buildGraph,
  buildInferenceGraph,
  buildTrainStep,
  inferenceInitialState,
  initParams,
  runReference,
  tensor,
} from '@rnn-scratch/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  EXPORT_IR_VERSION,
  EXPORT_OPSET_VERSION,
  OP_SINCE,
  OnnxExportError,
  exportOnnx,
  exportOnnxModel,
} from '../src/export.js';
import { lowerGraph } from '../src/lower.js';
import { expectClose } from './helpers.js';
import { decode, packedVarints, text } from './proto-reader.js';

const MODELS: [CellName, number][] = [
  ['rnn', 1],
  ['gru', 1],
  ['lstm', 1],
  ['lstm', 2],
];

const fromOrt = (t: ort.Tensor): HostTensor =>
  ({ dtype: t.type, shape: [...t.dims], data: t.data }) as unknown as HostTensor;

describe.each(MODELS)('exportOnnx of the inference graph: %s with %i layer(s)', (cell, numLayers) => {
  const spec = { vocabSize: 11, numHiddens: 6, cell, numLayers };
  const params = initParams(spec, new Random(7), { init: 'uniform' });
  const graph = buildInferenceGraph(params);
  const bytes = exportOnnx(graph, { names: params });

  it('writes IR version 8, opset 17 of the default domain, and every parameter as a named initializer', () => {
    expect([EXPORT_IR_VERSION, EXPORT_OPSET_VERSION]).toEqual([8, 17]);
    const model = decode(bytes);
    expect(model.get(1)).toEqual([8n]); // ir_version
    const opsets = model.get(8)!.map((o) => decode(o as Uint8Array));
    expect(opsets).toHaveLength(1);
    expect(opsets[0].get(1)?.map(text) ?? ['']).toEqual(['']); // domain: the default one
    expect(opsets[0].get(2)).toEqual([17n]);
    const g = decode(model.get(7)![0] as Uint8Array);
    const inits = new Map(
      g.get(5)!.map((t) => {
        const m = decode(t as Uint8Array);
        return [text(m.get(8)![0]), m] as const;
      }),
    );
    for (const [name, t] of Object.entries(params)) {
      const init = inits.get(name);
      expect(init, name).toBeDefined();
      expect(packedVarints(init!.get(1)![0] as Uint8Array), `${name} dims`).toEqual(t.shape.map(BigInt));
      expect(init!.get(2), `${name} data_type`).toEqual([1n]); // FLOAT
      const raw = init!.get(9)![0] as Uint8Array;
      expect(Buffer.from(raw).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(
        true,
      );
    }
    // Self-contained: every initializer holds its bytes (raw_data); none points at external data
    // (data_location = 14, external_data = 13).
    for (const [name, init] of inits) {
      expect(init.has(9), `${name} raw_data`).toBe(true);
      expect(init.has(13) || init.has(14), `${name} external data`).toBe(false);
    }
    expect(g.get(11)!.map((v) => text(decode(v as Uint8Array).get(1)![0]))).toEqual(['token', 'state']);
    expect(g.get(12)!.map((v) => text(decode(v as Uint8Array).get(1)![0]))).toEqual(['logits', 'next_state']);
  });

  it('runs in ONNX Runtime from the bytes alone, step for step like the reference', async () => {
    const session = await ort.InferenceSession.create(bytes);
    try {
      const S = numLayers * (cell === 'lstm' ? 2 : 1);
      expect(session.inputMetadata).toEqual([
        { name: 'token', isTensor: true, type: 'int32', shape: [1, 1] },
        { name: 'state', isTensor: true, type: 'float32', shape: [S, 1, 6] },
      ]);
      expect(session.outputMetadata).toEqual([
        { name: 'logits', isTensor: true, type: 'float32', shape: [1, 11] },
        { name: 'next_state', isTensor: true, type: 'float32', shape: [S, 1, 6] },
      ]);
      let state = inferenceInitialState(spec);
      let ortState = new ort.Tensor('float32', new Float32Array(state.data.length), [...state.shape]);
      for (const id of [3, 0, 10, 5, 5, 1, 7]) {
        const want = await runReference(graph, { token: tensor('int32', [1, 1], [id]), state });
        const got = await session.run({ token: new ort.Tensor('int32', Int32Array.of(id), [1, 1]), state: ortState });
        expectClose(fromOrt(got.logits as ort.Tensor), want.logits, `logits after ${id}`);
        expectClose(fromOrt(got.next_state as ort.Tensor), want.next_state, `next_state after ${id}`);
        state = want.next_state;
        ortState = got.next_state as ort.TypedTensor<'float32'>;
      }
    } finally {
      await session.release();
    }
  });
});

describe('the opset check', () => {
  it('knows every op the lowering emits for a whole train step', () => {
    const config: TrainStepConfig = {
      vocabSize: 5,
      numHiddens: 3,
      cell: 'lstm',
      numLayers: 2,
      batchSize: 2,
      numSteps: 3,
    };
    const ops = new Set(lowerGraph(buildTrainStep(config)).model.graph.nodes.map((n) => n.opType));
    const oneHot = new Set(
      lowerGraph(buildTrainStep({ ...config, inputEncoding: 'one-hot' })).model.graph.nodes.map((n) => n.opType),
    );
    for (const op of [...ops, ...oneHot]) expect(OP_SINCE[op], op).toBeDefined();
  });

  it('refuses a graph that needs a newer opset, naming the node and the opset', () => {
    const g = buildGraph((b) => b.output('m', b.input('x', 'float32', [2, 3]).max(1)));
    expect(() => exportOnnx(g)).toThrow(OnnxExportError);
    expect(() => exportOnnx(g)).toThrow(/node n1_max \(ReduceMax\) needs opset 18; exported models use opset 17$/);
  });

  it('leaves initializers it has no name for as they are, and never takes a name in use', () => {
    const x = tensor('float32', [2, 2], [1, 2, 3, 4]);
    const g = buildGraph((b) => b.output('y', b.input('x', 'float32', [2, 2]).add(b.constant(x))));
    const named = (names: Record<string, HostTensor>) =>
      exportOnnxModel(g, { names }).graph.initializers.map((t) => t.name);
    expect(named({ W: x })).toEqual(['W']);
    expect(named({ x })).toEqual(['c1']); // `x` is the graph input's name
    expect(named({ W: tensor('float32', [2, 2], [1, 2, 3, 4]) })).toEqual(['c1']); // equal, not the same tensor
  });
});
