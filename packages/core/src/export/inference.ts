// A trained model as a stand-alone inference graph: one step of `predict_ch8` with the parameters baked in
// as constants, so that a backend (e.g. the ONNX lowering) can write ONE self-contained file that needs
// nothing of rnn-scratch to run. Browser-safe: no file system, no engine.
//
// The graph, for a model with vocabulary size V, H hidden units and S state entries (layers x the cell's
// state tuple: 1 per layer for rnn and gru, 2 (H, C) for lstm):
//
//     inputs   token       int32  [1, 1]      the id of the current character
//              state       float  [S, 1, H]   the state after the previous character (zeros to start)
//     outputs  logits      float  [1, V]      unnormalised scores of the next character
//              next_state  float  [S, 1, H]   the state after this character: feed it back as `state`
//
// The state is always rank 3, whatever the cell and depth, with the entries in the core's order: layer 1's
// H (then its C for the LSTM), layer 2's H, ... (`stateEntries` names them). Core itself keeps a
// single-entry state as (B, H); the graph reshapes at its edges, so the numbers are the same.

import { type CheckpointMeta, checkpointModel } from '../checkpoint/index.js';
import type { Preprocessing } from '../data/preprocess.js';
import { UNK_TOKEN } from '../data/vocab.js';
import { type FloatDType, type HostTensor, tensor } from '../ir/dtype.js';
import { type Graph, GraphBuilder } from '../ir/graph.js';
import { optimizeGraph } from '../ir/passes/index.js';
import type { CellName, Params } from '../nn/cell.js';
import { CELLS, type ModelSpec, initState, modelForward, modelOf, paramShapes } from '../nn/model.js';

/** Input and output names of the inference graph, in order. */
export const INFERENCE_INPUTS = ['token', 'state'] as const;
export const INFERENCE_OUTPUTS = ['logits', 'next_state'] as const;

/** The state entries in order: `H` (rnn, gru) or `H, C` (lstm); with layers `l1.H, l1.C, l2.H, ...`. */
export function stateEntries(spec: ModelSpec): string[] {
  const layers = spec.numLayers ?? 1;
  const tuple = CELLS[spec.cell ?? 'rnn'].state;
  const prefix = (l: number) => (layers === 1 ? '' : `l${l + 1}.`);
  return Array.from({ length: layers }, (_, l) => tuple.map((s) => `${prefix(l)}${s}`)).flat();
}

/** The shape of the inference graph's `state` and `next_state`: [S, 1, H]. */
export function inferenceStateShape(spec: ModelSpec): [number, number, number] {
  return [stateEntries(spec).length, 1, spec.numHiddens];
}

// #region inference-graph
/**
 * The inference graph of a model: inputs `token` (int32 [1, 1]) and `state` ([S, 1, H]), outputs `logits`
 * ([1, V]) and `next_state` ([S, 1, H]), with every parameter a constant of the graph (the graph holds
 * `params`' tensors, not copies). `spec` defaults to the model the parameters belong to (`modelOf`).
 * Running it once per character from a zero state is exactly `Predictor.predict`'s loop.
 */
export function buildInferenceGraph(params: Params, spec: ModelSpec = modelOf(params)): Graph {
  const shapes = paramShapes(spec);
  const dtype = params.W_hq?.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new Error(`buildInferenceGraph: W_hq must be float32 or float64, got ${String(dtype)}`);
  }
  for (const [name, want] of Object.entries(shapes)) {
    const t = params[name];
    if (!t) throw new Error(`buildInferenceGraph: parameter ${name} is missing`);
    if (t.dtype !== dtype) throw new Error(`buildInferenceGraph: ${name} is ${t.dtype}, W_hq is ${dtype}`);
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      throw new Error(`buildInferenceGraph: ${name} has shape [${t.shape.join(', ')}], expected [${want.join(', ')}]`);
    }
  }
  const b = new GraphBuilder();
  const token = b.input('token', 'int32', [1, 1]);
  const state = b.input('state', dtype, inferenceStateShape(spec));
  const constants = Object.fromEntries(Object.keys(shapes).map((name) => [name, b.constant(params[name])]));
  const { logits, state: next } = modelForward(token, state.reshape(initState(spec, 1, dtype).shape), constants, spec);
  b.output('logits', logits);
  b.output('next_state', next.reshape(state.shape));
  return optimizeGraph(b.build());
}
// #endregion inference-graph

