// The backend registry, shaped like ONNX Runtime JS's backend-impl, and the one owner of backend ids.
// Backends register a factory by name with a priority and the devices they offer. The registry parses
// `name:device` (`parseBackendId`), checks it and suggests a name for a typo (`checkBackendId`), opens a
// backend (`resolveBackend`: `auto`, a bare name or an exact device), lists every backend and device with
// its status (`listBackends`, `autoChoice`), and remembers a failure with its reason, so a device that
// cannot run here is tried once per process. When nothing fits, ONE error lists every candidate's reason.
//
// How `auto` ranks: backends by priority, then each backend's `autoDevices` in order, except that a
// device served by a software GPU (`Backend.software`, e.g. WebGPU on SwiftShader) comes after every
// other device that works: it is correct but slower than any CPU backend.

import type { Backend } from './backend.js';
import { ReferenceBackend } from './reference.js';
import { firstLine, suggest } from '../text.js';

export interface BackendOptions {
  /** Intra-op threads for engines that have them. */
  readonly threads?: number;
}

// #region factory
export interface BackendFactory {
  /** Registry name, e.g. `onnx`. */
  readonly name: string;
  /** Higher wins for `auto`. */
  readonly priority: number;
  /** Devices in preference order, e.g. `['cpu', 'webgpu', 'cuda']`; the first is the default. */
  readonly devices: readonly string[];
  /** Devices `auto` may pick, best first (default: all devices). */
  readonly autoDevices?: readonly string[];
  /**
   * Create (and smoke-test) a backend on `device`, one of `devices` (the registry checks that). Throw an
   * Error whose message says why it cannot run here. Set `software` on the backend when the device is a
   * software GPU.
   */
  create(device: string, options: BackendOptions): Promise<Backend>;
  /** How to make an unavailable device available (an install command, a driver...). */
  readonly hint?: (device: string) => string | undefined;
  /**
   * The software GPU that would serve `device` (e.g. `SwiftShader`), when that is known without opening it
   * (from the installed drivers): `auto` and a bare name then try that device only after every other one,
   * so a machine whose only GPU is a software one does not open it (nor print its driver's messages)
   * while another device works.
   */
  readonly software?: (device: string) => string | undefined;
}
// #endregion factory

/** A backend id split into its parts: `onnx:webgpu` is `{ name: 'onnx', device: 'webgpu' }`. */
export interface BackendId {
  readonly name: string;
  readonly device?: string;
}

export interface BackendStatus {
  /** `name:device`, or the bare `name` of a backend that could not be loaded at all. */
  readonly id: string;
  readonly name: string;
  /** Undefined for a backend that could not be loaded at all (its devices are unknown). */
  readonly device?: string;
  readonly available: boolean;
  /** Why it is unavailable (one line). */
  readonly reason?: string;
  /** How to make it available. */
  readonly hint?: string;
  /** When available on a software GPU: its name (e.g. `SwiftShader`). `auto` ranks it last. */
  readonly software?: string;
}

/** Nothing that `spec` names can run here. `statuses` holds each candidate's reason and hint. */
export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(
    message: string,
    readonly statuses: readonly BackendStatus[],
  ) {
    super(message);
  }
}

/** A backend id that is malformed or names no registered backend or device (a usage mistake). */
export class BackendIdError extends Error {
  override name = 'BackendIdError';
}

const factories = new Map<string, BackendFactory>();
/** Backends known by name whose code could not be loaded, with the reason. */
const unloadable = new Map<string, { readonly reason: string; readonly hint?: string }>();
/** `name:device` -> why it cannot be created (remembered for the process). */
const failures = new Map<string, string>();

export function registerBackend(factory: BackendFactory): void {
  factories.set(factory.name, factory);
  unloadable.delete(factory.name);
}

/**
 * Make a backend known by name although its code could not be loaded (package not installed, failed to
 * import, disabled): it is then listed, suggested and reported as unavailable with `reason` and `hint`
 * instead of being unknown. A later `registerBackend` with the same name replaces it.
 */
export function registerUnavailableBackend(name: string, reason: string, hint?: string): void {
  if (!factories.has(name))
    unloadable.set(name, { reason: firstLine(reason), ...(hint !== undefined ? { hint } : {}) });
}

