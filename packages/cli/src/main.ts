/**
 * The `rnn-scratch` command line: global flags, a table of commands, and one place that turns every error
 * into a one-line message and an exit code.
 *
 * Exit codes (errors.ts): 0 success, 1 unexpected error (a bug: run with --debug for the stack trace), 2 usage
 * error (unknown command or flag, bad flag value), 3 data or input error (missing/empty file, corpus too short,
 * ..., an unwritable --out), 4 checkpoint error, 5 backend unavailable, 6 training diverged, 7 checkpoint not saved
 * (no space, read-only, no permission), 8 some runs of a sweep failed, 9 the queue cannot be used, 130 interrupted
 * (Ctrl-C).
 *
 * `bin/rnn-scratch.js` imports this module and calls `run()`. Running `node dist/main.js` directly works too.
 */

import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { firstLine } from '@rnn-scratch/core';

import { formatFlagHelp, parseArgs, suggest, UsageError, type FlagSpec } from './args.js';
import type { Command, CommandContext, Output } from './command.js';
import { backendsCommand } from './commands/backends.js';
import { benchCommand } from './commands/bench.js';
import { corpusCommand } from './commands/corpus.js';
import { exportCommand } from './commands/export.js';
import { predictCommand } from './commands/predict.js';
import { sweepCommand } from './commands/sweep.js';
import { workerCommand } from './commands/worker.js';
import { trainCommand } from './commands/train.js';
import { classify, EXIT_CODES, EXIT_OK } from './errors.js';
import { redact } from './queue/url.js';

/** Every command, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [
  trainCommand,
  predictCommand,
  sweepCommand,
  workerCommand,
  exportCommand,
  backendsCommand,
  benchCommand,
  corpusCommand,
];

/** The exit-code table, as help lines. */
function exitCodeHelp(): string[] {
  return ['Exit codes:', ...EXIT_CODES.map(([code, meaning]) => `  ${String(code).padStart(3)}  ${meaning}`)];
}

/** Flags every command accepts, in addition to its own. */
const commonFlags = [
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
  { name: 'debug', type: 'boolean', help: 'show stack traces on errors' },
] as const satisfies readonly FlagSpec[];

/** Flags accepted before the command name. */
const globalFlags = [
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
  { name: 'version', short: 'V', type: 'boolean', help: 'print the version' },
  { name: 'debug', type: 'boolean', help: 'show stack traces on errors' },
] as const satisfies readonly FlagSpec[];

/** The version in packages/cli/package.json (one folder above both src/ and dist/). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function globalHelp(table: readonly Command[]): string {
  const width = Math.max(...table.map((c) => c.name.length), 4) + 3;
  return [
    `rnn-scratch ${version()}: the character-level RNN of Dive into Deep Learning 8.5, from scratch`,
    '',
    'Usage: rnn-scratch [--debug] <command> [options]',
    '',
    'Commands:',
    ...table.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}show the help of a command: rnn-scratch help <command>`,
    '',
    'Options:',
    ...formatFlagHelp(globalFlags),
    '',
    "Run 'rnn-scratch <command> --help' for the options of a command.",
    '',
    ...exitCodeHelp(),
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `Usage: rnn-scratch ${command.name} [options]`,
    '',
    command.description ?? command.summary,
    '',
    'Options:',
    ...formatFlagHelp([...command.flags, ...commonFlags]),
    '',
    ...exitCodeHelp(),
    '',
  ].join('\n');
}

function findCommand(name: string, table: readonly Command[]): Command {
  const command = table.find((c) => c.name === name);
  if (command) return command;
  const names = [...table.map((c) => c.name), 'help'];
  const guess = suggest(name, names);
  throw new UsageError(
    guess
      ? `unknown command '${name}'; did you mean '${guess}'?`
      : `unknown command '${name}' (commands: ${names.join(', ')})`,
  );
}

/**
 * Parse the flags before the command name. A command's own flag put there by mistake
 * (`rnn-scratch --json corpus`) gets a message that says where it belongs.
 */
function parseGlobalFlags(args: readonly string[], commandName: string | undefined, table: readonly Command[]) {
  try {
    return parseArgs(args, globalFlags, 'rnn-scratch');
  } catch (err) {
    const command = table.find((c) => c.name === commandName);
    const misplaced = args.find((arg) => command?.flags.some((f) => arg.split('=')[0] === `--${f.name}`));
    if (command && misplaced) {
      const example = `rnn-scratch ${command.name} ${misplaced}`;
      throw new UsageError(
        `${misplaced} is an option of '${command.name}': put it after the command, as in '${example}'`,
      );
    }
    throw err;
  }
}

/** Where `main` writes, and (for tests) which command table it uses. */
export interface MainIO {
  stdout?: Output;
  stderr?: Output;
  commands?: readonly Command[];
}

/**
 * Run the CLI on `argv` (without `node` and the script path) and return the exit code. Never throws:
 * every error becomes `rnn-scratch: <message>` on stderr.
 */
export async function main(argv: readonly string[], io: MainIO = {}): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr, commands: table = commands } = io;
  // --debug may appear anywhere before `--`; look for it first so even a usage error can show its stack.
  const end = argv.indexOf('--');
  const debug = (end === -1 ? argv : argv.slice(0, end)).includes('--debug');
  try {
    // Global flags come before the command name.
    let i = 0;
    while (i < argv.length && argv[i].startsWith('-')) i++;
    const { flags: global } = parseGlobalFlags(argv.slice(0, i), argv[i], table);
    if (global.version) {
      stdout.write(`${version()}\n`);
      return EXIT_OK;
    }
    const name = argv[i];
    if (global.help || name === undefined) {
      stdout.write(globalHelp(table));
      return EXIT_OK;
    }
    const rest = argv.slice(i + 1);

    if (name === 'help') {
      if (rest.length > 1)
        throw new UsageError(`'rnn-scratch help' takes at most one command name, got ${rest.length}`);
      stdout.write(rest.length === 0 ? globalHelp(table) : commandHelp(findCommand(rest[0], table)));
      return EXIT_OK;
    }

    const command = findCommand(name, table);
    const where = `rnn-scratch ${command.name}`;
    const { flags, positionals } = parseArgs(rest, [...command.flags, ...commonFlags], where);
    if ((flags as { help?: boolean }).help) {
      stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    if (positionals.length > 0) {
      throw new UsageError(`unexpected argument '${positionals[0]}' for '${where}' (see '${where} --help')`);
    }
    const context: CommandContext = { stdout, stderr, debug };
    const code = await command.run(flags, context);
    return code ?? EXIT_OK;
  } catch (err) {
    const { code, expected } = classify(err);
    const hint = expected || debug ? '' : ' (this looks like a bug; run with --debug for the stack trace)';
    // Exactly one line, whatever the error carries after its first; never a password from an address.
    const message = redact(firstLine(err) || (err instanceof Error ? err.name : 'error'));
    stderr.write(`rnn-scratch: ${expected ? '' : 'unexpected error: '}${message}${hint}\n`);
    if (debug && err instanceof Error && err.stack) stderr.write(`${redact(err.stack)}\n`);
    return code;
  }
}

/** Entry point for the bin script: run on process.argv and set the process exit code. */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // `rnn-scratch corpus | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    throw err;
  });
  process.exitCode = await main(argv);
}

/**
 * Also run when this file itself is the script (`node dist/main.js ...`). Compare real paths, so that a
 * symlinked path to this file still counts; the usual entry, bin/rnn-scratch.js, calls run() itself.
 */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void run();
