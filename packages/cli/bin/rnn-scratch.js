#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, and before every `npm pack`).
import('../dist/main.js').then(
  (cli) => cli.run(),
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
      console.error(
        'rnn-scratch: the CLI is not built (dist/main.js is missing): in a clone of the rnn-scratch repository, ' +
          'run `npm run build` at its root; an installed @rnn-scratch/cli ships dist/, so reinstall it.',
      );
      process.exit(1);
    }
    throw err;
  },
);
