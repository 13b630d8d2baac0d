import { defineProject } from 'vitest/config';

// Only the tests next to this file; the fixtures under fixtures/ are run by those tests, not here.
export default defineProject({
  test: { name: 'tools', include: ['*.test.ts'], testTimeout: 60_000 },
});
