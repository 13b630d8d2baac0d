// The packages as a new user gets them: `npm pack` every published package (its prepack builds it), check
// what each tarball holds, install the tarballs into fresh temporary projects outside the monorepo, and run
// the CLI and the library from there. Only the npm registry is used (through npm's cache when it has the
// packages), so this runs where nothing else can be reached:
// - "onnx fails": onnxruntime-node's install script runs (npm's default) and its download of the CUDA
//   provider files fails (pointed at a closed local port, so it fails whatever the network): npm leaves the
//   optional @rnn-scratch/backend-onnx out, `rnn-scratch backends` says why, and training uses tfjs:wasm.
// - "onnx works": the project does not allow that script ("allowScripts": {"onnxruntime-node": false}), so
//   onnx installs and `auto` trains on onnx:cpu. Here the library's README examples are type-checked too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'backend-onnx', 'backend-tfjs', 'cli'] as const;
const temp = mkdtempSync(join(tmpdir(), 'rnn-scratch-pack-'));
// Two installed projects (onnxruntime-node, tfjs): removing them can take more than the default 10 s on a busy disk.
afterAll(() => rmSync(temp, { recursive: true, force: true }), 120_000);

/** The environment of the npm and node processes run here: no npm_* variables of an enclosing `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_/i.test(k) && k !== 'ONNXRUNTIME_NODE_INSTALL' && k !== 'INIT_CWD') env[k] = v;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env = cleanEnv()): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}

function runAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}
let packed: Packed[] = [];
const tarball = (pkg: string) => join(temp, 'tarballs', packed.find((p) => p.name === `@rnn-scratch/${pkg}`)!.filename);

/** A fresh project that depends on the CLI and core tarballs; the backends come as the CLI's optional dependencies. */
function freshProject(name: string, extra: Record<string, unknown> = {}): string {
  const dir = join(temp, name);
  mkdirSync(dir);
  const file = (pkg: string) => `file:${tarball(pkg)}`;
  const manifest = {
    name: `fresh-${name}`,
    private: true,
    type: 'module',
    dependencies: { '@rnn-scratch/cli': file('cli'), '@rnn-scratch/core': file('core') },
    // Not on the registry yet: point the CLI's own dependencies at the tarballs too.
    overrides: {
      '@rnn-scratch/core': file('core'),
      '@rnn-scratch/backend-onnx': file('backend-onnx'),
      '@rnn-scratch/backend-tfjs': file('backend-tfjs'),
    },
    ...extra,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

const installs: Record<string, Run> = {};
const projects: Record<string, string> = {};

beforeAll(async () => {
  // One npm process packs all four; each package's prepack builds it first.
  const workspaces = PACKAGES.flatMap((p) => ['-w', `packages/${p}`]);
  mkdirSync(join(temp, 'tarballs'));
  const r = run('npm', ['pack', ...workspaces, '--pack-destination', join(temp, 'tarballs'), '--json'], root);
  if (r.code !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  packed = JSON.parse(r.stdout) as Packed[];

  projects.failing = freshProject('onnx-fails');
  projects.working = freshProject('onnx-works', { allowScripts: { 'onnxruntime-node': false } });
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
  const [failing, working] = await Promise.all([
    runAsync('npm', install, projects.failing, cleanEnv({ GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9' })),
    runAsync('npm', install, projects.working, cleanEnv()),
  ]);
  installs.failing = failing;
  installs.working = working;
}, 300_000);

describe('the packed tarballs', () => {
  it.each(PACKAGES)('%s: built, with LICENSE, sources for its source maps, and no build cache', (pkg) => {
    const files = packed.find((p) => p.name === `@rnn-scratch/${pkg}`)!.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/'))).toEqual([]);
    if (pkg === 'cli') expect(files).toContain('bin/rnn-scratch.js');
    if (pkg === 'core') expect(files).toContain('data/timemachine.txt');
    // Every source map (of the JavaScript and of the declarations) names files that ship.
    for (const map of files.filter((f) => f.endsWith('.map'))) {
      const { sources } = JSON.parse(readFileSync(join(root, 'packages', pkg, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const shipped = join(dirname(map), source);
        expect(files, `${map} -> ${source}`).toContain(shipped);
      }
    }
    expect(readFileSync(join(root, 'packages', pkg, 'LICENSE'), 'utf8')).toBe(
      readFileSync(join(root, 'LICENSE'), 'utf8'),
    );
  });

  it.each(PACKAGES)('%s: package.json has keywords, homepage, bugs, a prepack build, and no exact tfjs pins', (pkg) => {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
    expect(manifest.keywords.length).toBeGreaterThan(2);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs.url).toMatch(/^https:\/\/.*\/issues$/);
    expect(manifest.scripts.prepack).toBe('tsc -b');
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [dep, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
        if (dep.startsWith('@tensorflow/')) expect(range, `${field}.${dep}`).toMatch(/^\^/);
      }
    }
    if (pkg === 'cli') {
      expect(Object.keys(manifest.dependencies)).toEqual(['@rnn-scratch/core']);
      expect(Object.keys(manifest.optionalDependencies).sort()).toEqual([
        '@rnn-scratch/backend-onnx',
        '@rnn-scratch/backend-tfjs',
        'bullmq',
        'ioredis',
      ]);
      // The queue's client libraries are pinned: a sweep and its workers must speak the same protocol.
      expect(manifest.optionalDependencies.bullmq).toMatch(/^\d+\.\d+\.\d+$/);
      expect(manifest.optionalDependencies.ioredis).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});

const TINY = ['--num-hiddens', '8', '--max-tokens', '400', '--batch-size', '4', '--num-steps', '5'];

describe('a fresh project where the onnx install fails', () => {
  it('installs anyway: npm leaves the optional onnx backend out', () => {
    expect(installs.failing.code, installs.failing.stderr).toBe(0);
    const modules = join(projects.failing, 'node_modules');
    expect(existsSync(join(modules, '@rnn-scratch/cli/dist/main.js'))).toBe(true);
    expect(existsSync(join(modules, '@rnn-scratch/backend-tfjs'))).toBe(true);
    expect(existsSync(join(modules, '@rnn-scratch/backend-onnx'))).toBe(false);
    expect(existsSync(join(modules, 'onnxruntime-node'))).toBe(false);
  });

  it('rnn-scratch backends says why onnx is missing and how to get it', () => {
    const r = run('npx', ['--no', 'rnn-scratch', 'backends'], projects.failing);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^onnx +no: @rnn-scratch\/backend-onnx is not installed \(an optional dependency of @rnn-scratch\/cli, which npm leaves out when its install fails, as it does when onnxruntime-node's install script cannot download the CUDA provider files/m,
    );
    expect(r.stdout).toMatch(/to fix: ONNXRUNTIME_NODE_INSTALL=skip npm install @rnn-scratch\/backend-onnx/);
    expect(r.stdout).toMatch(/^tfjs:wasm +yes$/m);
    expect(r.stdout).toMatch(/--backend auto picks tfjs:wasm$/m);
  });

  it('npx rnn-scratch train --epochs 1 trains on tfjs:wasm, and predict reads the checkpoint', () => {
    const t = run(
      'npx',
      ['--no', 'rnn-scratch', 'train', ...TINY, '--epochs', '1', '--out', 'run', '--json'],
      projects.failing,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ backend: 'tfjs:wasm', epoch: 1, checkpoint: 'run' });
    const p = run(
      'npx',
      ['--no', 'rnn-scratch', 'predict', '--checkpoint', 'run', '--prefix', 'The Time', '--num-preds', '5'],
      projects.failing,
    );
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^the time.{5}\n$/);
  });

  it('rnn-scratch export says that --format onnx needs the missing package: exit 5, one line', () => {
    const r = run(
      'npx',
      ['--no', 'rnn-scratch', 'export', '--checkpoint', 'run', '--out', 'model.onnx'],
      projects.failing,
    );
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(
      /^rnn-scratch: --format onnx needs @rnn-scratch\/backend-onnx, which is not installed \(.*\); to fix: ONNXRUNTIME_NODE_INSTALL=skip npm install @rnn-scratch\/backend-onnx.*\n$/,
    );
    expect(existsSync(join(projects.failing, 'model.onnx'))).toBe(false);
  });
});

/** The core README's examples, as a file of the fresh project. */
const LIBRARY_EXAMPLE = `
import { ReferenceBackend, Random, SeqDataLoader, Vocab, getParams, predict, train } from '@rnn-scratch/core';
import { loadCheckpoint, readTimeMachineText, saveCheckpoint } from '@rnn-scratch/core/node';

const { meta, params } = loadCheckpoint('run');
const vocab = Vocab.fromJSON(meta.vocab);
const backend = new ReferenceBackend();
console.log(await predict(backend, 'time traveller', params, vocab, { numPreds: 10 }));
saveCheckpoint('run-copy', meta, params);

const loader = new SeqDataLoader({ text: readTimeMachineText(), batchSize: 4, numSteps: 5, maxTokens: 400, seed: 0 });
const controller = new AbortController();
const result = await train({
  backend,
  data: loader,
  vocab: loader.vocab,
  params: getParams(loader.vocab.length, 8, new Random(1)),
  numEpochs: 2,
  lr: 1,
  theta: 1,
  signal: controller.signal,
  onEpoch: ({ epoch, perplexity }) => console.log('epoch', epoch, perplexity.toFixed(2)),
});
console.log(result.predictions['time traveller']);
`;

describe('a fresh project where onnx installs', () => {
  it('installs onnx without its CUDA download, and trains on onnx:cpu with auto', () => {
    expect(installs.working.code, installs.working.stderr).toBe(0);
    expect(existsSync(join(projects.working, 'node_modules/@rnn-scratch/backend-onnx/dist/index.js'))).toBe(true);
    const b = run('npx', ['--no', 'rnn-scratch', 'backends'], projects.working);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/^onnx:cpu +yes$/m);
    const t = run(
      'npx',
      ['--no', 'rnn-scratch', 'train', ...TINY, '--epochs', '1', '--out', 'run', '--json'],
      projects.working,
    );
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ backend: 'onnx:cpu', epoch: 1 });
    const p = run(
      'npx',
      ['--no', 'rnn-scratch', 'predict', '--checkpoint', 'run', '--num-preds', '5'],
      projects.working,
    );
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^time traveller.{5}\n$/);
  });

  it('sweep runs its runs as child processes of the installed CLI, and worker loads the queue libraries', () => {
    const s = run(
      'npx',
      [
        '--no',
        'rnn-scratch',
        'sweep',
        '--grid',
        'seed=1,2',
        ...TINY,
        '--epochs',
        '1',
        '--jobs',
        '2',
        '--out',
        'sw',
        '--json',
      ],
      projects.working,
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).runs.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed']);
    // Port 9 (discard) is closed here: the worker gets as far as connecting, so bullmq and ioredis loaded.
    const w = run('npx', ['--no', 'rnn-scratch', 'worker', '--queue', 'redis://127.0.0.1:9/q'], projects.working);
    expect(w.code, w.stderr).toBe(9);
    expect(w.stderr).toMatch(/^rnn-scratch: cannot use the queue at redis:\/\/127\.0\.0\.1:9\/q: connect ECONNREFUSED/);
  });

  it('rnn-scratch export writes the model and its vocabulary from the installed packages', () => {
    const r = run(
      'npx',
      ['--no', 'rnn-scratch', 'export', '--checkpoint', 'run', '--out', 'model.onnx'],
      projects.working,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote model\.onnx: ONNX opset 17, IR version 8/);
    expect(JSON.parse(readFileSync(join(projects.working, 'vocab.json'), 'utf8')).idxToToken[0]).toBe('<unk>');
  });

  it("runs and type-checks the core README's library example against the installed types", () => {
    writeFileSync(join(projects.working, 'example.mts'), LIBRARY_EXAMPLE);
    writeFileSync(join(projects.working, 'example.mjs'), LIBRARY_EXAMPLE);
    const r = run(process.execPath, ['example.mjs'], projects.working);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^time traveller.{10}\nepoch 1 [\d.]+\nepoch 2 [\d.]+\ntime traveller/);
    expect(existsSync(join(projects.working, 'run-copy', 'checkpoint.json'))).toBe(true);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['example.mts'],
    };
    writeFileSync(join(projects.working, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = run(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
      projects.working,
    );
    expect(`${tsc.stdout}${tsc.stderr}`).toBe('');
    expect(tsc.code).toBe(0);
  });

  it('stack traces with --enable-source-maps name source files that were installed', () => {
    const r = run(
      process.execPath,
      [
        '--enable-source-maps',
        'node_modules/@rnn-scratch/cli/bin/rnn-scratch.js',
        '--debug',
        'predict',
        '--checkpoint',
        'missing',
      ],
      projects.working,
    );
    expect(r.code).toBe(4);
    const frames = [...r.stderr.matchAll(/\((?:file:\/\/)?(\/[^():]+\.ts):\d+:\d+\)/g)].map((m) => m[1]);
    expect(frames.length, r.stderr).toBeGreaterThan(0);
    for (const file of frames) {
      expect(existsSync(file), file).toBe(true);
      expect(resolve(file).startsWith(resolve(projects.working, 'node_modules'))).toBe(true);
    }
  });
});
