/**
 * `rnn-scratch backends`: every backend and device, available or not, with the reason and how to fix it.
 * It loads the backend packages and prints what core's registry reports; nothing here decides anything.
 * With `--check ID`, it runs core's conformance suite on those backends instead (conformance-check.ts).
 */

import { autoChoice, listBackends, type BackendStatus } from '@rnn-scratch/core';

import { UsageError } from '../args.js';
import { defineCommand, type CommandContext } from '../command.js';
import { BACKEND_PACKAGES, checkBackendSpec, loadBackends, openBackend } from '../backends.js';
import {
  type CheckResult,
  checkBackend,
  checkFailure,
  checkJson,
  checkPrefixes,
  formatCheck,
} from '../conformance-check.js';

const flags = [
  {
    name: 'threads',
    type: 'int',
    min: 1,
    help: 'intra-op threads to probe with',
    defaultLabel: "the backend's choice",
  },
  { name: 'json', type: 'boolean', help: 'print one JSON object instead of a table' },
  {
    name: 'check',
    type: 'strings',
    placeholder: 'ID',
    help: 'run the conformance suite on this backend (repeat, or ID,ID,...): every op, gradient and a tiny training of each cell, against the reference',
  },
  {
    name: 'only',
    type: 'strings',
    placeholder: 'PREFIX',
    help: 'with --check: only the cases whose id starts with PREFIX (op/, vjp/, e2e/, ...; repeat for more)',
  },
] as const;

/** `--check`: the suite on each backend in turn; exit code 10 when a case failed on any of them. */
async function check(
  ids: readonly string[],
  options: { threads?: number; only: readonly string[]; json: boolean },
  { stdout, stderr }: CommandContext,
): Promise<void> {
  checkPrefixes(options.only);
  for (const id of ids) checkBackendSpec(id, '--check');
  const results: CheckResult[] = [];
  for (const id of ids) {
    const backend = await openBackend(id, { threads: options.threads });
    try {
      const result = await checkBackend(backend, options.only, stderr);
      results.push(result);
      if (!options.json) stdout.write(`${formatCheck(result)}\n`);
    } finally {
      await backend.dispose();
    }
  }
  if (options.json) stdout.write(`${JSON.stringify({ checks: results.map(checkJson) }, null, 2)}\n`);
  const failed = checkFailure(results);
  if (failed) throw failed;
}

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
    '',
    '--check ID runs the conformance suite (the cases every backend package is tested with) on that backend',
    'here, against the reference backend, and says which cases pass, fail or are skipped and why (float64',
    'cases on a float32 engine). Exit code 10 when a case failed. --only op/ runs a part of it.',
  ].join('\n'),
  flags,
  async run(options, context) {
    const { stdout } = context;
    const list = (values: readonly string[]) => values.flatMap((v) => v.split(',')).filter((v) => v !== '');
    const [ids, only] = [list(options.check), list(options.only)];
    if (only.length > 0 && ids.length === 0)
      throw new UsageError('--only selects cases of --check: give --check ID too');
    if (ids.length > 0) return check(ids, { threads: options.threads, only, json: options.json }, context);
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
