/**
 * A sweep's grid: `--grid lr=0.5,1,2 --grid num-hiddens=128,256` and the flags that go to every run, checked
 * against the train command's own flag table before anything starts, and expanded into runs, each with the
 * full list of train flags that defines it and a folder name made from its settings (`lr=0.5,num-hiddens=128`).
 */

import { createHash } from 'node:crypto';

import { BOOK_DEFAULTS } from '@rnn-scratch/core';

import { camelCase, parseArgs, suggest, UsageError, type FlagSpec } from '../args.js';

/** One key of the grid and its values, each as train reads it back (`1.0` -> `1`). */
export interface GridAxis {
  readonly key: string;
  readonly values: readonly string[];
}

/** One run of a sweep: its settings from the grid and every train flag that defines it. */
export interface RunSpec {
  /** The folder name, from the settings: `lr=0.5,num-hiddens=128`. */
  readonly name: string;
  /** The grid's values for this run, in the grid's order. */
  readonly settings: Readonly<Record<string, string>>;
  /** The train flags of the run: its settings, the flags given to every run, and its seed. */
  readonly args: readonly string[];
}

/**
 * Train's flags that a sweep sets itself, and why: they are neither grid keys nor flags to pass on. (`out`,
 * `resume` and `json` are also the sweep's own flags, with a meaning of their own.)
 */
export const SET_BY_SWEEP: Readonly<Record<string, string>> = {
  out: 'is set by the sweep: each run has its own folder, named after its settings, under the sweep folder (--out)',
  resume: 'is set by the sweep: a run that stopped continues from its checkpoint when the sweep is resumed',
  json: "is set by the sweep: it reads each run's JSON summary",
  threads: 'is set by the sweep: every run trains on one thread, and --jobs runs train at once',
  workers:
    'is set by the sweep: every run trains on one thread, and --jobs runs train at once (use the cores with --jobs)',
  'export-exchange': 'cannot be given to a sweep: export the minibatches of one run with rnn-scratch train',
  'exchange-steps': 'cannot be given to a sweep: export the minibatches of one run with rnn-scratch train',
};

/** The train flags a sweep passes on to every run (and takes as grid keys). */
export function passThroughSpecs(trainFlags: readonly FlagSpec[]): FlagSpec[] {
  return trainFlags
    .filter((spec) => !(spec.name in SET_BY_SWEEP))
    .map((spec) => ({
      ...spec,
      // "(default: 500; with --resume, the checkpoint's)": a sweep's --resume is another thing.
      defaultLabel: spec.defaultLabel?.replace(/; with --resume,.*$/, ''),
    }));
}

/** Train flags a sweep refuses (those it sets itself that are not its own flags too), with the reason. */
export function refusedSpecs(trainFlags: readonly FlagSpec[], ownFlags: readonly FlagSpec[]): FlagSpec[] {
  return trainFlags
    .filter((spec) => spec.name in SET_BY_SWEEP && !ownFlags.some((own) => own.name === spec.name))
    .map((spec) => ({ ...spec, refuse: SET_BY_SWEEP[spec.name] }));
}

const GRID_EXAMPLE = '--grid lr=0.5,1,2';

/**
 * Parse the `--grid` flags: `KEY=V1,V2,...`, KEY one of train's flags (as `passThroughSpecs` lists them),
 * every value checked as train checks it. Throws a UsageError for an unknown key (with a suggestion), a key
 * that the sweep sets itself, a key given twice, an empty list or value, a bad value, or a value given twice.
 */
export function parseGrid(grids: readonly string[], specs: readonly FlagSpec[]): GridAxis[] {
  const axes: GridAxis[] = [];
  for (const grid of grids) {
    const eq = grid.indexOf('=');
    if (eq === -1) {
      throw new UsageError(`--grid ${grid}: expected KEY=VALUE,VALUE,... (for example ${GRID_EXAMPLE})`);
    }
    const key = grid.slice(0, eq).replace(/^-+/, '');
    const list = grid.slice(eq + 1);
    const where = `--grid ${grid}`;
    if (key in SET_BY_SWEEP) throw new UsageError(`${where}: --${key} ${SET_BY_SWEEP[key]}`);
    const spec = specs.find((s) => s.name === key);
    if (!spec) {
      const guess = suggest(
        key,
        specs.map((s) => s.name),
      );
      throw new UsageError(
        `${where}: '${key}' is not a flag of rnn-scratch train${guess ? `; did you mean '${guess}'?` : " (see 'rnn-scratch train --help')"}`,
      );
    }
    if (axes.some((axis) => axis.key === key)) {
      throw new UsageError(
        `--grid ${key} is given twice; give all its values in one list, as in --grid ${key}=${axes.find((a) => a.key === key)!.values.join(',')},...`,
      );
    }
    if (list === '') throw new UsageError(`${where}: the list of values is empty (for example ${GRID_EXAMPLE})`);
    const values: string[] = [];
    for (const raw of list.split(',')) {
      if (raw === '') throw new UsageError(`${where}: the list has an empty value`);
      const value = normalize(spec, raw, where);
      if (values.includes(value)) throw new UsageError(`${where}: the list gives ${key}=${value} twice`);
      values.push(value);
    }
    axes.push({ key, values });
  }
  return axes;
}