/** The registered factories, highest priority first. */
export function registeredBackends(): BackendFactory[] {
  return [...factories.values()].sort((a, b) => b.priority - a.priority);
}

/** Every backend name the registry knows: the registered ones (highest priority first), then the unloadable ones. */
export function backendNames(): string[] {
  return [...registeredBackends().map((f) => f.name), ...unloadable.keys()];
}

registerBackend({
  name: 'reference',
  priority: 0,
  devices: ['cpu'],
  async create() {
    return new ReferenceBackend();
  },
});

/**
 * Split a backend id: `auto`, `onnx` or `onnx:webgpu`. Throws BackendIdError for a malformed id (empty
 * name or device, more than one `:`). Checks nothing else: see `checkBackendId`.
 */
export function parseBackendId(spec: string): BackendId {
  const parts = spec.split(':');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) {
    throw new BackendIdError(`'${spec}' is not a backend id; write a name or name:device, e.g. onnx or onnx:webgpu`);
  }
  return parts.length === 2 ? { name: parts[0], device: parts[1] } : { name: parts[0] };
}

/**
 * Parse `spec` and check it: `auto`, a known backend name, and (when that backend is registered) one of
 * its devices. `moreNames` are backends that exist but are not registered yet (e.g. packages not loaded
 * yet); their devices are checked when they are opened. Throws BackendIdError with a "did you mean"
 * suggestion, or the list of names or devices.
 */
export function checkBackendId(spec: string, moreNames: readonly string[] = []): BackendId {
  const id = parseBackendId(spec);
  if (id.name === 'auto') {
    if (id.device !== undefined)
      throw new BackendIdError(`'auto' takes no device; write auto, or name:device such as onnx:${id.device}`);
    return id;
  }
  const names = [...new Set([...backendNames(), ...moreNames])];
  if (!names.includes(id.name)) {
    const guess = suggest(id.name, ['auto', ...names]);
    throw new BackendIdError(
      `unknown backend '${id.name}'${guess ? `; did you mean '${guess}'?` : ` (backends: auto, ${names.join(', ')})`}`,
    );
  }
  const f = factories.get(id.name);
  if (f && id.device !== undefined && !f.devices.includes(id.device)) {
    const guess = suggest(id.device, f.devices);
    throw new BackendIdError(
      `backend '${id.name}' has no device '${id.device}'; its devices are ${f.devices.join(', ')}${
        guess ? `; did you mean '${id.name}:${guess}'?` : ''
      }`,
    );
  }
  return id;
}

/** The (factory, device) pairs an id may open, in the order they are tried (software GPUs aside). */
function candidates(id: BackendId): Array<readonly [BackendFactory, string]> {
  if (id.name === 'auto') {
    return registeredBackends().flatMap((f) => (f.autoDevices ?? f.devices).map((d) => [f, d] as const));
  }
  const f = factories.get(id.name);
  if (f === undefined) return [];
  // A bare name means its default device or, when that cannot run here, the best of its devices that can.
  const devices = id.device !== undefined ? [id.device] : [...new Set([f.devices[0], ...(f.autoDevices ?? f.devices)])];
  return devices.map((d) => [f, d] as const);
}

/** When the registry chooses the device: those its factory knows to be software GPUs go last, in order. */
function knownSoftwareLast(
  list: Array<readonly [BackendFactory, string]>,
  id: BackendId,
): Array<readonly [BackendFactory, string]> {
  if (id.device !== undefined) return list;
  const soft = list.filter(([f, d]) => f.software?.(d) !== undefined);
  return [...list.filter((c) => !soft.includes(c)), ...soft];
}

async function tryCreate(f: BackendFactory, device: string, options: BackendOptions): Promise<Backend | string> {
  const id = `${f.name}:${device}`;
  const cached = failures.get(id);
  if (cached !== undefined) return cached;
  try {
    return await f.create(device, options);
  } catch (err) {
    const reason = firstLine(err) || (err instanceof Error ? err.name : 'it failed without a reason');
    failures.set(id, reason);
    return reason;
  }
}

