// What the GRU and LSTM pages say about the generated run (pages 12 and 13) is what the run shows: the
// gated cells learn later at first, and only the plain RNN's gradient ever needed clipping.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { docsRoot } from './helpers.js';

const text = readFileSync(join(docsRoot, 'generated/cells-training.txt'), 'utf8');
const perplexity = (epoch: number) => {
  const row = new RegExp(`^ +${epoch} +([\\d.]+) +([\\d.]+) +([\\d.]+)$`, 'm').exec(text);
  if (!row) throw new Error(`no epoch ${epoch} in cells-training.txt`);
  const [rnn, gru, lstm] = row.slice(1).map(Number);
  return { rnn, gru, lstm };
};
const clipping = (cell: string) => {
  const row = new RegExp(`^ +${cell} +(\\d+), largest norm ([\\d.]+)$`, 'm').exec(text);
  if (!row) throw new Error(`no clipping line for ${cell}`);
  return { clipped: Number(row[1]), largest: Number(row[2]) };
};

describe('pages 12 and 13 describe the generated run', () => {
  it('the gated cells learn more slowly at first, the LSTM slowest', () => {
    for (const epoch of [5, 10]) {
      const p = perplexity(epoch);
      expect(p.rnn).toBeLessThan(p.gru);
      expect(p.gru).toBeLessThan(p.lstm);
    }
  });

  it('only the RNN was ever clipped; the LSTM has the smallest gradients', () => {
    expect(clipping('rnn').clipped).toBeGreaterThan(0);
    expect(clipping('gru').clipped).toBe(0);
    expect(clipping('lstm').clipped).toBe(0);
    expect(clipping('lstm').largest).toBeLessThan(clipping('gru').largest);
  });

  it('both pages show the figure in their language', () => {
    for (const [file, svg] of [
      ['content/12-gru.md', 'cells-perplexity.zh.svg'],
      ['content/13-lstm.md', 'cells-perplexity.zh.svg'],
      ['content/en/12-gru.md', 'cells-perplexity.en.svg'],
      ['content/en/13-lstm.md', 'cells-perplexity.en.svg'],
    ]) {
      expect(readFileSync(join(docsRoot, file), 'utf8')).toContain(`generated/${svg})`);
    }
  });
});
