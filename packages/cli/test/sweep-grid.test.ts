// The sweep's grid, ranking and figure, in-process: parsing --grid against train's flag table, the folder
// names, and the ranking by held-out or training perplexity.
import { describe, expect, it } from 'vitest';

import { parseArgs, UsageError } from '../src/args.js';
import { trainCommand } from '../src/commands/train.js';
import { expandRuns, parseGrid, passThroughArgs, passThroughSpecs, runFolderName } from '../src/sweep/grid.js';
import { newManifest, type SweepManifest } from '../src/sweep/manifest.js';
import { rankRuns, resultsSvg, resultsTable, sweepResults } from '../src/sweep/results.js';

const specs = passThroughSpecs(trainCommand.flags);

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseGrid', () => {
  it('reads train flags and their values as train reads them, in order', () => {
    expect(parseGrid(['lr=0.50,1,2e0', 'cell=gru,lstm', '--num-hiddens=8'], specs)).toEqual([
      { key: 'lr', values: ['0.5', '1', '2'] },
      { key: 'cell', values: ['gru', 'lstm'] },
      { key: 'num-hiddens', values: ['8'] },
    ]);
    // No clipping is `inf` (as train reads it), given in any spelling; a second spelling is the same value.
    expect(parseGrid(['theta=1,INF'], specs)).toEqual([{ key: 'theta', values: ['1', 'inf'] }]);
    expect(usage(() => parseGrid(['theta=inf,Infinity'], specs))).toBe(
      '--grid theta=inf,Infinity: the list gives theta=inf twice',
    );
  });

  it('rejects unknown keys with a suggestion, keys the sweep sets, and keys given twice', () => {
    expect(usage(() => parseGrid(['lrr=1,2'], specs))).toBe(
      "--grid lrr=1,2: 'lrr' is not a flag of rnn-scratch train; did you mean 'lr'?",
    );
    expect(usage(() => parseGrid(['threads=1,2'], specs))).toMatch(
      /^--grid threads=1,2: --threads is set by the sweep/,
    );
    expect(usage(() => parseGrid(['out=a,b'], specs))).toMatch(/^--grid out=a,b: --out is set by the sweep/);
    expect(usage(() => parseGrid(['lr=1', 'lr=2'], specs))).toBe(
      '--grid lr is given twice; give all its values in one list, as in --grid lr=1,...',
    );
  });

  it('rejects empty lists, empty values, values given twice and values train rejects', () => {
    expect(usage(() => parseGrid(['lr'], specs))).toMatch(/^--grid lr: expected KEY=VALUE,VALUE,\.\.\./);
    expect(usage(() => parseGrid(['lr='], specs))).toMatch(/^--grid lr=: the list of values is empty/);
    expect(usage(() => parseGrid(['lr=1,,2'], specs))).toBe('--grid lr=1,,2: the list has an empty value');
    expect(usage(() => parseGrid(['lr=1,1.0'], specs))).toBe('--grid lr=1,1.0: the list gives lr=1 twice');
    expect(usage(() => parseGrid(['lr=-1'], specs))).toBe('--grid lr=-1: --lr must be greater than 0, got -1');
    expect(usage(() => parseGrid(['num-hiddens=8,2.5'], specs))).toBe(
      "--grid num-hiddens=8,2.5: --num-hiddens expects a positive integer, got '2.5'",
    );
    expect(usage(() => parseGrid(['cell=rnn,gur'], specs))).toMatch(/did you mean 'gru'\?$/);
  });
});

describe('runs of a grid', () => {
  it('are every combination, the first key slowest, with their flags, the flags for all and the seed', () => {
    const axes = parseGrid(['lr=0.5,1', 'num-hiddens=8,16'], specs);
    const runs = expandRuns(axes, ['--epochs', '3']);
    expect(runs.map((r) => r.name)).toEqual([
      'lr=0.5,num-hiddens=8',
      'lr=0.5,num-hiddens=16',
      'lr=1,num-hiddens=8',
      'lr=1,num-hiddens=16',
    ]);
    expect(runs[1].args).toEqual(['--lr', '0.5', '--num-hiddens', '16', '--epochs', '3', '--seed', '0']);
    expect(runs[1].settings).toEqual({ lr: '0.5', 'num-hiddens': '16' });
    // A seed in the grid or in the flags is the run's only seed.
    expect(expandRuns(parseGrid(['seed=1,2'], specs), [])[1].args).toEqual(['--seed', '2']);
    expect(expandRuns(axes, ['--seed', '7'])[0].args).toEqual(['--lr', '0.5', '--num-hiddens', '8', '--seed', '7']);
  });

  it('have folder names that keep different settings apart', () => {
    expect(runFolderName([['corpus', 'data/a b.txt']])).toBe('corpus=data%2Fa%20b.txt');
    expect(runFolderName([['corpus', 'a%2F']])).toBe('corpus=a%252F');
    expect(runFolderName([['prefix', 'é']])).toBe('prefix=%C3%A9');
    const long = runFolderName([['corpus', 'x'.repeat(300)]]);
    expect(long.length).toBe(160);
    expect(long).not.toBe(runFolderName([['corpus', `${'x'.repeat(299)}y`]]));
  });

  it('pass on the flags given to the sweep that are not defaults, refusing one that is also a grid key', () => {
    const { flags } = parseArgs(['--epochs', '4', '--cell', 'gru', '--every', '10'], specs, 'rnn-scratch sweep');
    expect(passThroughArgs(flags as Record<string, unknown>, specs, [])).toEqual(['--epochs', '4', '--cell', 'gru']);
    const noClipping = parseArgs(['--theta', 'inf'], specs, 'rnn-scratch sweep').flags;
    expect(passThroughArgs(noClipping as Record<string, unknown>, specs, [])).toEqual(['--theta', 'inf']);
    const axes = parseGrid(['epochs=1,2'], specs);
    expect(usage(() => passThroughArgs(flags as Record<string, unknown>, specs, axes))).toBe(
      '--epochs is given both as a flag and in --grid epochs=1,2; keep one',
    );
  });
});

