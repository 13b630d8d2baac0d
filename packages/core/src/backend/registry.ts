// The backend registry, shaped like ONNX Runtime JS's backend-impl: backends register a factory by name
// with a priority and the devices they offer; the first use initialises them once and caches a failure
// with its reason; `resolveBackend('auto')` picks the best that works, and when nothing fits, ONE error
// lists every candidate's reason.

import type { Backend } from './backend.js';
import { ReferenceBackend } from './reference.js';

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
  /** Create (and smoke-test) a backend on `device`; throw an Error whose message says why it cannot. */
  create(device: string, options: BackendOptions): Promise<Backend>;
  /** How to make an unavailable device available (an install command, a driver...). */
  readonly hint?: (device: string) => string | undefined;
}
// #endregion factory

export interface BackendStatus {
  readonly id: string; // `name:device`
  readonly name: string;
  readonly device: string;
  readonly available: boolean;
  readonly reason?: string;
  readonly hint?: string;
}

export class BackendUnavailableError extends Error {
  override name = 'BackendUnavailableError';
  constructor(
    message: string,
    readonly statuses: readonly BackendStatus[],
  ) {
    super(message);
  }
}

const factories = new Map<string, BackendFactory>();
const failures = new Map<string, string>();

export function registerBackend(factory: BackendFactory): void {
  factories.set(factory.name, factory);
}

export function registeredBackends(): BackendFactory[] {
  return [...factories.values()].sort((a, b) => b.priority - a.priority);
}

registerBackend({
  name: 'reference',
  priority: 0,
  devices: ['cpu'],
  async create() {
    return new ReferenceBackend();
  },
});

function parseId(spec: string): { name: string; device?: string } {
  const [name, device] = spec.split(':', 2);
  return { name, device: device || undefined };
}

async function tryCreate(f: BackendFactory, device: string, options: BackendOptions): Promise<Backend | string> {
  const id = `${f.name}:${device}`;
  const cached = failures.get(id);
  if (cached !== undefined) return cached;
  try {
    return await f.create(device, options);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    failures.set(id, reason);
    return reason;
  }
}

/**
 * `auto` (best available), `tfjs` (its default device, else the best of its devices that works here),
 * or `onnx:webgpu` (exactly that).
 * Throws BackendUnavailableError naming every reason when nothing fits.
 */
export async function resolveBackend(spec = 'auto', options: BackendOptions = {}): Promise<Backend> {
  const statuses: BackendStatus[] = [];
  const candidates: Array<[BackendFactory, string]> = [];
  if (spec === 'auto') {
    for (const f of registeredBackends()) for (const d of f.autoDevices ?? f.devices) candidates.push([f, d]);
  } else {
    const { name, device } = parseId(spec);
    const f = factories.get(name);
    if (!f) {
      const known = registeredBackends().map((x) => x.name).join(', ');
      throw new BackendUnavailableError(`unknown backend "${name}"; known backends: ${known}`, []);
    }
    if (device !== undefined && !f.devices.includes(device)) {
      throw new BackendUnavailableError(
        `backend "${name}" has no device "${device}"; its devices are ${f.devices.join(', ')}`,
        [],
      );
    }
    // A bare name means its default device or, when that cannot run here, the best of its devices that can.
    const devices = device !== undefined ? [device] : [...new Set([f.devices[0], ...(f.autoDevices ?? f.devices)])];
    for (const d of devices) candidates.push([f, d]);
  }
  for (const [f, d] of candidates) {
    const got = await tryCreate(f, d, options);
    if (typeof got !== 'string') return got;
    statuses.push({ id: `${f.name}:${d}`, name: f.name, device: d, available: false, reason: got, hint: f.hint?.(d) });
  }
  const lines = statuses.map((s) => `${s.id}: ${s.reason}${s.hint ? ` (${s.hint})` : ''}`);
  throw new BackendUnavailableError(`no usable backend for "${spec}": ${lines.join('; ')}`, statuses);
}

/** Every registered backend and device with its availability and, when unavailable, the reason. */
export async function listBackends(options: BackendOptions = {}): Promise<BackendStatus[]> {
  const out: BackendStatus[] = [];
  for (const f of registeredBackends()) {
    for (const d of f.devices) {
      const got = await tryCreate(f, d, options);
      if (typeof got === 'string') {
        out.push({ id: `${f.name}:${d}`, name: f.name, device: d, available: false, reason: got, hint: f.hint?.(d) });
      } else {
        out.push({ id: `${f.name}:${d}`, name: f.name, device: d, available: true });
        await got.dispose();
      }
    }
  }
  return out;
}
