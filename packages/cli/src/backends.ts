/**
 * Loading the backend packages lazily, and opening a backend by its id (`onnx`, `onnx:webgpu`, `auto`...).
 *
 * Each backend package registers itself with core's registry when it is imported. They are imported here
 * with a dynamic `import()`, each in its own try/catch, and only when a command needs them: a missing or
 * broken backend package makes THAT backend unavailable (with the reason), never the whole CLI.
 * `reference` is part of core and always present.
 *
 * `RNN_SCRATCH_DISABLE_BACKENDS=onnx,tfjs` skips packages (they are then reported as unavailable): handy
 * to avoid a slow or noisy device probe, and to test the "backend unavailable" path.
 */

import {
  listBackends,
  registeredBackends,
  resolveBackend,
  type Backend,
  type BackendStatus,
} from '@rnn-scratch/core';

import { suggest, UsageError } from './args.js';
import { CliError, EXIT_BACKEND, isBackendUnavailable } from './errors.js';

/** A backend that lives in its own npm package. */
export interface BackendPackage {
  /** The registry name it registers, e.g. `onnx`. */
  readonly name: string;
  /** The npm package, e.g. `@rnn-scratch/backend-onnx`. */
  readonly pkg: string;
  /** How to install it. */
  readonly install: string;
}

export const BACKEND_PACKAGES: readonly BackendPackage[] = [
  { name: 'onnx', pkg: '@rnn-scratch/backend-onnx', install: 'npm install @rnn-scratch/backend-onnx' },
  { name: 'tfjs', pkg: '@rnn-scratch/backend-tfjs', install: 'npm install @rnn-scratch/backend-tfjs' },
];

