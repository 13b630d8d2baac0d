// `rnn-scratch sweep`, the real binary: grids of tiny runs on the reference backend, each run a real child
// process; results, divergence and failures, resuming after Ctrl-C and after the sweep was killed, and every
// bad grid or flag refused before anything starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, checkBuilt, cli, expectOneLineError, interruptAfter, tempDir, TINY } from './helpers.js';

const dir = tempDir('rnn-scratch-sweep-');
beforeAll(checkBuilt);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => cli(dir, args);
/** TINY without some of its flags (those a test puts in its grid). */
const tiny = (...without: string[]) =>
  TINY.filter((arg, i) => !without.some((name) => arg === `--${name}` || TINY[i - 1] === `--${name}`));
const json = (path: string) => JSON.parse(readFileSync(join(dir, path), 'utf8'));

interface Row {
  rank: number | null;
  name: string;
  status: string;
  perplexity: number | null;
  error: string | null;
  epoch: number | null;
}

describe('a sweep', () => {
  it('trains every combination as train would, ranks them, and writes sweep.json, results.json and results.svg', () => {
    const r = run([
      'sweep',
      '--grid',
      'lr=0.5,1',
      '--grid',
      'num-hiddens=8,12',
      ...tiny('num-hiddens'),
      '--jobs',
      '2',
      '--out',
      'a',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('rnn-scratch sweep: 4 runs (lr x num-hiddens), 2 at a time; folders in a');
    expect(
      lines.filter((l) => /^\[\d\/4\] \S+ completed: perplexity \d+\.\d{3} after 3 epochs, /.test(l)),
    ).toHaveLength(4);
    const table = lines.slice(
      lines.indexOf('sorted by training perplexity, lowest first (no run measured a held-out perplexity)'),
    );
    expect(table[1]).toMatch(/^#\s+lr\s+num-hiddens\s+train ppl\s+epochs\s+time\s+status$/);
    const ppl = table.slice(2, 6).map((l) => Number(l.split(/\s+/)[3]));
    expect(ppl).toEqual([...ppl].sort((x, y) => x - y));
    expect(table[6]).toBe('saved a/results.json, a/results.svg');

    expect(readdirSync(join(dir, 'a')).sort()).toEqual([
      'lr=0.5,num-hiddens=12',
      'lr=0.5,num-hiddens=8',
      'lr=1,num-hiddens=12',
      'lr=1,num-hiddens=8',
      'results.json',
      'results.svg',
      'sweep.json',
    ]);
    const results = json('a/results.json');
    expect(results.sortedBy).toBe('perplexity');
    expect(results.counts).toMatchObject({ completed: 4, failed: 0 });
    const svg = readFileSync(join(dir, 'a/results.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg.match(/height="14" fill="#1f77b4"/g)).toHaveLength(4);
    const manifest = json('a/sweep.json');
    expect(manifest.runs.map((e: { status: string }) => e.status)).toEqual(Array(4).fill('completed'));

    // Each folder is train's checkpoint, with the numbers train itself gives for the same flags and seed.
    const best = results.runs[0] as Row;
    const [lr, h] = best.name.match(/lr=([\d.]+),num-hiddens=(\d+)/)!.slice(1);
    const alone = run(['train', ...TINY, '--lr', lr, '--num-hiddens', h, '--seed', '0', '--out', 'alone', '--json']);
    expect(alone.code, alone.stderr).toBe(0);
    expect(best.perplexity).toBe(JSON.parse(alone.stdout).perplexity);
    expect(json(`a/${best.name}/checkpoint.json`).history).toEqual(json('alone/checkpoint.json').history);
  });

  it("takes the exercises' flags: ranked by held-out perplexity (--valid-tokens), --theta inf, --bptt, --activation", () => {
    const r = run([
      'sweep',
      ...['--grid', 'theta=1,inf', '--grid', 'bptt=minibatch,epoch', '--grid', 'activation=tanh,relu'],
      ...['--valid-tokens', '200', '--input', 'embedding', '--embed-size', '4'],
      ...TINY,
      ...['--jobs', '2', '--out', 'ex', '--json'],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.sortedBy).toBe('validPerplexity');
    const valid = results.runs.map((x: { validPerplexity: number }) => x.validPerplexity);
    expect(valid).toEqual([...valid].sort((x, y) => x - y));
    expect(valid.every((v: number) => v > 1)).toBe(true);
    // `inf` as train reads and writes it, in the folder name and the run's flags.
    expect(readdirSync(join(dir, 'ex'))).toContain('theta=inf,bptt=epoch,activation=relu');
    const entry = json('ex/sweep.json').runs.find((e: Row) => e.name === 'theta=inf,bptt=epoch,activation=relu');
    expect(entry.args.slice(0, 6)).toEqual(['--theta', 'inf', '--bptt', 'epoch', '--activation', 'relu']);
    expect(json('ex/theta=inf,bptt=epoch,activation=relu/checkpoint.json').hyperparameters).toMatchObject({
      theta: 'inf',
      bptt: 'epoch',
      activation: 'relu',
      validTokens: 200,
      embedSize: 4,
    });
    // The same numbers as train alone with those flags.
    const best = results.runs[0] as Row & { validPerplexity: number; settings: Record<string, string> };
    const { theta, bptt, activation } = best.settings;
    const alone = run([
      'train',
      ...['--theta', theta, '--bptt', bptt, '--activation', activation, '--valid-tokens', '200'],
      ...['--input', 'embedding', '--embed-size', '4', ...TINY, '--seed', '0', '--out', 'alone-ex', '--json'],
    ]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(JSON.parse(alone.stdout)).toMatchObject({
      perplexity: best.perplexity,
      validPerplexity: best.validPerplexity,
    });
  });

  it('--json prints results.json; a diverged run is a result, ranked after the completed ones', () => {
    const r = run(['sweep', '--grid', 'lr=3e38,1', ...TINY, '--json', '--out', 'div']);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed).toEqual(json('div/results.json'));
    expect(printed.runs.map((x: Row) => [x.rank, x.name, x.status])).toEqual([
      [1, 'lr=1', 'completed'],
      [2, 'lr=3e+38', 'diverged'],
    ]);
    expect(printed.runs[1].error).toMatch(/^training diverged at epoch 1/);
    expect(json('div/lr=3e+38/checkpoint.json').status).toBe('diverged');
  });

  it('--jobs sets how many runs train at once', () => {
    const spans = (out: string) =>
      json(`${out}/sweep.json`).runs.map((e: { startedAt: string; endedAt: string }) => [
        Date.parse(e.startedAt),
        Date.parse(e.endedAt),
      ]);
    const overlaps = (s: number[][]) => s.some(([a0, a1], i) => s.some(([b0], j) => j !== i && b0 > a0 && b0 < a1));
    const one = run(['sweep', '--grid', 'seed=1,2,3', ...TINY, '--jobs', '1', '--out', 'j1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^rnn-scratch sweep: 3 runs \(seed\), 1 at a time;/);
    expect(overlaps(spans('j1'))).toBe(false);
    const three = run(['sweep', '--grid', 'seed=1,2,3', ...TINY, '--jobs', '3', '--out', 'j3']);
    expect(three.code, three.stderr).toBe(0);
    expect(three.stdout).toMatch(/^rnn-scratch sweep: 3 runs \(seed\), 3 at a time;/);
    expect(overlaps(spans('j3'))).toBe(true);
  });

  it('marks a run that fails with its reason, finishes the others, exits 8, and retries it on --resume', () => {
    const r = run(['sweep', '--grid', 'max-tokens=400,12', ...tiny('max-tokens'), '--out', 'f']);
    expect(r.code, r.stderr).toBe(8);
    expect(r.stderr).toMatch(
      /^rnn-scratch: 1 of 2 runs failed \(max-tokens=12: .*\); the others' results are kept; retry the failed ones with: rnn-scratch sweep --resume f\n$/,
    );
    expect(r.stdout).toMatch(/^1\s+400\s+\d+\.\d+\s+3\s+\S+\s+completed$/m);
    expect(r.stdout).toMatch(/^-\s+12\s+-\s+-\s+\S+\s+failed: /m);
    const failed = json('f/sweep.json').runs[1];
    expect(failed).toMatchObject({ status: 'failed', exitCode: 3, attempts: 1 });
    const again = run(['sweep', '--resume', 'f']);
    expect(again.code).toBe(8);
    expect(json('f/sweep.json').runs.map((e: { attempts: number }) => e.attempts)).toEqual([1, 2]);
  });
});

describe('on a terminal', () => {
  it('one status line for the whole sweep: runs done, running, total, time left and the best so far', () => {
    // `script` runs the sweep on a pseudo-terminal, 120 columns wide.
    const args = ['sweep', '--grid', 'seed=1,2,3', ...TINY, '--jobs', '2', '--out', 'tty', '--json'];
    const r = spawnSync('script', ['-qec', ['stty cols 120;', process.execPath, BIN, ...args].join(' '), '/dev/null'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const drawn = r.stdout.split('\r\x1b[2K').filter((s) => s.startsWith('sweep ['));
    expect(drawn[0]).toMatch(/^sweep \[\.{12}\] 0\/3 done, 1 running, ETA \?$/);
    expect(drawn).toContainEqual(
      expect.stringMatching(
        /^sweep \[#{4}\.{8}\] 1\/3 done, [12] running, ETA \d\S*s, best \d+\.\d{3} \(train ppl\) seed=\d/,
      ),
    );
    expect(drawn.at(-1)).toMatch(/^sweep \[#{12}\] 3\/3 done, 0 running, ETA /);
    // The line is erased before the JSON, which is all that is left on stdout.
    const json = r.stdout.slice(r.stdout.lastIndexOf('\x1b[2K') + 4);
    expect(JSON.parse(json).runs).toHaveLength(3);
  });
});

describe('resuming a sweep', () => {
  // Runs long enough to be stopped in the middle, each saving every epoch.
  const LONG = [...tiny('num-hiddens', 'epochs'), '--epochs', '25', '--every', '1'];
  const GRID = ['--grid', 'num-hiddens=8,10,12'];

  it('after Ctrl-C: finished runs are kept, stopped runs continue from their checkpoints, numbers as without the stop', async () => {
    const args = ['sweep', ...GRID, ...LONG, '--jobs', '2', '--out', 'c'];
    const stopped = await interruptAfter(dir, args, /^\[1\/3\] .* completed/);
    expect(stopped.sent).toBe(true);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(
      /^rnn-scratch: interrupted: [12] of 3 runs finished \(results in c\/results\.json\), [012] stopped at their last completed epoch; continue with: rnn-scratch sweep --resume c\n$/,
    );
    const before = json('c/sweep.json').runs as Array<{ name: string; status: string }>;
    const finished = before.filter((e) => e.status === 'completed');
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(before.some((e) => e.status === 'interrupted' || e.status === 'pending')).toBe(true);
    const stamps = finished.map((e) => statSync(join(dir, 'c', e.name, 'checkpoint.json')).mtimeMs);
    const savedStatus = new Map(
      before
        .filter((e) => existsSync(join(dir, 'c', e.name, 'checkpoint.json')))
        .map((e) => {
          const meta = json(`c/${e.name}/checkpoint.json`);
          return [e.name, meta.status === 'completed' ? 'completed' : String(meta.epoch)];
        }),
    );

    // The same command again continues the sweep in its folder.
    const resumed = run(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      new RegExp(`^rnn-scratch sweep: 3 runs \\(num-hiddens\\), .*${finished.length} finished before`),
    );
    // A stopped run continues from its checkpoint; one stopped just after its last save is taken from it.
    for (const e of before.filter((x) => x.status !== 'completed')) {
      const saved = savedStatus.get(e.name);
      if (saved === 'completed') {
        expect(resumed.stdout).toMatch(new RegExp(`\\] ${e.name} completed: .* \\(from its checkpoint\\)$`, 'm'));
      } else if (saved !== undefined) {
        expect(resumed.stdout).toMatch(new RegExp(`^${e.name}: continues from its checkpoint at epoch ${saved}$`, 'm'));
      }
    }
    for (const e of finished) expect(resumed.stdout).not.toMatch(new RegExp(`\\] ${e.name} completed`));
    expect(finished.map((e) => statSync(join(dir, 'c', e.name, 'checkpoint.json')).mtimeMs)).toEqual(stamps);

    const whole = run(['sweep', ...GRID, ...LONG, '--jobs', '2', '--out', 'c-whole', '--json']);
    expect(whole.code, whole.stderr).toBe(0);
    const numbers = (runs: Row[]) => Object.fromEntries(runs.map((x) => [x.name, [x.perplexity, x.epoch]]));
    expect(numbers(json('c/results.json').runs)).toEqual(numbers(JSON.parse(whole.stdout).runs));
  });

  it('after the sweep was killed: its runs stop with it, saving, and --resume finishes them exactly', async () => {
    const names = ['num-hiddens=8', 'num-hiddens=10', 'num-hiddens=12'];
    const saved = () =>
      names.map((name) =>
        existsSync(join(dir, 'k', name, 'checkpoint.json')) ? json(`k/${name}/checkpoint.json`) : undefined,
      );
    const sweep = spawn(process.execPath, [BIN, 'sweep', ...GRID, ...LONG, '--jobs', '3', '--out', 'k'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const closed = new Promise<NodeJS.Signals | null>((resolve) => sweep.on('close', (_, signal) => resolve(signal)));
    // Kill it once every run has saved a few epochs.
    await until(() => saved().every((m) => m !== undefined && m.epoch >= 3));
    sweep.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    // Each run notices that the sweep is gone, saves its last completed epoch and stops.
    await until(() => saved().every((m) => m.status !== 'running'));
    const first = saved();
    expect(first.map((m) => m.status)).toEqual(Array(3).fill('interrupted'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(saved()).toEqual(first);

    const resumed = run(['sweep', '--resume', 'k', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const runs = JSON.parse(resumed.stdout).runs as Row[];
    expect(runs.map((x) => [x.status, x.epoch])).toEqual(Array(3).fill(['completed', 25]));
    const numbers = (rows: Row[]) => Object.fromEntries(rows.map((x) => [x.name, x.perplexity]));
    expect(numbers(runs)).toEqual(numbers(json('c-whole/results.json').runs));
  });
});

/** Wait until `ready()` holds (checked every 100 ms, at most 30 s). */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the sweep folder', () => {
  it('--out of a sweep with another grid is refused', () => {
    const other = run(['sweep', '--grid', 'lr=1,2', ...tiny('num-hiddens'), '--out', 'a']);
    expectOneLineError(
      other,
      2,
      /^rnn-scratch: --out a holds a sweep with another grid or other flags \(--grid lr=0\.5,1 --grid num-hiddens=8,12 --backend reference --epochs 3 .*\); continue it with --resume a, or give another --out$/,
    );
  });

  it('cannot be shared by two sweeps at once', async () => {
    const args = ['sweep', '--grid', 'seed=1,2', ...TINY, '--epochs', '30', '--jobs', '1', '--out', 'locked'];
    const holder = interruptAfter(dir, args, /^\[1\/2\]/, 'SIGINT');
    // Wait for the first sweep to take its folder, then try a second one there.
    await until(() => existsSync(join(dir, 'locked', 'sweep.lock')));
    const second = run(['sweep', '--resume', 'locked']);
    expectOneLineError(
      second,
      3,
      /^rnn-scratch: the sweep folder locked is in use by another sweep \(process \d+\); wait for it to finish, or stop it first$/,
    );
    await holder;
  });
});

describe('bad sweeps fail before anything starts (exit 2, one line)', () => {
  it.each([
    [['--grid', 'lrr=1,2'], /--grid lrr=1,2: 'lrr' is not a flag of rnn-scratch train; did you mean 'lr'\?$/],
    [['--grid', 'lr='], /--grid lr=: the list of values is empty/],
    [['--grid', 'lr=1', '--grid', 'lr=2'], /--grid lr is given twice/],
    [['--grid', 'lr=1,-2'], /--grid lr=1,-2: --lr must be greater than 0, got -2$/],
    [['--grid', 'threads=1,2'], /--grid threads=1,2: --threads is set by the sweep/],
    [['--grid', 'lr=1', '--lrr', '2'], /unknown flag --lrr for 'rnn-scratch sweep'; did you mean --lr\?$/],
    [['--grid', 'lr=1', '--epochs', '0'], /--epochs must be at least 1, got 0$/],
    [['--grid', 'lr=1', '--threads', '2'], /--threads is set by the sweep: every run trains on one thread/],
    [['--grid', 'lr=1', '--workers', '2'], /--workers is set by the sweep: every run trains on one thread/],
    [['--grid', 'lr=1', '--lr', '2'], /--lr is given both as a flag and in --grid lr=1; keep one$/],
    [['--grid', 'lr=1', '--jobs', '0'], /--jobs must be at least 1, got 0$/],
    [['--epochs', '3'], /give the grid with --grid KEY=V1,V2,\.\.\./],
    [['--resume', 'x', '--grid', 'lr=1'], /--grid lr=1 cannot be given with --resume/],
  ])('%j', (args, message) => {
    const r = run(['sweep', ...args, '--out', 'never']);
    expectOneLineError(r, 2, message);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('--out that holds other files, and --resume of a folder without a sweep (exit 4)', () => {
    expectOneLineError(
      run(['sweep', '--grid', 'lr=1', ...TINY, '--out', 'a/lr=1,num-hiddens=8']),
      2,
      /--out a\/lr=1,num-hiddens=8 is a file or a folder that holds other files; give a new or empty folder$/,
    );
    expectOneLineError(run(['sweep', '--resume', 'nowhere']), 4, /^rnn-scratch: sweep folder not found: nowhere$/);
  });
});
