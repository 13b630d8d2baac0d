// Where the docs live, for the generator and its tests.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const docsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(docsRoot, '../..');
export const generatedDir = join(docsRoot, 'generated');