/** What happened when a backend package was imported. */
export interface PackageLoad {
  readonly name: string;
  readonly pkg: string;
  readonly loaded: boolean;
  /** Why the backend is unavailable as a whole (import failed, disabled, registered nothing). */
  readonly reason?: string;
  readonly hint?: string;
  /** The module's exports, when it loaded. */
  readonly module?: Record<string, unknown>;
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

async function loadOne(p: BackendPackage): Promise<PackageLoad> {
  if (disabled().has(p.name)) {
    return { name: p.name, pkg: p.pkg, loaded: false, reason: 'disabled by RNN_SCRATCH_DISABLE_BACKENDS', hint: `unset RNN_SCRATCH_DISABLE_BACKENDS (or remove '${p.name}' from it)` };
  }
  let module: Record<string, unknown>;
  try {
    // A variable specifier: TypeScript does not tie the build to the package's (possibly in-progress) types.
    const specifier: string = p.pkg;
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const missing = code === 'ERR_MODULE_NOT_FOUND' && message.includes(p.pkg);
    return {
      name: p.name,
      pkg: p.pkg,
      loaded: false,
      reason: missing ? `${p.pkg} is not installed` : `${p.pkg} failed to load: ${message}`,
      hint: missing ? p.install : `reinstall it (${p.install}) or pick another --backend`,
    };
  }
  if (!registeredBackends().some((f) => f.name === p.name)) {
    return {
      name: p.name,
      pkg: p.pkg,
      loaded: true,
      module,
      reason: `${p.pkg} loaded but registered no '${p.name}' backend (an unfinished or mismatched version?)`,
      hint: `update it (${p.install})`,
    };
  }
  return { name: p.name, pkg: p.pkg, loaded: true, module };
}

/**
 * Import the backend packages (all, or only `names`), each once per process. Never throws: a failure is
 * remembered as that backend's reason.
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

/** Split `onnx:webgpu` into name and device. */
export function parseBackendId(spec: string): { name: string; device?: string } {
  const at = spec.indexOf(':');
  return at === -1 ? { name: spec } : { name: spec.slice(0, at), device: spec.slice(at + 1) || undefined };
}

/** Every backend name the CLI knows of, loaded or not. */
function knownNames(): string[] {
  const names = new Set(['reference', ...BACKEND_PACKAGES.map((p) => p.name), ...registeredBackends().map((f) => f.name)]);
  return [...names];
}

/**
 * Check a backend id without loading anything heavy: `auto`, a known name, `name:device`. An unknown name
 * is a usage error with a suggestion. Returns the package names the id needs.
 */
export function checkBackendId(spec: string, flag = '--backend'): string[] {
  if (spec === 'auto') return BACKEND_PACKAGES.map((p) => p.name);
  const { name } = parseBackendId(spec);
  const names = knownNames();
  if (!names.includes(name)) {
    const guess = suggest(name, [...names, 'auto']);
    throw new UsageError(
      `${flag}: unknown backend '${name}'${guess ? `; did you mean '${guess}'?` : ` (backends: auto, ${names.join(', ')})`}`,
    );
  }
  return BACKEND_PACKAGES.some((p) => p.name === name) ? [name] : [];
}

/** The one-line reason + hint of an unavailable backend. */
function unavailable(spec: string, reason: string, hint?: string): CliError {
  return new CliError(EXIT_BACKEND, `backend ${spec} is unavailable: ${reason}${hint ? `; to fix: ${hint}` : ''}`);
}

/**
 * Open a backend: `auto` (the best that works), `onnx` (its default device, or when that cannot run here
 * the best of its devices that can) or `onnx:webgpu` (exactly that). Throws a
 * UsageError for an unknown name or device, and a CliError with exit code 5 (reason and install hint) for
 * a backend that cannot run here.
 */
export async function openBackend(spec: string, options: { threads?: number } = {}): Promise<Backend> {
  const needed = checkBackendId(spec);
  const packages = await loadBackends(needed);
  const { name, device } = parseBackendId(spec);
  const factory = spec === 'auto' ? undefined : registeredBackends().find((f) => f.name === name);
  if (spec !== 'auto') {
    const failedLoad = packages.find((p) => p.name === name && p.reason !== undefined);
    if (failedLoad) throw unavailable(spec, failedLoad.reason!, failedLoad.hint);
    if (factory && device !== undefined && !factory.devices.includes(device)) {
      const guess = suggest(device, factory.devices);
      throw new UsageError(
        `--backend: backend '${name}' has no device '${device}'; its devices are ${factory.devices.join(', ')}${
          guess ? `; did you mean '${name}:${guess}'?` : ''
        }`,
      );
    }
  }
  // A bare name (core tries its default device, then the best of its devices that can run here).
  let failed: readonly BackendStatus[] = [];
  try {
    return await resolveBackend(spec, { threads: options.threads });
  } catch (err) {
    if (!isBackendUnavailable(err)) throw err;
    failed = (err as { statuses?: BackendStatus[] }).statuses ?? [];
    if (failed.length === 0 || spec === 'auto') throw new CliError(EXIT_BACKEND, oneLine(err.message), { cause: err });
  }
  if (failed.length === 1) throw unavailable(failed[0].id, oneLine(failed[0].reason ?? 'unknown reason'), failed[0].hint);
  const reasons = failed.map((s) => `${s.id}: ${oneLine(s.reason ?? 'unknown reason')}${s.hint ? ` (to fix: ${s.hint})` : ''}`);
  throw new CliError(EXIT_BACKEND, `backend ${spec} is unavailable on every device: ${reasons.join('; ')}`);
}

function oneLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** One row of `rnn-scratch backends`. */
export interface BackendRow {
  readonly id: string;
  readonly name: string;
  readonly device: string | null;
  readonly available: boolean;
  readonly reason?: string;
  readonly hint?: string;
  readonly package: string;
}

/** Every backend and device, available or not, with reasons and hints (loads every package). */
export async function describeBackends(options: { threads?: number } = {}): Promise<{
  rows: BackendRow[];
  packages: PackageLoad[];
}> {
  const packages = await loadBackends();
  const statuses = await listBackends({ threads: options.threads });
  const rows: BackendRow[] = statuses.map((s) => ({
    id: s.id,
    name: s.name,
    device: s.device,
    available: s.available,
    ...(s.reason !== undefined ? { reason: oneLine(s.reason) } : {}),
    ...(s.hint !== undefined ? { hint: s.hint } : {}),
    package: BACKEND_PACKAGES.find((p) => p.name === s.name)?.pkg ?? '@rnn-scratch/core',
  }));
  for (const p of packages) {
    if (p.reason !== undefined && !rows.some((r) => r.name === p.name)) {
      rows.push({ id: p.name, name: p.name, device: null, available: false, reason: p.reason, hint: p.hint, package: p.pkg });
    }
  }
  return { rows, packages };
}
