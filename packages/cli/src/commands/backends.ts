/**
 * `rnn-scratch backends`: every backend and device, available or not, with the reason and how to fix it.
 * It loads the backend packages and prints what core's registry reports; nothing here decides anything.
 */

import { autoChoice, listBackends, type BackendStatus } from '@rnn-scratch/core';

import { defineCommand } from '../command.js';
import { BACKEND_PACKAGES, loadBackends } from '../backends.js';

const flags = [
  {
    name: 'threads',
    type: 'int',
    min: 1,
    help: 'intra-op threads to probe with',
    defaultLabel: "the backend's choice",
  },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of a table' },
] as const;

/** The npm package a backend comes from. */
function packageOf(name: string): string {
  return BACKEND_PACKAGES.find((p) => p.name === name)?.pkg ?? '@rnn-scratch/core';
}

/** The `available` column: `yes`, `yes (software: SwiftShader)` or `no: <reason>`. */
function availability(s: BackendStatus): string {
  if (!s.available) return `no: ${s.reason ?? 'unknown reason'}`;
  return s.software !== undefined ? `yes (software: ${s.software})` : 'yes';
}

export const backendsCommand = defineCommand({
  name: 'backends',
  summary: 'list every backend and device, available or not, and why',
  description: [
    'Loads each backend package and probes each device. An unavailable one is listed with the reason and',
    'how to make it available; a GPU device served by a software rasteriser (SwiftShader, lavapipe,',
    'llvmpipe) is listed as "software": it works, slower than the CPU, and auto takes it only when nothing',
    'else works. Use an id from the first column with --backend (train, predict, bench).',
    'RNN_SCRATCH_DISABLE_BACKENDS=onnx,tfjs skips packages.',
  ].join('\n'),
  flags,
  async run(options, { stdout }) {
    const packages = await loadBackends();
    const statuses = await listBackends({ threads: options.threads });
    const auto = autoChoice(statuses);
    if (options.json) {
      const summary = {
        backends: statuses.map((s) => ({
          id: s.id,
          name: s.name,
          device: s.device ?? null,
          available: s.available,
          ...(s.software !== undefined ? { software: s.software } : {}),
          ...(s.reason !== undefined ? { reason: s.reason } : {}),
          ...(s.hint !== undefined ? { hint: s.hint } : {}),
          package: packageOf(s.name),
        })),
        auto: auto?.id ?? null,
        packages: packages.map(({ name, pkg, loaded, reason, hint }) => ({ name, package: pkg, loaded, reason, hint })),
      };
      stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const width = Math.max(...statuses.map((s) => s.id.length), 7) + 2;
    const lines = [`${'backend'.padEnd(width)}available`];
    for (const s of statuses) {
      lines.push(`${s.id.padEnd(width)}${availability(s)}`);
      if (!s.available && s.hint) lines.push(`${''.padEnd(width)}to fix: ${s.hint}`);
    }
    const usable = statuses
      .filter((s) => s.available)
      .map((s) => (s.software !== undefined ? `${s.id} (software)` : s.id));
    lines.push('', `usable: ${usable.join(', ') || 'none'}; --backend auto picks ${auto?.id ?? 'none'}`);
    stdout.write(`${lines.join('\n')}\n`);
  },
});
