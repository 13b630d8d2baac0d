// Which TensorFlow.js runtime runs our graphs, and making it the active one.
//
// Runtimes, best first: `cuda` (@tensorflow/tfjs-node-gpu), `node` (@tensorflow/tfjs-node), `webgpu`
// (@tensorflow/tfjs-backend-webgpu on WebGPU: in Node the npm `webgpu` package, Dawn), `webgl` (browsers
// only, @tensorflow/tfjs-backend-webgl), `wasm` (@tensorflow/tfjs-backend-wasm) and `cpu`
// (@tensorflow/tfjs-backend-cpu, plain JavaScript). They are the devices of the `tfjs` backend in core's
// registry (Node's list in TFJS_DEVICES, a browser's in TFJS_BROWSER_DEVICES), which decides which one
// `tfjs` and `auto` take. The Node-only packages (tfjs-node, tfjs-node-gpu, webgpu) are optional peer
// dependencies: they are imported through a string variable, so neither type-checking nor bundlers need
// them; the others are dependencies, imported by name. A runtime only counts as
// available after its package loaded AND a one-op smoke test gave the right numbers (and, for `cuda`,
// TensorFlow says it computes on a GPU). A failure is remembered with its reason (per process), so
// asking again does not import again.
//
// ONE ENGINE PER PROCESS: tfjs keeps a single global "active backend". Every compile and run of a
// TfjsBackend goes through `withEngine`, which queues it behind any other tfjs work of this package and
// makes its runtime the active one first. So two TfjsBackends on different devices (say tfjs:cpu and
// tfjs:wasm) work side by side in one process: they take turns, and each switch costs one
// `tf.setBackend`. Code of your own that uses `tf.*` directly sees whichever runtime ran last.
// `tfjs:node` and `tfjs:cuda` both register tfjs's `tensorflow` backend, so only one of them can ever
// be loaded in a process.

import { type GpuAdapterLike, firstLine, softwareAdapterName, softwareGpuAdapter } from '@rnn-scratch/core';
import * as tf from '@tensorflow/tfjs-core';

export type TfjsDevice = 'cuda' | 'node' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Node's devices, best first: the order in which the registry tries them for plain `tfjs` and `auto`. */
export const TFJS_DEVICES: readonly TfjsDevice[] = ['cuda', 'node', 'webgpu', 'wasm', 'cpu'];

