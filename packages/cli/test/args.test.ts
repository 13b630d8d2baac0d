// Unit tests of the flag parser and of main()'s error handling, in-process.
import { describe, expect, it } from 'vitest';

import { editDistance, formatFlagHelp, parseArgs, suggest, UsageError, type FlagSpec } from '../src/args.js';
import { defineCommand } from '../src/command.js';
import { EXIT_DATA, EXIT_UNEXPECTED, EXIT_USAGE } from '../src/errors.js';
import { main } from '../src/main.js';

const specs = [
  { name: 'max-tokens', type: 'int', default: 10000, min: -1, help: 'tokens' },
  { name: 'lr', type: 'number', default: 1, min: 0, help: 'learning rate' },
  { name: 'file', type: 'string', placeholder: 'PATH', help: 'a file' },
  { name: 'mode', type: 'choice', choices: ['book', 'unicode'], default: 'book', help: 'mode' },
  { name: 'json', type: 'boolean', help: 'json' },
  { name: 'verbose', short: 'v', type: 'boolean', help: 'talk more' },
] as const;

const usageMessage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('parseArgs: repeatable and refused flags', () => {
  const own = [
    { name: 'grid', type: 'strings', help: 'grid' },
    { name: 'threads', type: 'int', refuse: 'is set by the sweep', help: 'threads' },
  ] as const satisfies readonly FlagSpec[];

  it('collects a repeatable flag in order, empty when not given', () => {
    expect(parseArgs(['--grid', 'a=1', '--grid=b=2'], own, 'x').flags.grid).toEqual(['a=1', 'b=2']);
    expect(parseArgs([], own, 'x').flags.grid).toEqual([]);
    expect(usageMessage(() => parseArgs(['--grid', ''], own, 'x'))).toBe('--grid needs a non-empty value');
  });

  it('refuses a refused flag with its reason and leaves it out of the help', () => {
    expect(usageMessage(() => parseArgs(['--threads', '2'], own, 'x'))).toBe('--threads is set by the sweep');
    expect(formatFlagHelp(own).join('\n')).not.toMatch(/threads/);
  });
});

describe('parseArgs', () => {
  it('fills defaults and camelCases names', () => {
    const { flags, positionals } = parseArgs([], specs, 'x');
    expect(flags).toEqual({ maxTokens: 10000, lr: 1, file: undefined, mode: 'book', json: false, verbose: false });
    expect(positionals).toEqual([]);
  });

  it('accepts --name value, --name=value, negative numbers, booleans, --no-, short aliases and --', () => {
    const { flags, positionals } = parseArgs(
      ['--max-tokens', '-1', '--lr=0.5', '--file', 'a.txt', '--mode=unicode', '--json', '-v', 'pos', '--', '--lr'],
      specs,
      'x',
    );
    expect(flags).toEqual({ maxTokens: -1, lr: 0.5, file: 'a.txt', mode: 'unicode', json: true, verbose: true });
    expect(positionals).toEqual(['pos', '--lr']);
    expect(parseArgs(['--json', '--no-json'], specs, 'x').flags.json).toBe(false);
    expect(parseArgs(['--json=false'], specs, 'x').flags.json).toBe(false);
    expect(parseArgs(['--max-tokens', '1e4'], specs, 'x').flags.maxTokens).toBe(10000);
  });

  it('rejects bad values with one-line messages', () => {
    expect(usageMessage(() => parseArgs(['--max-tokens', '2.5'], specs, 'x'))).toBe(
      "--max-tokens expects an integer, got '2.5'",
    );
    expect(usageMessage(() => parseArgs(['--max-tokens', '-2'], specs, 'x'))).toBe(
      '--max-tokens must be at least -1, got -2',
    );
    expect(usageMessage(() => parseArgs(['--lr', '0x10'], specs, 'x'))).toBe("--lr expects a number, got '0x10'");
    expect(usageMessage(() => parseArgs(['--lr', ''], specs, 'x'))).toBe("--lr expects a number, got ''");
    expect(usageMessage(() => parseArgs(['--file'], specs, 'x'))).toBe('--file needs a value (a path)');
    expect(usageMessage(() => parseArgs(['--file', '--json'], specs, 'x'))).toBe('--file needs a value (a path)');
    expect(usageMessage(() => parseArgs(['--mode', 'Book'], specs, 'x'))).toBe(
      "--mode must be one of book, unicode; got 'Book'; did you mean 'book'?",
    );
    expect(usageMessage(() => parseArgs(['--json=perhaps'], specs, 'x'))).toBe(
      "--json expects true or false, got 'perhaps'",
    );
  });

  it('suggests the closest flag for an unknown one', () => {
    expect(usageMessage(() => parseArgs(['--maxtokens', '3'], specs, 'rnn-scratch corpus'))).toBe(
      "unknown flag --maxtokens for 'rnn-scratch corpus'; did you mean --max-tokens?",
    );
    expect(usageMessage(() => parseArgs(['--jsno'], specs, 'x'))).toMatch(/did you mean --json\?$/);
    expect(usageMessage(() => parseArgs(['--zzz'], specs, 'x'))).toBe("unknown flag --zzz for 'x' (see 'x --help')");
    expect(usageMessage(() => parseArgs(['-q'], specs, 'x'))).toMatch(/^unknown flag -q for 'x'/);
  });
});

