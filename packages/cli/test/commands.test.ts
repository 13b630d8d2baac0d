// `rnn-scratch predict`, `backends` and `bench` end to end (the real built binary).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { checkBuilt, cli, expectOneLineError, tempDir, TINY } from './helpers.js';

const dir = tempDir('rnn-scratch-commands-');
const run = (args: string[], env?: Record<string, string>) => cli(dir, args, env);
const NO_EXTRA_BACKENDS = { RNN_SCRATCH_DISABLE_BACKENDS: 'onnx,tfjs' };

/** SwiftShader's Vulkan driver as Debian's chromium package installs it, and the Vulkan loader. */
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
function swiftShaderMissing(): string | undefined {
  if (!existsSync(SWIFTSHADER_ICD)) return `${SWIFTSHADER_ICD} is absent (Debian: apt-get install chromium)`;
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (!(ldconfig.stdout ?? '').includes('libvulkan.so.1'))
    return 'the Vulkan loader libvulkan.so.1 is absent (Debian: apt-get install libvulkan1)';
  return undefined;
}
const noSwiftShader = swiftShaderMissing();

/** The environment in which the Vulkan loader sees only SwiftShader (tfjs left out: its probe is slow). */
function swiftShaderEnv(): Record<string, string> {
  const runtimeDir = tempDir('rnn-scratch-xdg-');
  onTestFinished(() => rmSync(runtimeDir, { recursive: true, force: true }));
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: runtimeDir, RNN_SCRATCH_DISABLE_BACKENDS: 'tfjs' };
}

