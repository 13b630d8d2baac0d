/**
 * `rnn-scratch export`: a checkpoint as a self-contained ONNX inference model plus its `vocab.json`, for
 * ONNX runtimes outside rnn-scratch (Python's onnxruntime, onnxruntime-web, ...). Core builds the
 * inference graph (`buildInferenceGraph`), `@rnn-scratch/backend-onnx/export` writes the bytes; this
 * command reads the flags and writes the two files.
 */

import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import {
  buildInferenceGraph,
  checkpointModel,
  encodeInferenceVocab,
  firstLine,
  inferenceVocab,
  type InferenceVocab,
  type TensorType,
} from '@rnn-scratch/core';

import { UsageError } from '../args.js';
import { BACKEND_PACKAGES } from '../backends.js';
import { loadCheckpoint } from '../checkpoint.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT_BACKEND, EXIT_DATA } from '../errors.js';

/** The export formats; one for now. */
export const EXPORT_FORMATS = ['onnx'] as const;

const flags = [
  {
    name: 'checkpoint',
    type: 'string',
    placeholder: 'DIR',
    help: 'checkpoint folder written by rnn-scratch train (required)',
  },
  { name: 'format', type: 'choice', choices: EXPORT_FORMATS, default: 'onnx', help: 'file format of the model' },
  { name: 'out', type: 'string', placeholder: 'FILE', help: 'the model file to write, e.g. model.onnx (required)' },
  {
    name: 'vocab',
    type: 'string',
    placeholder: 'FILE',
    help: 'where to write the vocabulary and how to turn text into ids',
    defaultLabel: 'vocab.json beside --out',
  },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of text' },
] as const;

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'write a checkpoint as a self-contained ONNX inference model and its vocab.json',
  description: [
    'Writes the model of a checkpoint as one ONNX file for inference (opset 17, IR version 8: onnxruntime 1.12',
    'and later, in Python, Node, browsers), with the weights inside it, and the vocabulary beside it. One run of',
    "the model reads one character and the state, and gives the next character's logits and the new state:",
    '',
    '  inputs   token       int32    [1, 1]      the id of the character (see vocab.json)',
    '           state       float32  [S, 1, H]   zeros before the first character',
    '  outputs  logits      float32  [1, V]      scores of the next character (argmax: the greedy choice)',
    '           next_state  float32  [S, 1, H]   feed it back as state',
    '',
    'S is the number of state entries: the layers, times 2 for the lstm (H and C of each layer, in order).',
    'vocab.json holds the tokens of every id (<unk> is 0), the preprocessing to apply to a prefix, and the',
    'shapes above. Warming up on a prefix and then taking the argmax 50 times gives the text of',
    "'rnn-scratch predict' exactly.",
    '',
    'Examples:',
    '  rnn-scratch export --checkpoint runs/quick --out model.onnx',
    '  rnn-scratch export --checkpoint runs/quick --format onnx --out web/model.onnx --vocab web/vocab.json',
  ].join('\n'),
  flags,
  async run(options, { stdout }) {
    if (options.checkpoint === undefined) {
      throw new UsageError("'rnn-scratch export' needs --checkpoint DIR (a folder written by rnn-scratch train)");
    }
    if (options.out === undefined) {
      throw new UsageError("'rnn-scratch export' needs --out FILE, the model file to write (e.g. model.onnx)");
    }
    const out = options.out;
    const vocabPath = options.vocab ?? join(dirname(out), 'vocab.json');
    if (resolve(out) === resolve(vocabPath)) {
      throw new UsageError(`--out and --vocab are the same file (${out}); give the vocabulary another name`);
    }
    for (const [flag, path] of [
      ['--out', out],
      ['--vocab', vocabPath],
    ] as const) {
      if (isFolder(path)) throw new UsageError(`${flag} ${path} is a folder; give the path of the file to write`);
    }

    const { meta, params } = loadCheckpoint(options.checkpoint);
    const { exportOnnx, EXPORT_OPSET_VERSION, EXPORT_IR_VERSION } = await loadExporter();
    const model = exportOnnx(buildInferenceGraph(params, checkpointModel(meta)), { names: params });
    const vocab = inferenceVocab(meta, params.W_hq.dtype === 'float64' ? 'float64' : 'float32');
    writeFiles([
      ['--out', out, model],
      ['--vocab', vocabPath, encodeInferenceVocab(vocab)],
    ]);

    if (options.json) {
      const summary = {
        checkpoint: options.checkpoint,
        epoch: meta.epoch,
        format: options.format,
        out,
        vocab: vocabPath,
        bytes: model.byteLength,
        opset: EXPORT_OPSET_VERSION,
        irVersion: EXPORT_IR_VERSION,
        model: vocab.model,
        inputs: vocab.inputs,
        outputs: vocab.outputs,
      };
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const { cell, numLayers, numHiddens, stateEntries } = vocab.model;
    const layers = numLayers === 1 ? '1 layer' : `${numLayers} layers`;
    stdout.write(
      [
        `wrote ${out}: ONNX opset ${EXPORT_OPSET_VERSION}, IR version ${EXPORT_IR_VERSION}, ${kilobytes(model.byteLength)}; ${cell}, ${layers} of ${numHiddens} hidden units`,
        `  inputs   ${io(vocab.inputs)}`,
        `  outputs  ${io(vocab.outputs)}`,
        `  state entries: ${stateEntries.join(', ')}`,
        `wrote ${vocabPath}: ${vocab.idxToToken.length} tokens (<unk> is ${vocab.unk}), preprocessing '${vocab.preprocess}'`,
        '',
      ].join('\n'),
    );
  },
});