describe('suggestions', () => {
  it('measures edit distance with swaps counting 1', () => {
    expect(editDistance('corpus', 'corpus')).toBe(0);
    expect(editDistance('corpse', 'corpus')).toBe(2);
    expect(editDistance('nmu-steps', 'num-steps')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only plausible candidates', () => {
    expect(suggest('trian', ['train', 'predict'])).toBe('train');
    expect(suggest('steps', ['num-steps', 'batch-size'])).toBe('num-steps');
    expect(suggest('xyzzy', ['train', 'predict', 'corpus'])).toBeUndefined();
  });

  it('formats help with defaults', () => {
    const lines = formatFlagHelp(specs);
    expect(lines[0]).toMatch(/^ {6}--max-tokens N +tokens \(default: 10000\)$/);
    expect(lines[3]).toMatch(/--mode book\|unicode +mode \(default: book\)$/);
    expect(lines[4]).toMatch(/--json +json$/);
    expect(lines[5]).toMatch(/^ {2}-v, --verbose +talk more$/);
  });
});

describe('main() error handling', () => {
  const capture = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } },
    };
  };
  const failing = (error: Error) =>
    defineCommand({
      name: 'boom',
      summary: 'fails',
      flags: [{ name: 'n', type: 'int', default: 1, help: 'n' }] as const,
      run() {
        throw error;
      },
    });

  it('maps an unexpected error to exit 1 with one line and a --debug hint, and a stack trace with --debug', async () => {
    const { out, io } = capture();
    const code = await main(['boom'], { ...io, commands: [failing(new TypeError('x is not a function\nmore'))] });
    expect(code).toBe(EXIT_UNEXPECTED);
    expect(out.stderr).toBe(
      'rnn-scratch: unexpected error: x is not a function (this looks like a bug; run with --debug for the stack trace)\n',
    );
    const debug = capture();
    expect(await main(['boom', '--debug'], { ...debug.io, commands: [failing(new TypeError('bad'))] })).toBe(1);
    expect(debug.out.stderr).toMatch(/^rnn-scratch: unexpected error: bad\nTypeError: bad\n\s+at /);
  });

  it('maps a DataError (by name and code) to exit 3 and a UsageError to exit 2', async () => {
    const dataError = Object.assign(new Error('corpus file not found: x'), {
      name: 'DataError',
      code: 'FILE_NOT_FOUND',
    });
    const { out, io } = capture();
    expect(await main(['boom'], { ...io, commands: [failing(dataError)] })).toBe(EXIT_DATA);
    expect(out.stderr).toBe('rnn-scratch: corpus file not found: x\n');
    const usage = capture();
    expect(await main(['boom', '--n', 'x'], { ...usage.io, commands: [failing(new Error('unused'))] })).toBe(
      EXIT_USAGE,
    );
    expect(usage.out.stderr).toBe("rnn-scratch: --n expects an integer, got 'x'\n");
  });

  it('prints the command list for no arguments', async () => {
    const { out, io } = capture();
    expect(await main([], io)).toBe(0);
    expect(out.stdout).toMatch(/^Usage: rnn-scratch /m);
    expect(out.stdout).toMatch(/^ +corpus +/m);
  });
});
