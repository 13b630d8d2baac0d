// The numbers, graphs and CLI output the pages show are computed by scripts/generate.ts with the real
// code. This test computes them again and compares with generated/: if core, the CLI or the generator
// changed what the docs show, it fails and says how to refresh them.

import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { generate, generatedDir, readGenerated } from '../scripts/generate';

describe('generated docs fragments', () => {
  it('match what the current code computes (else run `npm run gen -w @rnn-scratch/docs`)', async () => {
    const files = await generate();
    const stale: string[] = [];
    for (const [name, content] of Object.entries(files)) {
      if (readGenerated(name) !== content) stale.push(name);
    }
    const extra = readdirSync(generatedDir).filter((f) => !(f in files));
    expect(extra, `files in generated/ that the generator no longer writes: ${extra.join(', ')}`).toEqual([]);
    expect(
      stale,
      `stale in apps/docs/generated/: ${stale.join(', ')}; run \`npx tsc -b && npm run gen -w @rnn-scratch/docs\``,
    ).toEqual([]);
  });
});
