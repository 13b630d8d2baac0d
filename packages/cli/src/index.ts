// @rnn-scratch/cli: the `rnn-scratch` command line, also usable as a library (e.g. to run it in-process).
export { commands, EXIT_DATA, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, main, run, version } from './main.js';
export {
  camelCase,
  editDistance,
  formatFlagHelp,
  parseArgs,
  suggest,
  UsageError,
  type FlagSpec,
  type FlagType,
  type FlagValues,
  type ParsedArgs,
} from './args.js';
export { defineCommand, type Command, type CommandContext, type Output } from './command.js';
