/**
 * What a CLI command is: a name, one line of summary, its flags (as data, see args.ts) and a `run` function.
 * `main.ts` keeps the table of commands; adding one (train, predict, bench, backends, ...) is one new file in
 * `commands/` plus one line in that table.
 */

import type { FlagSpec, FlagValues } from './args.js';

/** Where a command writes. The real CLI passes process.stdout / process.stderr; tests may pass buffers. */
export interface Output {
  write(text: string): unknown;
}

export interface CommandContext {
  stdout: Output;
  stderr: Output;
  /** `--debug` was given: show stack traces and extra detail. */
  debug: boolean;
}

export interface Command<S extends readonly FlagSpec[] = readonly FlagSpec[]> {
  name: string;
  /** One line for the command list in `rnn-scratch --help`. */
  summary: string;
  /** A longer description for `rnn-scratch <name> --help` (optional). */
  description?: string;
  flags: S;
  /**
   * Do the work. Throw a `UsageError` for a bad combination of flags and a core `DataError` for bad input
   * data; main.ts turns either into a one-line message and an exit code. Return an exit code, or nothing
   * for 0.
   */
  run(flags: FlagValues<S>, context: CommandContext): Promise<number | void> | number | void;
}

/**
 * Declare a command with its flag types inferred from the `flags` list, so that `run` receives e.g.
 * `{ batchSize: number; mode: 'book' | 'unicode'; file: string | undefined }`.
 */
export function defineCommand<const S extends readonly FlagSpec[]>(command: Command<S>): Command {
  return command as unknown as Command;
}