function failedStatus(f: BackendFactory, device: string, reason: string): BackendStatus {
  const hint = f.hint?.(device);
  return {
    id: `${f.name}:${device}`,
    name: f.name,
    device,
    available: false,
    reason,
    ...(hint !== undefined ? { hint } : {}),
  };
}

function unloadableStatuses(name?: string): BackendStatus[] {
  return [...unloadable]
    .filter(([n]) => name === undefined || n === name)
    .map(([n, u]) => ({ id: n, name: n, available: false, ...u }));
}

/** ONE line: `backend onnx:cuda is unavailable: <reason>; to fix: <hint>`, or every candidate's reason. */
function unavailable(spec: string, statuses: readonly BackendStatus[]): BackendUnavailableError {
  if (statuses.length === 1 && spec !== 'auto') {
    const s = statuses[0];
    // A backend that could not be loaded at all is named as it was asked for (`tfjs:wasm`, not `tfjs`).
    const id = s.device === undefined ? spec : s.id;
    return new BackendUnavailableError(
      `backend ${id} is unavailable: ${s.reason}${s.hint ? `; to fix: ${s.hint}` : ''}`,
      statuses,
    );
  }
  const list = statuses.map((s) => `${s.id}: ${s.reason}${s.hint ? ` (to fix: ${s.hint})` : ''}`).join('; ');
  const head = spec === 'auto' ? 'no backend can run here' : `backend ${spec} is unavailable on every device`;
  return new BackendUnavailableError(`${head}: ${list || 'no backend is registered'}`, statuses);
}

/**
 * Open a backend: `auto` (the best that works here), `tfjs` (its default device, else the best of its
 * devices that works here) or `onnx:webgpu` (exactly that). `auto` and a bare name take a software GPU
 * only when nothing else works; an explicit device is opened even when it is one.
 * Throws BackendIdError for a malformed or unknown id or device, and BackendUnavailableError (ONE line
 * naming every reason and how to fix it) when nothing fits.
 */
export async function resolveBackend(spec = 'auto', options: BackendOptions = {}): Promise<Backend> {
  const id = checkBackendId(spec);
  const unloaded = id.name === 'auto' ? [] : unloadableStatuses(id.name);
  if (unloaded.length > 0) throw unavailable(spec, unloaded);
  const failed: BackendStatus[] = [];
  let software: Backend | undefined; // the best software GPU that works, in case nothing else does
  for (const [f, d] of knownSoftwareLast(candidates(id), id)) {
    const got = await tryCreate(f, d, options);
    if (typeof got === 'string') {
      failed.push(failedStatus(f, d, got));
    } else if (got.software === undefined || id.device !== undefined) {
      await software?.dispose();
      return got;
    } else if (software === undefined) {
      software = got;
    } else {
      await got.dispose();
    }
  }
  if (software !== undefined) return software;
  throw unavailable(spec, id.name === 'auto' ? [...failed, ...unloadableStatuses()] : failed);
}

/**
 * Every registered backend and device with its availability (creating each once, then disposing it) and,
 * when unavailable, the reason and hint; then the backends that could not be loaded at all.
 */
export async function listBackends(options: BackendOptions = {}): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const f of registeredBackends()) {
    for (const d of f.devices) {
      const got = await tryCreate(f, d, options);
      if (typeof got === 'string') {
        out.push(failedStatus(f, d, got));
      } else {
        out.push({
          id: `${f.name}:${d}`,
          name: f.name,
          device: d,
          available: true,
          ...(got.software !== undefined ? { software: got.software } : {}),
        });
        await got.dispose();
      }
    }
  }
  return [...out, ...unloadableStatuses()];
}

/**
 * Which of `statuses` (a `listBackends()` result) `resolveBackend('auto')` opens: the first available
 * device in auto's order that is not a software GPU, else the first available software GPU.
 */
export function autoChoice(statuses: readonly BackendStatus[]): BackendStatus | undefined {
  const usable = candidates({ name: 'auto' })
    .map(([f, d]) => statuses.find((s) => s.id === `${f.name}:${d}` && s.available))
    .filter((s) => s !== undefined);
  return usable.find((s) => s.software === undefined) ?? usable[0];
}
