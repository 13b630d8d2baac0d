/**
 * Loading the backend packages lazily, and opening a backend by its id (`onnx`, `onnx:webgpu`, `auto`...).
 *
 * Each backend package registers itself with core's registry when it is imported. They are imported here
 * with a dynamic `import()`, each in its own try/catch, and only when a command needs them: a missing or
 * broken backend package makes THAT backend unavailable (registered with the registry as such, with the
 * reason), never the whole CLI. `reference` is part of core and always present. Everything else (parsing
 * ids, `auto`, which backends work and why, suggestions for typos) is the registry's; this module turns
 * its errors into the CLI's: a usage error (exit code 2) or a backend error (exit code 5).
 *
 * `RNN_SCRATCH_DISABLE_BACKENDS=onnx,tfjs` skips packages (they are then reported as unavailable): handy
 * to avoid a slow or noisy device probe, and to test the "backend unavailable" path.
 */

import {
  checkBackendId,
  firstLine,
  registerUnavailableBackend,
  registeredBackends,
  resolveBackend,
  type Backend,
  type BackendId,
} from '@rnn-scratch/core';

import { UsageError } from './args.js';
import { CliError, EXIT_BACKEND, isBackendIdError, isBackendUnavailable } from './errors.js';

/** A backend that lives in its own npm package. */
export interface BackendPackage {
  /** The registry name it registers, e.g. `onnx`. */
  readonly name: string;
  /** The npm package, e.g. `@rnn-scratch/backend-onnx`. */
  readonly pkg: string;
  /** How to install it. */
  readonly install: string;
  /** When it is not installed: why that may be (it is an optional dependency of the CLI). */
  readonly whyMissing: string;
  /** When it is not installed: how to get it. */
  readonly installHint: string;
}

export const BACKEND_PACKAGES: readonly BackendPackage[] = [
  {
    name: 'onnx',
    pkg: '@rnn-scratch/backend-onnx',
    install: 'npm install @rnn-scratch/backend-onnx',
    whyMissing:
      "an optional dependency of @rnn-scratch/cli, which npm leaves out when its install fails, as it does when onnxruntime-node's install script cannot download the CUDA provider files (Linux x64 only, from api.nuget.org)",
    installHint:
      'ONNXRUNTIME_NODE_INSTALL=skip npm install @rnn-scratch/backend-onnx (add -g for a global rnn-scratch): the variable skips the CUDA download, which onnx:cpu and onnx:webgpu do not need',
  },
  {
    name: 'tfjs',
    pkg: '@rnn-scratch/backend-tfjs',
    install: 'npm install @rnn-scratch/backend-tfjs',
    whyMissing: 'an optional dependency of @rnn-scratch/cli, which npm leaves out when its install fails',
    installHint: 'npm install @rnn-scratch/backend-tfjs (add -g for a global rnn-scratch)',
  },
];

/** The module URLs that register backend `name` (none for core's own), for worker threads to import. */
export function backendModules(name: string): string[] {
  return BACKEND_PACKAGES.filter((p) => p.name === name).map((p) => import.meta.resolve(p.pkg));
}

/** What happened when a backend package was imported. */
export interface PackageLoad {
  readonly name: string;
  readonly pkg: string;
  readonly loaded: boolean;
  /** Why the backend is unavailable as a whole (import failed, disabled, registered nothing). */
  readonly reason?: string;
  readonly hint?: string;
}

const loads = new Map<string, Promise<PackageLoad>>();

/** Names listed in RNN_SCRATCH_DISABLE_BACKENDS. */
function disabled(): Set<string> {
  return new Set(
    (process.env.RNN_SCRATCH_DISABLE_BACKENDS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

async function importOne(p: BackendPackage): Promise<PackageLoad> {
  if (disabled().has(p.name)) {
    return {
      name: p.name,
      pkg: p.pkg,
      loaded: false,
      reason: 'disabled by RNN_SCRATCH_DISABLE_BACKENDS',
      hint: `unset RNN_SCRATCH_DISABLE_BACKENDS (or remove '${p.name}' from it)`,
    };
  }
  try {
    // A variable specifier: TypeScript does not tie the build to the package's (possibly in-progress) types.
    const specifier: string = p.pkg;
    await import(specifier);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = firstLine(err);
    const missing = code === 'ERR_MODULE_NOT_FOUND' && message.includes(p.pkg);
    return {
      name: p.name,
      pkg: p.pkg,
      loaded: false,
      reason: missing ? `${p.pkg} is not installed (${p.whyMissing})` : `${p.pkg} failed to load: ${message}`,
      hint: missing ? p.installHint : `reinstall it (${p.install}) or pick another --backend`,
    };
  }
  if (!registeredBackends().some((f) => f.name === p.name)) {
    return {
      name: p.name,
      pkg: p.pkg,
      loaded: true,
      reason: `${p.pkg} loaded but registered no '${p.name}' backend (an unfinished or mismatched version?)`,
      hint: `update it (${p.install})`,
    };
  }
  return { name: p.name, pkg: p.pkg, loaded: true };
}

async function loadOne(p: BackendPackage): Promise<PackageLoad> {
  const load = await importOne(p);
  // The registry lists it, suggests its name and reports it with the reason, like any other backend.
  if (load.reason !== undefined) registerUnavailableBackend(p.name, load.reason, load.hint);
  return load;
}

/**
 * Import the backend packages (all, or only `names`), each once per process. Never throws: a failure is
 * registered with the registry as that backend's reason.
 */
export async function loadBackends(names?: readonly string[]): Promise<PackageLoad[]> {
  const wanted = BACKEND_PACKAGES.filter((p) => names === undefined || names.includes(p.name));
  return Promise.all(
    wanted.map((p) => {
      let load = loads.get(p.name);
      if (!load) {
        load = loadOne(p);
        loads.set(p.name, load);
      }
      return load;
    }),
  );
}

/** A registry error as the CLI reports it: a usage error (exit 2) or a backend error (exit 5). */
export function backendError(err: unknown, flag = '--backend'): unknown {
  if (isBackendIdError(err)) return new UsageError(`${flag}: ${firstLine(err)}`);
  if (isBackendUnavailable(err)) return new CliError(EXIT_BACKEND, firstLine(err), { cause: err });
  return err;
}

/**
 * Check a backend id without loading anything heavy (the registry's check, knowing the names of the
 * packages not loaded yet). A malformed id or an unknown name is a UsageError with a suggestion.
 */
export function checkBackendSpec(spec: string, flag = '--backend'): BackendId {
  try {
    return checkBackendId(
      spec,
      BACKEND_PACKAGES.map((p) => p.name),
    );
  } catch (err) {
    throw backendError(err, flag);
  }
}

/**
 * Open a backend: `auto` (the best that works), `onnx` (its default device, or when that cannot run here
 * the best of its devices that can) or `onnx:webgpu` (exactly that). Throws a UsageError for an unknown
 * name or device, and a CliError with exit code 5 (reason and how to fix it) for a backend that cannot
 * run here.
 */
export async function openBackend(spec: string, options: { threads?: number } = {}): Promise<Backend> {
  const { name } = checkBackendSpec(spec);
  await loadBackends(name === 'auto' ? undefined : [name]);
  try {
    return await resolveBackend(spec, { threads: options.threads });
  } catch (err) {
    throw backendError(err);
  }
}
