/**
 * A small command-line flag parser, without third-party dependencies.
 *
 * Each command declares its flags as data (name, type, default, help text, limits). The parser turns
 * `['--batch-size', '32', '--json']` into `{ batchSize: 32, json: true, ... }`, typed from the declaration,
 * and rejects anything it does not understand with a `UsageError` whose message is ONE line that says what
 * is wrong and, for a misspelt flag, which flag was probably meant.
 *
 * Accepted syntax: `--name value`, `--name=value`, `--flag` / `--no-flag` / `--flag=false` for booleans,
 * `-x value` for a flag with a one-letter `short` alias, and `--` to end the flags. A `strings` flag may be given
 * many times and collects its values in order.
 */

import { suggest } from '@rnn-scratch/core';

/** A mistake in how the command was called. The CLI prints its one-line message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagType = 'number' | 'int' | 'string' | 'strings' | 'boolean' | 'choice';

interface FlagBase {
  /** The long name without dashes, kebab-case: `'max-tokens'` is given as `--max-tokens` and read as `maxTokens`. */
  name: string;
  /** One line of help text. */
  help: string;
  /** A one-letter alias, given as `-x`. */
  short?: string;
  /** The word shown for the value in help, e.g. `PATH` or `N`. */
  placeholder?: string;
  /** How to show the default in help when the value itself is not telling (e.g. 'the bundled book'). */
  defaultLabel?: string;
  /** The flag's former name: giving it says what it is called now. */
  formerly?: string;
  /**
   * A flag this command refuses although a related command takes it (e.g. train's --threads for a sweep):
   * giving it is a usage error `--name <refuse>`. Not shown in help.
   */
  refuse?: string;
}

export interface NumberFlag extends FlagBase {
  /** 'int' accepts only integers; 'number' any finite number. */
  type: 'number' | 'int';
  default?: number;
  min?: number;
  max?: number;
  /** Extra check; return an error text (completing "--name ...") or undefined when the value is fine. */
  validate?: (value: number) => string | undefined;
  /** Also accept `inf` (or `infinity`) for Infinity. */
  infinity?: boolean;
}

export interface StringFlag extends FlagBase {
  type: 'string';
  default?: string;
  validate?: (value: string) => string | undefined;
}

/** A string flag that may be given many times: its value is the list of values, in order (default: empty). */
export interface StringsFlag extends FlagBase {
  type: 'strings';
  validate?: (value: string) => string | undefined;
}

export interface BooleanFlag extends FlagBase {
  type: 'boolean';
  /** Booleans are false unless given; a default of true makes `--no-name` the useful form. */
  default?: boolean;
}

export interface ChoiceFlag extends FlagBase {
  type: 'choice';
  choices: readonly string[];
  default?: string;
}

export type FlagSpec = NumberFlag | StringFlag | StringsFlag | BooleanFlag | ChoiceFlag;

/** `'max-tokens'` -> `'maxTokens'`, at the type level. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The TypeScript type of one flag's value. */
type ValueOf<F extends FlagSpec> = F extends { type: 'number' | 'int' }
  ? number
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { type: 'choice'; choices: readonly (infer C)[] }
      ? C
      : string;

/** The parsed flags of a spec list: one camelCase key per flag; `undefined` only for a flag without default. */
export type FlagValues<S extends readonly FlagSpec[]> = {
  [F in S[number] as CamelCase<F['name']>]: F extends { type: 'boolean' }
    ? boolean
    : F extends { type: 'strings' }
      ? string[]
      : F extends { default: string | number }
        ? ValueOf<F>
        : ValueOf<F> | undefined;
};

export interface ParsedArgs<S extends readonly FlagSpec[]> {
  flags: FlagValues<S>;
  /** Arguments that are not flags (and everything after `--`). */
  positionals: string[];
}

/** `'max-tokens'` -> `'maxTokens'`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A decimal number: 12, -1, 0.5, 1e4. (Stricter than `Number()`, which also accepts '', '0x10' and ' 7 '.) */
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parse `argv` (the arguments AFTER the command name) against `specs`.
 * @param where how to name the command in messages, e.g. `'rnn-scratch corpus'`.
 */
export function parseArgs<const S extends readonly FlagSpec[]>(
  argv: readonly string[],
  specs: S,
  where: string,
): ParsedArgs<S> {
  const byName = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    if (spec.short) byShort.set(spec.short, spec);
  }

  // Start from the defaults; booleans default to false.
  const values: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.type === 'strings') values[camelCase(spec.name)] = [];
    else values[camelCase(spec.name)] = spec.default ?? (spec.type === 'boolean' ? false : undefined);
  }

  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || NUMBER_RE.test(arg)) {
      positionals.push(arg);
      continue;
    }

    // Split `--name=value`, then find the spec: long name, `--no-name` for booleans, or a short alias.
    const eq = arg.indexOf('=');
    const key = eq === -1 ? arg : arg.slice(0, eq);
    let inline: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    let spec: FlagSpec | undefined;
    let negated = false;
    if (key.startsWith('--')) {
      const name = key.slice(2);
      spec = byName.get(name);
      if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'boolean') {
        spec = byName.get(name.slice(3));
        negated = true;
      }
    } else if (key.length === 2) {
      spec = byShort.get(key.slice(1));
    }
    if (!spec) throw unknownFlag(key, specs, where);
    const shown = `--${spec.name}`;
    if (spec.refuse !== undefined) throw new UsageError(`${shown} ${spec.refuse}`);

    if (spec.type === 'boolean') {
      if (negated && inline !== undefined) throw new UsageError(`${key} takes no value, got '${arg}'`);
      values[camelCase(spec.name)] = negated ? false : inline === undefined ? true : parseBoolean(shown, inline);
      continue;
    }

    // Every other type needs a value: inline, or the next argument (which may be a negative number).
    if (inline === undefined) {
      const next = argv[i + 1];
      const isNumeric = spec.type === 'number' || spec.type === 'int';
      if (next === undefined || (next.startsWith('-') && next !== '-' && !(isNumeric && NUMBER_RE.test(next)))) {
        throw new UsageError(`${shown} needs a value (${describeValue(spec)})`);
      }
      inline = next;
      i++;
    }
    const value = convert(spec, inline, shown);
    if (spec.type === 'strings') (values[camelCase(spec.name)] as string[]).push(value as string);
    else values[camelCase(spec.name)] = value;
  }
  return { flags: values as FlagValues<S>, positionals };
}