/** `token int32 [1, 1], state float32 [2, 1, 8]` */
function io(values: InferenceVocab['inputs'] | InferenceVocab['outputs']): string {
  return Object.entries(values as Record<string, TensorType>)
    .map(([name, t]) => `${name} ${t.dtype} [${t.shape.join(', ')}]`)
    .join(', ');
}

function kilobytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

type Exporter = typeof import('@rnn-scratch/backend-onnx/export');

/** The ONNX writer of backend-onnx (an optional dependency of the CLI); it loads no runtime. */
async function loadExporter(): Promise<Exporter> {
  const pkg = BACKEND_PACKAGES.find((p) => p.name === 'onnx')!;
  try {
    // A variable specifier, as for the backends: the package may be missing.
    const specifier: string = `${pkg.pkg}/export`;
    return (await import(specifier)) as Exporter;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' && firstLine(err).includes(pkg.pkg);
    const why = missing ? `is not installed (${pkg.whyMissing})` : `failed to load: ${firstLine(err)}`;
    const fix = missing ? pkg.installHint : `reinstall it (${pkg.install})`;
    throw new CliError(EXIT_BACKEND, `--format onnx needs ${pkg.pkg}, which ${why}; to fix: ${fix}`, { cause: err });
  }
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on its file system (ENOSPC)',
  EDQUOT: 'the disk quota is exhausted (EDQUOT)',
  EROFS: 'its file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'permission denied (EPERM)',
  ENOTDIR: 'a folder on its path is a file (ENOTDIR)',
  EISDIR: 'it is a folder (EISDIR)',
};

/**
 * Write every file next to its target first, then rename them into place: a failed export leaves no
 * partial file (and an existing file at the target stays as it was). A file-system error is one line with
 * exit code 3 that names the flag and the path.
 */
function writeFiles(files: readonly (readonly [flag: string, path: string, data: string | Uint8Array])[]): void {
  const temps: string[] = [];
  let current = files[0];
  try {
    for (const file of files) {
      current = file;
      const [, path, data] = file;
      makeParents(path);
      const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      temps.push(temp);
      writeFileSync(temp, data);
    }
    files.forEach((file, k) => {
      current = file;
      renameSync(temps[k], file[1]);
    });
  } catch (err) {
    for (const temp of temps) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // Never written (its folder could not be made or is not one): nothing to remove.
      }
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw err;
    const [flag, path] = current;
    const reason = REASONS[code] ?? firstLine(err);
    throw new CliError(EXIT_DATA, `${flag} ${path} cannot be written: ${reason}; give another ${flag}`, {
      cause: err,
    });
  }
}

/**
 * Create the missing folders above `path`, one at a time from the top, so that a failure carries the real
 * reason (a recursive mkdir says ENOENT where the file system said EROFS or EACCES).
 */
function makeParents(path: string): void {
  const missing: string[] = [];
  for (let dir = dirname(resolve(path)); !existsSync(dir); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) mkdirSync(dir);
}
