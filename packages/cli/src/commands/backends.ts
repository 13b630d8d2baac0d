/**
 * `rnn-scratch backends`: every backend and device, available or not, with the reason and how to fix it.
 */

import { registeredBackends } from '@rnn-scratch/core';

import { defineCommand } from '../command.js';
import { describeBackends, type PackageLoad } from '../backends.js';

const flags = [
  { name: 'threads', type: 'int', min: 1, help: 'intra-op threads to probe with', defaultLabel: "the backend's choice" },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of a table' },
] as const;

/** The tfjs package may describe its runtimes in more detail (`listTfjsRuntimes`); use it when present. */
async function tfjsRuntimes(packages: readonly PackageLoad[]): Promise<unknown[] | undefined> {
  const list = packages.find((p) => p.name === 'tfjs')?.module?.listTfjsRuntimes;
  if (typeof list !== 'function') return undefined;
  try {
    const runtimes: unknown = await (list as () => unknown)();
    return Array.isArray(runtimes) ? runtimes : undefined;
  } catch {
    return undefined;
  }
}

/** What `--backend auto` resolves to: the highest-priority backend's first available auto device. */
function autoPick(usable: readonly string[]): string | undefined {
  for (const f of registeredBackends()) {
    for (const d of f.autoDevices ?? f.devices) if (usable.includes(`${f.name}:${d}`)) return `${f.name}:${d}`;
  }
  return undefined;
}

export const backendsCommand = defineCommand({
  name: 'backends',
  summary: 'list every backend and device, available or not, and why',
  description: [
    'Loads each backend package and probes each device. An unavailable one is listed with the reason and',
    'how to make it available. Use an id from the first column with --backend (train, predict, bench).',
    'RNN_SCRATCH_DISABLE_BACKENDS=onnx,tfjs skips packages.',
  ].join('\n'),
  flags,
  async run(options, { stdout }) {
    const { rows, packages } = await describeBackends({ threads: options.threads });
    const runtimes = await tfjsRuntimes(packages);
    if (options.json) {
      const summary = {
        backends: rows,
        packages: packages.map(({ name, pkg, loaded, reason, hint }) => ({ name, package: pkg, loaded, reason, hint })),
        ...(runtimes ? { tfjsRuntimes: runtimes } : {}),
      };
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const width = Math.max(...rows.map((r) => r.id.length), 7) + 2;
    const lines = [`${'backend'.padEnd(width)}available`];
    for (const r of rows) {
      lines.push(`${r.id.padEnd(width)}${r.available ? 'yes' : `no: ${r.reason ?? 'unknown reason'}`}`);
      if (!r.available && r.hint) lines.push(`${''.padEnd(width)}to fix: ${r.hint}`);
    }
    if (runtimes) {
      lines.push('', 'tfjs runtimes:');
      for (const rt of runtimes) {
        const o = (typeof rt === 'object' && rt !== null ? rt : {}) as Record<string, unknown>;
        const name = String(o.name ?? o.id ?? o.runtime ?? JSON.stringify(rt));
        const state = o.available === true ? 'yes' : o.available === false ? `no${o.reason ? `: ${String(o.reason)}` : ''}` : '';
        lines.push(`  ${name.padEnd(width - 2)}${state}`);
      }
    }
    const usable = rows.filter((r) => r.available).map((r) => r.id);
    lines.push('', `usable: ${usable.join(', ') || 'none'}; --backend auto picks ${autoPick(usable) ?? 'none'}`);
    stdout.write(`${lines.join('\n')}\n`);
  },
});
