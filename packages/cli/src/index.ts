// @rnn-scratch/cli: the `rnn-scratch` command line, also usable as a library (e.g. to run it in-process).
export { commands, main, run, version } from './main.js';
export {
  classify,
  CliError,
  EXIT_BACKEND,
  EXIT_CHECK_FAILED,
  EXIT_CHECKPOINT,
  EXIT_CODES,
  EXIT_DATA,
  EXIT_DIVERGED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_QUEUE,
  EXIT_RUNS_FAILED,
  EXIT_SAVE_FAILED,
  EXIT_UNEXPECTED,
  EXIT_USAGE,
} from './errors.js';
export { checkOutDir, loadCheckpoint, saveCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
export {
  BACKEND_PACKAGES,
  backendError,
  checkBackendSpec,
  loadBackends,
  openBackend,
  type BackendPackage,
  type PackageLoad,
} from './backends.js';
export { lineChartSvg, perplexitySvg, sparkline, type Series } from './plot.js';
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