beforeAll(() => {
  checkBuilt();
  const r = run(['train', ...TINY, '--out', 'model', '--json']);
  if (r.code !== 0) throw new Error(`training the test model failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rnn-scratch predict', () => {
  it('continues "time traveller" with 50 characters, greedily and reproducibly', () => {
    const a = run(['predict', '--checkpoint', 'model']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const text = a.stdout.replace(/\n$/, '');
    expect(text).toMatch(/^time traveller/);
    expect(text).toHaveLength(64);
    expect(run(['predict', '--checkpoint', 'model']).stdout).toBe(a.stdout);
  });

  it('follows --prefix and --num-preds, and samples reproducibly with --temperature, --top-k and --seed', () => {
    const r = run(['predict', '--checkpoint', 'model', '--prefix', 'traveller', '--num-preds', '10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^traveller.{10}\n$/);
    const sample = ['predict', '--checkpoint', 'model', '--temperature', '1.5', '--top-k', '5', '--json'];
    const s1 = JSON.parse(run([...sample, '--seed', '1']).stdout);
    const s2 = JSON.parse(run([...sample, '--seed', '1']).stdout);
    const s3 = JSON.parse(run([...sample, '--seed', '2']).stdout);
    expect(s1).toMatchObject({
      checkpoint: 'model',
      epoch: 3,
      backend: 'reference:cpu',
      prefix: 'time traveller',
      numPreds: 50,
      temperature: 1.5,
      topK: 5,
      seed: 1,
    });
    expect(s1.text).toHaveLength(64);
    expect(s2.text).toBe(s1.text);
    expect(s3.text).not.toBe(s1.text);
  });

  it("preprocesses --prefix like the book's corpus: lower-cased, every run of non-letters one space", () => {
    const r = run(['predict', '--checkpoint', 'model', '--prefix', ' The Time-Traveller! ', '--num-preds', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^the time traveller.{3}\n$/);
    const same = run(['predict', '--checkpoint', 'model', '--prefix', 'the time traveller', '--num-preds', '3']);
    expect(r.stdout).toBe(same.stdout);
    expectOneLineError(
      run(['predict', '--checkpoint', 'model', '--prefix', '1984!']),
      2,
      /--prefix "1984!" is empty once preprocessed like the checkpoint's corpus \(book\)/,
    );
  });

  it('names the letters outside the vocabulary in one note', () => {
    // A corpus without q, u, z.
    writeFileSync(join(dir, 'few.txt'), 'the time traveller for so it will be convenient to speak of him\n'.repeat(40));
    const t = run(['train', ...TINY, '--epochs', '1', '--corpus', 'few.txt', '--max-tokens', '-1', '--out', 'few']);
    expect(t.code, t.stderr).toBe(0);
    const r = run(['predict', '--checkpoint', 'few', '--prefix', 'Time, QUIZ!', '--num-preds', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^time <unk><unk>i<unk>.{3}\n$/);
    expect(r.stderr).toBe(
      'rnn-scratch: note: the prefix\'s 3 characters are not in the vocabulary, read as <unk>: "q", "u", "z"\n',
    );
  });

  it('fails with one line: no --checkpoint (2), a missing checkpoint (4), --top-k without sampling (2)', () => {
    expectOneLineError(run(['predict']), 2, /needs --checkpoint DIR/);
    expectOneLineError(run(['predict', '--checkpoint', 'nope']), 4, /^rnn-scratch: checkpoint not found: nope$/);
    expectOneLineError(
      run(['predict', '--checkpoint', 'model', '--top-k', '3']),
      2,
      /--top-k only applies when sampling/,
    );
    expectOneLineError(
      run(['predict', '--checkpoint', 'model', '--temperature', '-1']),
      2,
      /--temperature must be at least 0/,
    );
    expectOneLineError(
      run(['predict', '--checkpoint', 'model', '--prefix', '']),
      2,
      /--prefix needs a non-empty value/,
    );
  });

  it('documents its flags with their defaults', () => {
    const help = run(['predict', '--help']).stdout;
    expect(help).toMatch(/--prefix TEXT +.*\(default: time traveller\)/);
    expect(help).toMatch(/--num-preds N +.*\(default: 50\)/);
    expect(help).toMatch(/--temperature N +.*\(default: 0\)/);
    expect(help).toMatch(/--seed N +.*\(default: 0\)/);
    expect(help).toMatch(/--backend ID +.*\(default: reference\)/);
  });
});

describe('rnn-scratch backends', () => {
  it('lists every backend and device with its availability and, when unavailable, why and how to fix it', () => {
    const r = run(['backends', '--json'], NO_EXTRA_BACKENDS);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    const byId = new Map(summary.backends.map((b: { id: string }) => [b.id, b]));
    expect(byId.get('reference:cpu')).toMatchObject({ name: 'reference', device: 'cpu', available: true });
    expect(byId.get('onnx')).toMatchObject({ available: false, reason: 'disabled by RNN_SCRATCH_DISABLE_BACKENDS' });
    expect((byId.get('onnx') as { hint: string }).hint).toMatch(/RNN_SCRATCH_DISABLE_BACKENDS/);
    expect(summary.packages.map((p: { name: string }) => p.name)).toEqual(['onnx', 'tfjs']);
    expect(summary.auto).toBe('reference:cpu');

    const text = run(['backends'], NO_EXTRA_BACKENDS);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^reference:cpu +yes$/m);
    expect(text.stdout).toMatch(/^onnx +no: disabled by RNN_SCRATCH_DISABLE_BACKENDS$/m);
    expect(text.stdout).toMatch(/^ +to fix: unset RNN_SCRATCH_DISABLE_BACKENDS/m);
    expect(text.stdout).toMatch(/--backend auto picks reference:cpu$/m);
  });

  it.skipIf(noSwiftShader !== undefined)(
    `software-gpu/swiftshader: onnx:webgpu on SwiftShader is available but "software", and auto picks a CPU backend${
      noSwiftShader ? ` [skipped: ${noSwiftShader}]` : ''
    }`,
    () => {
      // The Vulkan loader sees only SwiftShader: WebGPU finds an adapter, emulated on the CPU.
      const env = swiftShaderEnv();
      const r = run(['backends', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout);
      const webgpu = summary.backends.find((b: { id: string }) => b.id === 'onnx:webgpu');
      expect(webgpu, JSON.stringify(summary.backends)).toMatchObject({ available: true, software: 'SwiftShader' });
      expect(summary.backends.find((b: { id: string }) => b.id === 'onnx:cpu')).toMatchObject({ available: true });
      expect(summary.backends.find((b: { id: string }) => b.id === 'onnx:cpu').software).toBeUndefined();
      expect(summary.auto).toBe('onnx:cpu');

      const text = run(['backends'], env);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^onnx:webgpu +yes \(software: SwiftShader\)$/m);
      expect(text.stdout).toMatch(
        /^usable: onnx:cpu, onnx:webgpu \(software\), reference:cpu; --backend auto picks onnx:cpu$/m,
      );
    },
  );

  it('lists the real backend packages without crashing, whatever state they are in', () => {
    const r = run(['backends', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    for (const b of summary.backends) {
      expect(typeof b.available).toBe('boolean');
      if (!b.available) expect(b.reason).toEqual(expect.any(String));
    }
    expect(summary.backends.some((b: { id: string }) => b.id === 'reference:cpu')).toBe(true);
  });
});

describe('rnn-scratch backends --check', () => {
  it('runs the conformance suite on each backend given and reports passed, failed and skipped cases', () => {
    const only = ['--only', 'op/tanh/,vjp/tanh/', '--only', 'e2e/train-steps/step-by-step/'];
    const r = run(['backends', '--check', 'reference,onnx:cpu', ...only]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^reference:cpu: (\d+) passed, 0 failed, 0 skipped \([\d.]+s\)$/m);
    // onnx:cpu computes in float32 and float64, the reference in float64: nothing is skipped on either.
    expect(r.stdout).toMatch(/^onnx:cpu: \d+ passed, 0 failed, 0 skipped/m);
    // Progress, on stderr when it is not a terminal: one line per level finished.
    expect(r.stderr).toMatch(/^reference:cpu: op forward done, \d+\/\d+ cases, 0 failed$/m);
    expect(r.stderr).toMatch(/^onnx:cpu: end-to-end done, (\d+)\/\1 cases, 0 failed$/m);

    const json = run(['backends', '--check', 'tfjs:cpu', ...only, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const [tfjs] = JSON.parse(json.stdout).checks;
    expect(tfjs).toMatchObject({ backend: 'tfjs:cpu', failed: [] });
    expect(tfjs.passed).toBeGreaterThan(0);
    expect(tfjs.skipped).toEqual({ [`float64 case: backend tfjs has floatPrecision 32`]: expect.any(Number) });
  });

  it('refuses an unknown backend, --only without --check, and a prefix that matches no case', () => {
    expectOneLineError(run(['backends', '--check', 'nosuch']), 2, /--check: unknown backend 'nosuch'/);
    expectOneLineError(run(['backends', '--only', 'op/']), 2, /--only selects cases of --check/);
    expectOneLineError(
      run(['backends', '--check', 'reference', '--only', 'opp/']),
      2,
      /--only opp\/ matches no conformance case \(ids start with op\/, vjp\/, composite\/, bad-input\/, e2e\/\)/,
    );
    expectOneLineError(run(['backends', '--check', 'onnx'], NO_EXTRA_BACKENDS), 5, /backend onnx is unavailable/);
  });

  it.skipIf(noSwiftShader !== undefined)(
    `software-gpu/check-fails: a case that fails on onnx:webgpu (SwiftShader) exits 10 and says which and why${
      noSwiftShader ? ` [skipped: ${noSwiftShader}]` : ''
    }`,
    () => {
      // SwiftShader's log(0) is -88.03, not -Infinity (the onnx:webgpu conformance test lists it as known).
      const env = swiftShaderEnv();
      const r = run(['backends', '--check', 'onnx:webgpu', '--only', 'op/log/vector/'], env);
      expect(r.code, r.stderr).toBe(10);
      expect(r.stdout).toMatch(/^onnx:webgpu: 0 passed, 1 failed, 1 skipped/m);
      expect(r.stdout).toMatch(/^ {2}failed op\/log\/vector\/float32: element \[3\] is -88\.\d+, expected -Infinity/m);
      expect(r.stdout).toMatch(/^ {2}skipped 1: float64 case: backend onnx has floatPrecision 32$/m);
      expect(r.stderr).toMatch(
        /^rnn-scratch: conformance cases failed on onnx:webgpu \(1: op\/log\/vector\/float32\)$/m,
      );
    },
  );
});

describe('rnn-scratch bench', () => {
  const tiny = ['--num-hiddens', '8,16', '--steps', '3', '--warmup', '1', '--batch-size', '4', '--num-steps', '5'];

  it('measures train-step tokens/s per backend and size, listing unavailable backends with the reason', () => {
    const r = run(['bench', '--backend', 'reference,onnx', ...tiny, '--json'], NO_EXTRA_BACKENDS);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ batchSize: 4, numSteps: 5, tokensPerStep: 20, steps: 3, warmup: 1, vocabSize: 28 });
    expect(summary.results.map((c: { backend: string; numHiddens: number }) => `${c.backend}/${c.numHiddens}`)).toEqual(
      ['reference:cpu/8', 'reference:cpu/16'],
    );
    for (const c of summary.results) {
      expect(c.tokensPerSec).toBeGreaterThan(0);
      expect(c.tokensPerSec).toBeCloseTo(20 / (c.medianMs / 1000), 6);
      expect(c.rssMB).toBeGreaterThan(0);
    }
    expect(summary.unavailable).toEqual([
      {
        backend: 'onnx',
        reason: expect.stringMatching(/^backend onnx is unavailable: disabled by RNN_SCRATCH_DISABLE_BACKENDS/),
      },
    ]);
    expect(summary.peakRssMB).toBeGreaterThan(0);
  });

  it('prints the sizes side by side as a table', () => {
    const r = run(['bench', '--backend', 'reference,tfjs', ...tiny], NO_EXTRA_BACKENDS);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^train step: batch 4 x 5 steps = 20 tokens, vocab 28; median of 3 steps after 1 warm-up/);
    expect(r.stdout).toMatch(/^ +reference:cpu$/m);
    expect(r.stdout).toMatch(/^H=8 +[\d,]+ \([\d.]+ ms\)$/m);
    expect(r.stdout).toMatch(/^H=16 +[\d,]+ \([\d.]+ ms\)$/m);
    expect(r.stdout).toMatch(/^RSS after +\d+ MB$/m);
    expect(r.stdout).toMatch(/^peak RSS \d+ MB \(whole process\)$/m);
    expect(r.stdout).toMatch(/^unavailable: backend tfjs is unavailable: disabled by RNN_SCRATCH_DISABLE_BACKENDS/m);
  });

  it('rejects bad lists and unknown backends with exit code 2', () => {
    expectOneLineError(
      run(['bench', '--num-hiddens', '8,x']),
      2,
      /--num-hiddens expects comma-separated positive integers/,
    );
    expectOneLineError(
      run(['bench', '--num-hiddens', '0']),
      2,
      /--num-hiddens expects comma-separated positive integers/,
    );
    expectOneLineError(
      run(['bench', '--backend', 'refrence']),
      2,
      /unknown backend 'refrence'; did you mean 'reference'\?$/,
    );
    expectOneLineError(run(['bench', '--steps', '0']), 2, /--steps must be at least 1, got 0$/);
  });
});
