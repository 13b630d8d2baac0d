// `rnn-scratch export` end to end (the real built binary): tiny checkpoints of every cell and a 2-layer lstm
// are exported, the ONNX file is loaded ALONE in onnxruntime-node, and greedy generation written the way a
// user of the two files would write it gives exactly `rnn-scratch predict`'s text; so do the README's
// JavaScript snippet (on onnxruntime-node, the same API as onnxruntime-web) and its Python snippet (in
// python3 with NumPy, against a stand-in for onnxruntime that passes each run on to onnxruntime-node).
// Bad input: one line and a distinct exit code.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MOUNT_SKIP_ID, mountTmpfs, mountUnsupported } from '../../core/test/mount.js';
import { checkBuilt, cli, expectOneLineError, type Result, tempDir } from './helpers.js';

const dir = tempDir('rnn-scratch-export-');
const run = (args: string[]) => cli(dir, args);
beforeAll(checkBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Small and quick, but trained enough (PyTorch's larger initial weights, lr 4) that greedy text varies with
// the state rather than repeating one character: a comparison of texts that can fail.
const TINY = ['--num-hiddens', '8', '--epochs', '5', '--max-tokens', '1000', '--batch-size', '4', '--num-steps', '5'];
const TRAIN = [...TINY, '--init', 'uniform', '--lr', '4', '--backend', 'reference'];
const PREFIXES = ['time traveller', 'The Time-Traveller!', 'q'];
const README = fileURLToPath(new URL('../README.md', import.meta.url));
const PYTHON_ORT = fileURLToPath(new URL('./python-ort', import.meta.url));

interface Vocab {
  idxToToken: string[];
  unk: number;
  preprocess: 'book' | 'unicode';
  model: { cell: string; numLayers: number; numHiddens: number; vocabSize: number; stateEntries: string[] };
  inputs: { state: { dtype: string; shape: number[] } };
}

/**
 * Greedy generation from the two exported files, as their user writes it: clean the prefix by the rule
 * vocab.json names, map characters to ids (<unk> for the rest), warm the state up on the prefix, then take
 * the argmax `numPreds` times.
 */
async function generate(modelFile: string, vocabFile: string, text: string, numPreds: number): Promise<string> {
  const vocab = JSON.parse(readFileSync(vocabFile, 'utf8')) as Vocab;
  const session = await ort.InferenceSession.create(modelFile);
  try {
    const prefix =
      vocab.preprocess === 'book'
        ? text
            .replace(/[^A-Za-z]+/g, ' ')
            .trim()
            .toLowerCase()
        : text.replace(/\s+/gu, ' ').trim();
    const index = new Map(vocab.idxToToken.map((t, i) => [t, i]));
    const ids = [...prefix].map((c) => index.get(c) ?? vocab.unk);
    const shape = vocab.inputs.state.shape;
    let state = new ort.Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
    const step = async (id: number) => {
      const out = await session.run({ token: new ort.Tensor('int32', Int32Array.of(id), [1, 1]), state });
      state = out.next_state as ort.TypedTensor<'float32'>;
      return out.logits.data as Float32Array;
    };
    for (const id of ids.slice(0, -1)) await step(id);
    for (let i = 0; i < numPreds; i++) {
      const logits = await step(ids[ids.length - 1]);
      let best = 0;
      for (let k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
      ids.push(best);
    }
    return ids.map((id) => vocab.idxToToken[id]).join('');
  } finally {
    await session.release();
  }
}

/** `rnn-scratch predict`'s text. */
function predicted(checkpoint: string, prefix: string): string {
  const r = run(['predict', '--checkpoint', checkpoint, '--prefix', prefix, '--num-preds', '50']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  return r.stdout.slice(0, -1);
}

/** The code block in `lang` of the README's `rnn-scratch export` section. */
function snippet(lang: 'python' | 'js'): string {
  const section = readFileSync(README, 'utf8').split('\n### `rnn-scratch export`\n')[1].split('\n### ')[0];
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === lang);
  expect(blocks, `one ${lang} block`).toHaveLength(1);
  return blocks[0][2];
}

/** The README's prefix: both snippets continue it. */
const SNIPPET_PREFIX = 'The Time Traveller';

describe.each([
  ['rnn', '1'],
  ['gru', '1'],
  ['lstm', '1'],
  ['lstm', '2'],
])('export --cell %s --num-layers %s', (cell, layers) => {
  const ck = `${cell}-${layers}`;
  const out = join(dir, ck, 'export');
  const S = Number(layers) * (cell === 'lstm' ? 2 : 1);

  let r: Result;
  beforeAll(() => {
    const t = run(['train', ...TRAIN, '--cell', cell, '--num-layers', layers, '--out', ck]);
    expect(t.code, t.stderr).toBe(0);
    r = run(['export', '--checkpoint', ck, '--format', 'onnx', '--out', `${ck}/export/model.onnx`]);
  });

  it('writes model.onnx and vocab.json and says what they hold', () => {
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(readdirSync(out).sort()).toEqual(['model.onnx', 'vocab.json']);
    const lines = r.stdout.trimEnd().split('\n');
    const hidden = `${Number(layers) === 1 ? '1 layer' : `${layers} layers`} of 8 hidden units`;
    expect(lines[0]).toMatch(
      new RegExp(`^wrote ${ck}/export/model\\.onnx: ONNX opset 17, IR version 8, \\d+\\.\\d kB; ${cell}, ${hidden}$`),
    );
    expect(lines[1]).toBe(`  inputs   token int32 [1, 1], state float32 [${S}, 1, 8]`);
    expect(lines[2]).toBe(`  outputs  logits float32 [1, 28], next_state float32 [${S}, 1, 8]`);
    expect(lines[4]).toBe(`wrote ${ck}/export/vocab.json: 28 tokens (<unk> is 0), preprocessing 'book'`);

    const meta = JSON.parse(readFileSync(join(dir, ck, 'checkpoint.json'), 'utf8'));
    const vocab = JSON.parse(readFileSync(join(out, 'vocab.json'), 'utf8'));
    expect(vocab).toMatchObject({
      format: 'rnn-scratch-vocab',
      version: 1,
      idxToToken: meta.vocab.idxToToken,
      unk: 0,
      preprocess: 'book',
      model: { cell, numLayers: Number(layers), numHiddens: 8, vocabSize: 28 },
      inputs: { token: { dtype: 'int32', shape: [1, 1] }, state: { dtype: 'float32', shape: [S, 1, 8] } },
      outputs: { logits: { dtype: 'float32', shape: [1, 28] }, next_state: { dtype: 'float32', shape: [S, 1, 8] } },
    });
    expect(vocab.model.stateEntries).toHaveLength(S);
  });

  it("loaded alone in onnxruntime-node, it generates exactly predict's text", async () => {
    // Only the .onnx file, in a folder of its own: the weights must be inside it.
    const alone = join(dir, ck, 'alone');
    mkdirSync(alone);
    copyFileSync(join(out, 'model.onnx'), join(alone, 'model.onnx'));
    const session = await ort.InferenceSession.create(join(alone, 'model.onnx'));
    expect([session.inputNames, session.outputNames]).toEqual([
      ['token', 'state'],
      ['logits', 'next_state'],
    ]);
    await session.release();
    for (const prefix of PREFIXES) {
      const want = predicted(ck, prefix);
      expect(new Set(want.slice(-50)).size, `${prefix}: ${want}`).toBeGreaterThan(1);
      expect(await generate(join(alone, 'model.onnx'), join(out, 'vocab.json'), prefix, 50), prefix).toBe(want);
    }
  });

  it("the README's JavaScript snippet prints predict's text (on onnxruntime-node)", async () => {
    const code = snippet('js');
    const importLine = "import * as ort from 'onnxruntime-web';\n";
    expect(code.startsWith(importLine)).toBe(true);
    expect(code).toContain(`'${SNIPPET_PREFIX}'`);
    // What a browser resolves against the page's address: the two files of this export.
    const fetchFile = async (url: string) => ({ json: async () => JSON.parse(readFileSync(join(out, url), 'utf8')) });
    const runtime = {
      ...ort,
      InferenceSession: { create: (url: string) => ort.InferenceSession.create(join(out, url)) },
    };
    const printed: string[] = [];
    const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    await new AsyncFunction('ort', 'fetch', 'console', code.slice(importLine.length))(runtime, fetchFile, {
      log: (s: string) => printed.push(s),
    });
    expect(printed).toEqual([predicted(ck, SNIPPET_PREFIX)]);
  });

  it("the README's Python snippet prints predict's text (onnxruntime stood in for)", (context) => {
    const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) context.skip('python3 with NumPy is not installed');
    const code = snippet('python');
    expect(code).toContain(`'${SNIPPET_PREFIX}'`);
    writeFileSync(join(out, 'snippet.py'), code);
    const r = spawnSync('python3', ['snippet.py'], {
      cwd: out,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PYTHONPATH: PYTHON_ORT, PYTHONDONTWRITEBYTECODE: '1', RNN_SCRATCH_NODE: process.execPath },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${predicted(ck, SNIPPET_PREFIX)}\n`);
  });
});

describe('export of a unicode checkpoint', () => {
  it("keeps the characters, reads unknown ones as <unk>, and generates predict's text", async () => {
    const line = '时间旅行者正在向我们阐述一件深奥的事情。他灰色的眼睛闪闪发光，平时苍白的脸泛着红晕。\n';
    writeFileSync(join(dir, 'zh.txt'), line.repeat(10));
    const t = run(['train', ...TRAIN, '--cell', 'gru', '--corpus', 'zh.txt', '--preprocess', 'unicode', '--out', 'zh']);
    expect(t.code, t.stderr).toBe(0);
    const r = run(['export', '--checkpoint', 'zh', '--out', 'zh-export/model.onnx', '--vocab', 'zh-export/zh.json']);
    expect(r.code, r.stderr).toBe(0);
    const vocab = JSON.parse(readFileSync(join(dir, 'zh-export', 'zh.json'), 'utf8'));
    expect(vocab.preprocess).toBe('unicode');
    for (const prefix of ['时间', '他的  猫🙂 眼睛']) {
      const want = predicted('zh', prefix);
      const got = await generate(join(dir, 'zh-export', 'model.onnx'), join(dir, 'zh-export', 'zh.json'), prefix, 50);
      expect(got, prefix).toBe(want);
    }
    expect(predicted('zh', '猫')).toMatch(/^<unk>/);
  });
});

describe('export: flags and errors', () => {
  beforeAll(() => {
    const t = run(['train', ...TRAIN, '--out', 'base']);
    expect(t.code, t.stderr).toBe(0);
  });

  it('--json prints one object with the files, versions and shapes', () => {
    const r = run(['export', '--checkpoint', 'base', '--out', 'json/m.onnx', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      checkpoint: 'base',
      epoch: 5,
      format: 'onnx',
      out: 'json/m.onnx',
      vocab: join('json', 'vocab.json'),
      opset: 17,
      irVersion: 8,
      bytes: readFileSync(join(dir, 'json', 'm.onnx')).byteLength,
      model: { cell: 'rnn', numLayers: 1, numHiddens: 8, vocabSize: 28, stateEntries: ['H'] },
      inputs: { token: { dtype: 'int32', shape: [1, 1] }, state: { dtype: 'float32', shape: [1, 1, 8] } },
    });
  });

  it('replaces the files of an earlier export', () => {
    writeFileSync(join(dir, 'old.onnx'), 'not a model');
    const r = run(['export', '--checkpoint', 'base', '--out', 'old.onnx']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'old.onnx')).byteLength).toBeGreaterThan(1000);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--help describes the flags and the model', () => {
    const r = run(['export', '--help']);
    expect(r.code).toBe(0);
    for (const text of ['--checkpoint DIR', '--format onnx', '--out FILE', '--vocab FILE', 'next_state', '[S, 1, H]'])
      expect(r.stdout).toContain(text);
    expect(run(['--help']).stdout).toMatch(/\n {2}export +write a checkpoint as a self-contained ONNX inference model/);
  });

  it('usage errors: exit 2, one line', () => {
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--format', 'tflite', '--out', 'm.onnx']),
      2,
      /--format must be one of onnx; got 'tflite'/,
    );
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--format', 'onx', '--out', 'm.onnx']),
      2,
      /did you mean 'onnx'\?$/,
    );
    expectOneLineError(run(['export', '--out', 'm.onnx']), 2, /'rnn-scratch export' needs --checkpoint DIR/);
    expectOneLineError(run(['export', '--checkpoint', 'base']), 2, /'rnn-scratch export' needs --out FILE/);
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--out', 'base']),
      2,
      /^rnn-scratch: --out base is a folder; give the path of the file to write$/,
    );
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--out', 'x/vocab.json']),
      2,
      /--out and --vocab are the same file \(x\/vocab\.json\)/,
    );
    expect(readdirSync(dir)).not.toContain('m.onnx');
  });

  it('a missing or damaged checkpoint: exit 4, one line, nothing written', () => {
    expectOneLineError(run(['export', '--checkpoint', 'nowhere', '--out', 'nowhere.onnx']), 4, /nowhere/);
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'checkpoint.json'), '{"format": "rnn-scratch-checkpoint", "version"');
    expectOneLineError(run(['export', '--checkpoint', 'broken', '--out', 'broken.onnx']), 4, /checkpoint\.json/);
    expect(readdirSync(dir).filter((f) => f.startsWith('nowhere') || f.startsWith('broken.'))).toEqual([]);
  });

  it('an --out or --vocab that cannot be written: exit 3, one line, no partial file', () => {
    writeFileSync(join(dir, 'notes.txt'), 'a file, not a folder');
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--out', 'notes.txt/model.onnx']),
      3,
      /^rnn-scratch: --out notes\.txt\/model\.onnx cannot be written: a folder on its path is a file \(ENOTDIR\); give another --out$/,
    );
    // The model could be written, the vocabulary not: neither is left.
    expectOneLineError(
      run(['export', '--checkpoint', 'base', '--out', 'half/model.onnx', '--vocab', 'notes.txt/vocab.json']),
      3,
      /^rnn-scratch: --vocab notes\.txt\/vocab\.json cannot be written: .*\(ENOTDIR\); give another --vocab$/,
    );
    expect(readdirSync(join(dir, 'half'))).toEqual([]);
  });

  const noMount = mountUnsupported();
  it.skipIf(noMount !== undefined)(
    `a read-only file system: exit 3, one line${noMount ? ` [skipped ${MOUNT_SKIP_ID}: ${noMount}]` : ''}`,
    () => {
      const disk = mountTmpfs('ro,size=64k');
      try {
        const target = join(disk.dir, 'model.onnx');
        expectOneLineError(
          run(['export', '--checkpoint', 'base', '--out', target]),
          3,
          new RegExp(
            `^rnn-scratch: --out ${target} cannot be written: its file system is read-only \\(EROFS\\); give another --out$`,
          ),
        );
      } finally {
        disk.dispose();
      }
    },
  );
});