/** A flag's value as train reads it back: `Infinity` as `inf` (`--theta inf`), anything else as a string. */
function flagText(value: unknown): string {
  return value === Infinity ? 'inf' : String(value);
}

/** A value as train reads it, written back: `1.0` -> `1`, `5e-1` -> `0.5`. Throws train's message, located. */
function normalize(spec: FlagSpec, raw: string, where: string): string {
  try {
    const { flags } = parseArgs([`--${spec.name}=${raw}`], [spec], 'rnn-scratch train');
    return flagText((flags as Record<string, unknown>)[camelCase(spec.name)]);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${where}: ${err.message}`);
    throw err;
  }
}

/**
 * The flags given to the sweep that go to every run, as train flags (`['--epochs', '200', ...]`), in the order
 * of train's table: every pass-through flag whose value is not its default. A flag that is also a grid key is
 * a usage error.
 */
export function passThroughArgs(
  flags: Readonly<Record<string, unknown>>,
  specs: readonly FlagSpec[],
  axes: readonly GridAxis[],
): string[] {
  const args: string[] = [];
  for (const spec of specs) {
    const value = flags[camelCase(spec.name)];
    if (value === undefined || (spec.type !== 'strings' && value === spec.default)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    const axis = axes.find((a) => a.key === spec.name);
    if (axis) {
      throw new UsageError(
        `--${spec.name} is given both as a flag and in --grid ${spec.name}=${axis.values.join(',')}; keep one`,
      );
    }
    if (spec.type === 'boolean') args.push(value ? `--${spec.name}` : `--no-${spec.name}`);
    else if (Array.isArray(value)) for (const v of value) args.push(`--${spec.name}`, flagText(v));
    else args.push(`--${spec.name}`, flagText(value));
  }
  return args;
}

/**
 * Every combination of the grid's values (the first key varies slowest), each with its train flags: its
 * settings, then `args`, then `--seed` (the book's) when neither gives one, so that a run's flags say all.
 */
export function expandRuns(axes: readonly GridAxis[], args: readonly string[]): RunSpec[] {
  let combos: Array<Array<[string, string]>> = [[]];
  for (const axis of axes) {
    combos = combos.flatMap((combo) => axis.values.map((v): Array<[string, string]> => [...combo, [axis.key, v]]));
  }
  const seeded = axes.some((a) => a.key === 'seed') || args.includes('--seed');
  return combos.map((combo) => ({
    name: runFolderName(combo),
    settings: Object.fromEntries(combo),
    args: [
      ...combo.flatMap(([key, value]) => [`--${key}`, value]),
      ...args,
      ...(seeded ? [] : ['--seed', String(BOOK_DEFAULTS.seed)]),
    ],
  }));
}

/** Characters kept as they are in a folder name; everything else is percent-encoded. */
const SAFE = /[A-Za-z0-9._+-]/;
const MAX_NAME = 160;

/**
 * `[['lr', '0.5'], ['num-hiddens', '128']]` -> `lr=0.5,num-hiddens=128`. Values are percent-encoded outside
 * `A-Z a-z 0-9 . _ + -` (a corpus path `data/a b.txt` -> `data%2Fa%20b.txt`), so that different settings
 * never share a folder; a name longer than 160 characters is cut and ends in a hash of the whole.
 */
export function runFolderName(settings: ReadonlyArray<readonly [string, string]>): string {
  const encode = (text: string) =>
    [...text]
      .map((c) =>
        SAFE.test(c)
          ? c
          : [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
      )
      .join('');
  const name = settings.map(([key, value]) => `${key}=${encode(value)}`).join(',') || 'run';
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${name.slice(0, MAX_NAME - 13)}~${hash}`;
}