/** A manifest whose runs have the given statuses and results. */
function manifestOf(
  runs: Array<{ lr: string; status: string; ppl?: number | null; valid?: number; error?: string }>,
): SweepManifest {
  const axes = [{ key: 'lr', values: runs.map((r) => r.lr) }];
  const manifest = newManifest(axes, [], expandRuns(axes, []));
  manifest.runs.forEach((entry, i) => {
    const r = runs[i];
    entry.status = r.status as never;
    if (r.ppl !== undefined) {
      entry.result = {
        perplexity: r.ppl,
        ...(r.valid !== undefined ? { validPerplexity: r.valid } : {}),
        epoch: 3,
        backend: 'reference:cpu',
        history: [],
      };
    }
    if (r.error) entry.error = r.error;
  });
  return manifest;
}

describe('ranking', () => {
  it('sorts by training perplexity when no run has a held-out one, and says so', () => {
    const manifest = manifestOf([
      { lr: '1', status: 'completed', ppl: 5 },
      { lr: '2', status: 'failed', error: 'the corpus is too short; give more' },
      { lr: '3', status: 'diverged', ppl: 1.5, error: 'training diverged at epoch 2; saved' },
      { lr: '4', status: 'completed', ppl: 3 },
      { lr: '5', status: 'pending' },
    ]);
    const { sortedBy, rows } = rankRuns(manifest, (n) => n);
    expect(sortedBy).toBe('perplexity');
    expect(rows.map((r) => [r.rank, r.settings.lr, r.status])).toEqual([
      [1, '4', 'completed'],
      [2, '1', 'completed'],
      [3, '3', 'diverged'],
      [null, '2', 'failed'],
      [null, '5', 'pending'],
    ]);
    const table = resultsTable(sweepResults('s', manifest, (n) => n));
    expect(table.split('\n')[0]).toBe(
      'sorted by training perplexity, lowest first (no run measured a held-out perplexity)',
    );
    expect(table).toMatch(/failed: the corpus is too short$/m);
    expect(table).not.toMatch(/valid ppl/);
  });

  it('sorts by held-out perplexity when runs have one, and shows both', () => {
    const manifest = manifestOf([
      { lr: '1', status: 'completed', ppl: 2, valid: 9 },
      { lr: '2', status: 'completed', ppl: 4, valid: 6 },
      { lr: '3', status: 'completed', ppl: 1.5 },
    ]);
    const results = sweepResults('s', manifest, (n) => n);
    expect(results.sortedBy).toBe('validPerplexity');
    expect(results.runs.map((r) => r.settings.lr)).toEqual(['2', '1', '3']);
    const table = resultsTable(results).split('\n');
    expect(table[0]).toBe('sorted by held-out perplexity (validPerplexity), lowest first');
    expect(table[1]).toMatch(/^#\s+lr\s+valid ppl\s+train ppl\s+epochs\s+time\s+status$/);
    expect(table[2]).toMatch(/^1\s+2\s+6\.000\s+4\.000\s+3/);
  });

  it('draws the table as an SVG with a bar per run that has a value', () => {
    const manifest = manifestOf([
      { lr: '1', status: 'completed', ppl: 5 },
      { lr: '2', status: 'failed', error: 'a <bad> & "odd" reason' },
    ]);
    const svg = resultsSvg(sweepResults('s', manifest, (n) => n));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="14"/g)).toHaveLength(1);
    expect(svg).toContain('failed: a &lt;bad&gt; &amp; &quot;odd&quot; reason');
  });
});