/** A browser's devices, best first (the package's browser entry registers these). */
export const TFJS_BROWSER_DEVICES: readonly TfjsDevice[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function isTfjsDevice(device: string): device is TfjsDevice {
  return device in CANDIDATES;
}

/** A loaded, smoke-tested runtime. */
export interface TfjsRuntime {
  readonly device: TfjsDevice;
  /** The tfjs backend name it registers: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  readonly backendName: string;
  /** The npm package(s) that provide it. */
  readonly packages: readonly string[];
  /** On `webgpu` or `webgl`: the software rasteriser the GPU is (e.g. `SwiftShader`), from its adapter or renderer info. */
  readonly software?: string;
}

export interface TfjsRuntimeOptions {
  /**
   * Where tfjs-backend-wasm finds its `.wasm` files: a directory prefix (ending in `/`) or a map from
   * file name to URL (tfjs `setWasmPaths`). In Node the package's own `dist/` directory is found
   * automatically; in a browser bundle pass this (e.g. copy the files next to your bundle, or a CDN
   * URL for @tensorflow/tfjs-backend-wasm@4.22.0/dist/). Only the first wasm initialisation uses it.
   */
  readonly wasmPaths?: string | Record<string, string>;
}

/** A runtime that cannot run here. `reason` says why, `hint` how to fix it. */
export class TfjsRuntimeUnavailableError extends Error {
  override name = 'TfjsRuntimeUnavailableError';
  constructor(
    readonly device: string,
    readonly reason: string,
    readonly hint: string | undefined,
  ) {
    super(`tfjs:${device} is unavailable: ${reason}${hint ? ` (to fix: ${hint})` : ''}`);
  }
}

/**
 * The TensorFlow.js version the optional runtimes must match: the installed @tensorflow/tfjs-core's (the
 * package depends on ^4.22.0), so that they register with this one copy of it.
 */
const TFJS_VERSION = tf.version_core;

interface CandidateSpec {
  readonly packages: readonly string[];
  readonly backendName: string;
  readonly hint: string;
}

const CANDIDATES: { readonly [D in TfjsDevice]: CandidateSpec } = {
  cuda: {
    packages: ['@tensorflow/tfjs-node-gpu'],
    backendName: 'tensorflow',
    hint:
      `npm install @tensorflow/tfjs-node-gpu@${TFJS_VERSION} (Linux x64 with an NVIDIA GPU, CUDA 11.2 and cuDNN 8; ` +
      'its install script downloads libtensorflow, so it needs network access)',
  },
  node: {
    packages: ['@tensorflow/tfjs-node'],
    backendName: 'tensorflow',
    hint: `npm install @tensorflow/tfjs-node@${TFJS_VERSION} (its install script downloads libtensorflow, so it needs network access)`,
  },
  webgpu: {
    packages: ['webgpu', '@tensorflow/tfjs-backend-webgpu'],
    backendName: 'webgpu',
    hint:
      `npm install webgpu @tensorflow/tfjs-backend-webgpu@${TFJS_VERSION}, plus a GPU and its driver (on Linux the ` +
      "Vulkan loader `libvulkan1` and your vendor's Vulkan driver); in a browser, one with WebGPU enabled",
  },
  webgl: {
    packages: ['@tensorflow/tfjs-backend-webgl'],
    backendName: 'webgl',
    hint: 'use a browser with WebGL 2 (or WebGL 1) enabled; in Node use tfjs:wasm or tfjs:node',
  },
  wasm: {
    packages: ['@tensorflow/tfjs-backend-wasm'],
    backendName: 'wasm',
    hint: `npm install @tensorflow/tfjs-backend-wasm@${TFJS_VERSION} (a dependency of @rnn-scratch/backend-tfjs; in a browser also pass \`wasmPaths\`)`,
  },
  cpu: {
    packages: ['@tensorflow/tfjs-backend-cpu'],
    backendName: 'cpu',
    hint: `npm install @tensorflow/tfjs-backend-cpu@${TFJS_VERSION} (a dependency of @rnn-scratch/backend-tfjs)`,
  },
};

/** How to make `device` available (shown next to the reason), or undefined for an unknown device. */
export function tfjsInstallHint(device: string): string | undefined {
  return isTfjsDevice(device) ? CANDIDATES[device].hint : undefined;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions?.node != null;
}

/** The runtimes that are dependencies: imported by name, so that bundlers include them (as lazy chunks). */
const DEPENDENCIES: Record<string, () => Promise<unknown>> = {
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu'),
  '@tensorflow/tfjs-backend-webgl': () => import('@tensorflow/tfjs-backend-webgl'),
};

/**
 * Import a package. Optional ones (Node's tfjs-node, tfjs-node-gpu, webgpu) go through a variable: they may
 * be absent, and no type-checker or bundler should look for them.
 */
async function defaultImport(name: string): Promise<unknown> {
  return DEPENDENCIES[name]?.() ?? import(/* @vite-ignore */ name);
}

function isModuleNotFound(err: unknown, name: string): boolean {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? '';
  // Node's codes and wording, a bundler's (vite: `Could not resolve "x"`), a browser's. Only when the
  // missing module is the package itself: a package that is there but lacks a dependency "failed to load".
  const notFound =
    e?.code === 'ERR_MODULE_NOT_FOUND' ||
    e?.code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Could not resolve|Failed to resolve module specifier|Failed to fetch dynamically imported module/i.test(
      message,
    );
  return notFound && (message === '' || message.includes(`'${name}'`) || message.includes(`"${name}"`));
}

let corePrepared = false;
function prepareCore(): void {
  if (corePrepared) return;
  corePrepared = true;
  // Silences the "you are running the unoptimised build" banner and skips debug-only checks.
  tf.env().set('PROD', true);
}

/**
 * Loads, smoke-tests and remembers runtimes. The package uses one shared instance (below); tests make
 * their own with a spy in place of `import()`.
 */
export class TfjsRuntimeLoader {
  private readonly loads = new Map<TfjsDevice, Promise<TfjsRuntime>>();
  /** The package that provided tfjs's `tensorflow` backend, once one did (tfjs-node or tfjs-node-gpu). */
  private tensorflowProvider: TfjsDevice | undefined;

  /** Options for runtimes loaded without their own (`configure`). */
  private defaults: TfjsRuntimeOptions = {};

  constructor(private readonly importModule: (name: string) => Promise<unknown> = defaultImport) {}

  /**
   * Options for every runtime loaded later without options of its own, e.g. the registry's: in a browser
   * bundle, `{ wasmPaths }` (where the app serves tfjs-backend-wasm's `.wasm` files).
   */
  configure(options: TfjsRuntimeOptions): void {
    this.defaults = { ...this.defaults, ...options };
  }

  /** The runtime for `device`, loaded once per process; rejects with TfjsRuntimeUnavailableError (also cached). */
  load(device: TfjsDevice, options: TfjsRuntimeOptions = {}): Promise<TfjsRuntime> {
    let p = this.loads.get(device);
    if (p === undefined) {
      p = this.loadUncached(device, { ...this.defaults, ...options });
      // Keep a rejected promise from reporting "unhandled" while it sits in the cache.
      p.catch(() => {});
      this.loads.set(device, p);
    }
    return p;
  }

  private fail(device: TfjsDevice, reason: string): never {
    throw new TfjsRuntimeUnavailableError(device, reason, CANDIDATES[device].hint);
  }

  private async importOptional(device: TfjsDevice, name: string): Promise<unknown> {
    try {
      return await this.importModule(name);
    } catch (err) {
      if (isModuleNotFound(err, name)) this.fail(device, `the package ${name} is not installed`);
      this.fail(device, `${name} failed to load: ${firstLine(err)}`);
    }
  }

  private async loadUncached(device: TfjsDevice, options: TfjsRuntimeOptions): Promise<TfjsRuntime> {
    prepareCore();
    const spec = CANDIDATES[device];
    let software: string | undefined;
    switch (device) {
      case 'cuda':
      case 'node': {
        if (!isNode()) this.fail(device, 'it needs Node.js (native TensorFlow bindings); this is not Node');
        if (this.tensorflowProvider !== undefined && this.tensorflowProvider !== device) {
          this.fail(
            device,
            `tfjs:${this.tensorflowProvider} already loaded ${CANDIDATES[this.tensorflowProvider].packages[0]} in this process; ` +
              `it and ${spec.packages[0]} both register the tfjs backend "tensorflow", so only one can be used per process`,
          );
        }
        await this.importOptional(device, spec.packages[0]);
        this.tensorflowProvider = device;
        break;
      }
      case 'webgpu':
        software = await this.prepareWebGpu();
        break;
      case 'webgl':
        if (isNode()) this.fail(device, 'it needs a browser (WebGL); this is Node');
        await this.importOptional(device, spec.packages[0]);
        break;
      case 'wasm': {
        let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
        try {
          wasm = await import('@tensorflow/tfjs-backend-wasm');
        } catch (err) {
          this.fail(device, `@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(err)}`);
        }
        const paths = options.wasmPaths ?? (isNode() ? await nodeWasmDirectory() : undefined);
        if (paths !== undefined) {
          try {
            wasm.setWasmPaths(paths);
          } catch {
            // Already initialised (by an earlier load, or by the application): the paths are set.
          }
        }
        break;
      }
      case 'cpu':
        try {
          await import('@tensorflow/tfjs-backend-cpu');
        } catch (err) {
          this.fail(device, `@tensorflow/tfjs-backend-cpu failed to load: ${firstLine(err)}`);
        }
        break;
    }
    if (tf.findBackendFactory(spec.backendName) == null) {
      this.fail(
        device,
        `${spec.packages.at(-1)} loaded but registered no "${spec.backendName}" backend with this copy of ` +
          `@tensorflow/tfjs-core (${tf.version_core}); it probably brought its own copy: install matching versions (${TFJS_VERSION})`,
      );
    }
    const runtime: TfjsRuntime = {
      device,
      backendName: spec.backendName,
      packages: spec.packages,
      ...(software !== undefined ? { software } : {}),
    };
    await withEngine(
      runtime,
      async () => {
        await smokeTest(device);
        if (device === 'cuda') this.checkOnGpu();
      },
      { initFailure: (why) => this.fail(device, why) },
    );
    if (device === 'webgl') {
      const renderer = webglSoftware();
      if (renderer !== undefined) return { ...runtime, software: renderer };
    }
    return runtime;
  }

  /**
   * tfjs-node-gpu computes on the CPU when TensorFlow finds no usable GPU (no driver, or CUDA 11.2 or
   * cuDNN 8 missing): the smoke test passes all the same. Its engine says where it runs.
   */
  private checkOnGpu(): void {
    const onGpu = (tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice;
    if (onGpu !== true) {
      this.fail(
        'cuda',
        `${CANDIDATES.cuda.packages[0]} loaded, but TensorFlow found no usable GPU and would compute on the CPU ` +
          `(its engine reports isUsingGpuDevice = ${String(onGpu)})`,
      );
    }
  }

  /** Set up WebGPU and find an adapter; resolves to the software rasteriser it is, if it is one. */
  private async prepareWebGpu(): Promise<string | undefined> {
    const g = globalThis as { navigator?: { gpu?: GpuLike } };
    if (g.navigator?.gpu == null) {
      if (!isNode()) this.fail('webgpu', 'this browser has no WebGPU (navigator.gpu is undefined)');
      const dawn = (await this.importOptional('webgpu', 'webgpu')) as {
        create(flags: string[]): GpuLike;
        globals: Record<string, unknown>;
      };
      Object.assign(globalThis, dawn.globals);
      const gpu = dawn.create([]);
      if (g.navigator === undefined) {
        Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
      } else {
        Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
      }
    }
    let adapter: unknown;
    try {
      adapter = await g.navigator!.gpu!.requestAdapter();
    } catch (err) {
      this.fail('webgpu', `requesting a WebGPU adapter failed: ${firstLine(err)}`);
    }
    if (adapter == null) this.fail('webgpu', 'no WebGPU adapter was found (no GPU, or no driver for it)');
    await this.importOptional('webgpu', '@tensorflow/tfjs-backend-webgpu');
    return softwareGpuAdapter(adapter as GpuAdapterLike);
  }
}

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** The parts of a WebGL context that name its renderer. */
interface GlLike {
  readonly RENDERER: number;
  getExtension(name: string): unknown;
  getParameter(name: number): unknown;
}

/** The software rasteriser tfjs's active WebGL context renders with (SwiftShader, llvmpipe...), if it is one. */
function webglSoftware(): string | undefined {
  const gl = (tf.backend() as { gpgpu?: { gl?: GlLike } }).gpgpu?.gl;
  if (gl === undefined) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const renderer = gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  return typeof renderer === 'string' ? softwareAdapterName(renderer) : undefined;
}

/** In Node: the directory holding tfjs-backend-wasm's `.wasm` files (its `dist/`), with a trailing slash. */
async function nodeWasmDirectory(): Promise<string | undefined> {
  try {
    // Through variables: a browser bundle must not try to resolve Node built-ins.
    const moduleName = 'node:module';
    const pathName = 'node:path';
    const { createRequire } = (await import(/* @vite-ignore */ moduleName)) as typeof import('node:module');
    const { dirname, sep } = (await import(/* @vite-ignore */ pathName)) as typeof import('node:path');
    const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    return dirname(main) + sep;
  } catch {
    return undefined; // let tfjs look next to its own script
  }
}

async function smokeTest(device: TfjsDevice): Promise<void> {
  const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2.5], 'float32'), tf.tensor1d([3, -4], 'float32')));
  try {
    const got = await y.data();
    if (got[0] !== 4 || got[1] !== -1.5) {
      throw new TfjsRuntimeUnavailableError(
        device,
        `smoke test computed [1, 2.5] + [3, -4] = [${Array.from(got).join(', ')}], expected [4, -1.5]`,
        CANDIDATES[device].hint,
      );
    }
  } finally {
    y.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------
// The engine queue: one piece of tfjs work at a time, each with its runtime active.

let queue: Promise<unknown> = Promise.resolve();

async function activate(runtime: TfjsRuntime, initFailure?: (why: string) => never): Promise<void> {
  if (tf.getBackend() === runtime.backendName) return;
  let ok = false;
  let why = `tf.setBackend('${runtime.backendName}') returned false`;
  try {
    ok = await tf.setBackend(runtime.backendName);
  } catch (err) {
    why = `tf.setBackend('${runtime.backendName}') failed: ${firstLine(err)}`;
  }
  if (!ok) {
    // A backend whose initialisation failed stays "active" and breaks every later op: remove it.
    try {
      tf.removeBackend(runtime.backendName);
    } catch {
      // not registered at all
    }
    if (initFailure) initFailure(why);
    throw new Error(`tfjs: could not activate the ${runtime.backendName} backend: ${why}`);
  }
}

/**
 * Run `fn` with `runtime` as tfjs's active backend, after all earlier tfjs work of this package has
 * finished (a process-wide queue: tfjs has one global active backend). Do not call it from inside `fn`.
 * `activate: false` only queues (freeing tensors needs no particular active backend).
 */
export function withEngine<R>(
  runtime: TfjsRuntime,
  fn: () => R | Promise<R>,
  options: { initFailure?: (why: string) => never; activate?: boolean } = {},
): Promise<R> {
  const result = queue.then(async () => {
    if (options.activate !== false) await activate(runtime, options.initFailure);
    return fn();
  });
  queue = result.catch(() => {});
  return result;
}

/** The loader the package uses. */
export const tfjsRuntimes = new TfjsRuntimeLoader();

/** Options for the runtimes the registry loads (e.g. `{ wasmPaths }` in a browser bundle); before the first load. */
export function configureTfjs(options: TfjsRuntimeOptions): void {
  tfjsRuntimes.configure(options);
}