/** The format of `InferenceVocab`. */
export const INFERENCE_VOCAB_FORMAT = 'rnn-scratch-vocab';
export const INFERENCE_VOCAB_VERSION = 1;

/** Each preprocessing in words, with the same rule in Python. */
export const PREPROCESS_RULES: { readonly [P in Preprocessing]: string } = {
  book: "every run of characters other than A-Z and a-z becomes one space, then trim and lower-case (Python: re.sub('[^A-Za-z]+', ' ', text).strip().lower())",
  unicode: "every run of whitespace becomes one space, then trim (Python: re.sub(r'\\s+', ' ', text).strip())",
};

/** A tensor's type as written in `InferenceVocab`. */
export interface TensorType {
  readonly dtype: 'int32' | FloatDType;
  readonly shape: readonly number[];
}

/**
 * What a user of an exported model needs beside it (the CLI writes it as `vocab.json`): the vocabulary,
 * how to turn text into ids the way the model was trained, and the model's inputs and outputs.
 */
export interface InferenceVocab {
  readonly format: typeof INFERENCE_VOCAB_FORMAT;
  readonly version: typeof INFERENCE_VOCAB_VERSION;
  /** The token of every id. A token is one character (Unicode code point), except `<unk>`. */
  readonly idxToToken: readonly string[];
  /** The id of `<unk>` (0): characters outside the vocabulary map to it. */
  readonly unk: number;
  /** How the training text was cleaned; clean a prefix the same way (the whole prefix as one line). */
  readonly preprocess: Preprocessing;
  /** `preprocess` in words and in Python. */
  readonly preprocessRule: string;
  readonly model: {
    readonly cell: CellName;
    readonly numLayers: number;
    readonly numHiddens: number;
    readonly vocabSize: number;
    /** The entries of the state's first axis, in order (`l1.H`, `l1.C`, ...). */
    readonly stateEntries: readonly string[];
  };
  readonly inputs: { readonly token: TensorType; readonly state: TensorType };
  readonly outputs: { readonly logits: TensorType; readonly next_state: TensorType };
}

/** The `InferenceVocab` of a checkpoint's model, for a graph whose floats are `dtype` (float32 by default). */
export function inferenceVocab(meta: CheckpointMeta, dtype: FloatDType = 'float32'): InferenceVocab {
  const spec = checkpointModel(meta);
  const preprocess = meta.hyperparameters.preprocess;
  const state: TensorType = { dtype, shape: inferenceStateShape(spec) };
  return {
    format: INFERENCE_VOCAB_FORMAT,
    version: INFERENCE_VOCAB_VERSION,
    idxToToken: [...meta.vocab.idxToToken],
    unk: meta.vocab.idxToToken.indexOf(UNK_TOKEN),
    preprocess,
    preprocessRule: PREPROCESS_RULES[preprocess],
    model: {
      cell: spec.cell ?? 'rnn',
      numLayers: spec.numLayers ?? 1,
      numHiddens: spec.numHiddens,
      vocabSize: spec.vocabSize,
      stateEntries: stateEntries(spec),
    },
    inputs: { token: { dtype: 'int32', shape: [1, 1] }, state },
    outputs: { logits: { dtype, shape: [1, spec.vocabSize] }, next_state: state },
  };
}

/** The zero state an exported model starts from. */
export function inferenceInitialState(spec: ModelSpec, dtype: FloatDType = 'float32'): HostTensor {
  return tensor(dtype, inferenceStateShape(spec));
}

/**
 * `vocab` as the text of `vocab.json`: indented JSON with every list of plain values (the tokens, the
 * shapes) on one line, and a final newline.
 */
export function encodeInferenceVocab(vocab: InferenceVocab): string {
  const text = JSON.stringify(vocab, null, 2);
  // JSON strings hold no raw line breaks, so the breaks inside a list of strings and numbers are layout.
  const flat = /\[\n\s*(?:"(?:[^"\\\n]|\\.)*"|-?[\d.eE+]+)(?:,\n\s*(?:"(?:[^"\\\n]|\\.)*"|-?[\d.eE+]+))*\n\s*\]/g;
  return `${text.replace(flat, (list) =>
    list
      .replace(/^\[\n\s*/, '[')
      .replace(/\n\s*\]$/, ']')
      .replace(/,\n\s*/g, ', '),
  )}\n`;
}