/** Turn one raw value into the flag's type, checking its limits. */
function convert(spec: FlagSpec, raw: string, shown: string): unknown {
  switch (spec.type) {
    case 'number':
    case 'int': {
      const infinite = spec.infinity === true && /^(inf|infinity)$/i.test(raw);
      if (!NUMBER_RE.test(raw) && !infinite)
        throw new UsageError(`${shown} expects ${describeValue(spec)}, got '${raw}'`);
      const value = infinite ? Infinity : Number(raw);
      if ((!Number.isFinite(value) && !infinite) || (spec.type === 'int' && !Number.isSafeInteger(value))) {
        throw new UsageError(`${shown} expects ${describeValue(spec)}, got '${raw}'`);
      }
      if (spec.min !== undefined && value < spec.min)
        throw new UsageError(`${shown} must be at least ${spec.min}, got ${raw}`);
      if (spec.max !== undefined && value > spec.max)
        throw new UsageError(`${shown} must be at most ${spec.max}, got ${raw}`);
      const problem = spec.validate?.(value);
      if (problem) throw new UsageError(`${shown} ${problem}`);
      return value;
    }
    case 'string':
    case 'strings': {
      if (raw === '') throw new UsageError(`${shown} needs a non-empty value`);
      const problem = spec.validate?.(raw);
      if (problem) throw new UsageError(`${shown} ${problem}`);
      return raw;
    }
    case 'choice': {
      if (spec.choices.includes(raw)) return raw;
      const guess = suggest(raw, spec.choices);
      throw new UsageError(
        `${shown} must be one of ${spec.choices.join(', ')}; got '${raw}'${guess ? `; did you mean '${guess}'?` : ''}`,
      );
    }
    case 'boolean':
      return parseBoolean(shown, raw);
  }
}

function parseBoolean(shown: string, raw: string): boolean {
  const lower = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new UsageError(`${shown} expects true or false, got '${raw}'`);
}

/** What kind of value a flag takes, for messages: 'an integer', 'one of book, unicode', ... */
function describeValue(spec: FlagSpec): string {
  switch (spec.type) {
    case 'int':
      return spec.min === 1 ? 'a positive integer' : spec.min === 0 ? 'a non-negative integer' : 'an integer';
    case 'number':
      return spec.infinity ? 'a number or inf' : 'a number';
    case 'string':
    case 'strings':
      return spec.placeholder ? `a ${spec.placeholder.toLowerCase()}` : 'a string';
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'boolean':
      return 'true or false';
  }
}

/** The error for a flag nobody declared, with a "did you mean" when a declared one is close. */
function unknownFlag(key: string, specs: readonly FlagSpec[], where: string): UsageError {
  const typed = key.replace(/^-+/, '');
  const renamed = specs.find((s) => s.formerly === typed);
  if (renamed) return new UsageError(`${key} is now called --${renamed.name} (see '${where} --help')`);
  const guess = suggest(
    typed,
    specs.map((s) => s.name),
  );
  return new UsageError(
    guess
      ? `unknown flag ${key} for '${where}'; did you mean --${guess}?`
      : `unknown flag ${key} for '${where}' (see '${where} --help')`,
  );
}

// The "did you mean" helpers live in core, which also suggests backend names; re-exported for the CLI's API.
export { editDistance, suggest } from '@rnn-scratch/core';

/** The help lines for a list of flags: `  --max-tokens N   keep the first N tokens (default: 10000)`. */
export function formatFlagHelp(all: readonly FlagSpec[]): string[] {
  const specs = all.filter((spec) => spec.refuse === undefined);
  const left = specs.map((spec) => {
    const names = `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}`;
    if (spec.type === 'boolean') return names;
    const placeholder =
      spec.placeholder ??
      (spec.type === 'choice'
        ? spec.choices.join('|')
        : spec.type === 'string' || spec.type === 'strings'
          ? 'TEXT'
          : 'N');
    return `${names} ${placeholder}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return specs.map((spec, k) => {
    const value = spec.type === 'strings' ? undefined : spec.default;
    const shownDefault = spec.defaultLabel ?? (value === undefined || value === false ? undefined : String(value));
    return `  ${left[k].padEnd(width)}${spec.help}${shownDefault === undefined ? '' : ` (default: ${shownDefault})`}`;
  });
}
