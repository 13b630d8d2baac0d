#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`).
import('../dist/main.js').then(
  (cli) => cli.run(),
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
      console.error('rnn-scratch: the CLI is not built yet; run `npm run build` at the repository root first.');
      process.exit(1);
    }
    throw err;
  },
);
