import { defineProject } from 'vitest/config';

export default defineProject({
  // maxConcurrency: how many pages the browser test checks at a time (it.concurrent).
  test: { name: 'docs', include: ['test/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000, maxConcurrency: 3 },
});
