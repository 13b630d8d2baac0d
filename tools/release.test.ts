// Releasing: `npm run release:version` (changeset version, then npm refreshes package-lock.json) must leave a
// lockfile that agrees with every package.json, so that `npm ci` keeps working after a version bump. Run on
// a copy of the manifests (package.json files, the lockfile, .changeset/) with one more changeset in it.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACES = ['packages/core', 'packages/backend-onnx', 'packages/backend-tfjs', 'packages/cli', 'apps/docs'];
const FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;
const temp = mkdtempSync(join(tmpdir(), 'rnn-scratch-release-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Where the lockfile disagrees with the package.json files (what makes `npm ci` refuse to install). */
function lockMismatches(dir: string): string[] {
  const lock = readJson(join(dir, 'package-lock.json'));
  const problems: string[] = [];
  for (const ws of ['', ...WORKSPACES]) {
    const manifest = readJson(join(dir, ws, 'package.json'));
    const entry = lock.packages[ws];
    if (!entry) {
      problems.push(`${ws || 'root'}: missing from the lockfile`);
      continue;
    }
    if (ws !== '' && entry.version !== manifest.version) {
      problems.push(`${ws}: version ${manifest.version}, lockfile ${entry.version}`);
    }
    for (const field of FIELDS) {
      const want = JSON.stringify(Object.entries(manifest[field] ?? {}).sort());
      const got = JSON.stringify(Object.entries(entry[field] ?? {}).sort());
      if (want !== got) problems.push(`${ws || 'root'}: ${field} differ (${want} vs ${got})`);
    }
  }
  // The packages of this repository resolve to its workspaces, never to the registry.
  for (const [path, entry] of Object.entries(lock.packages as Record<string, { link?: boolean }>)) {
    if (path.includes('node_modules/@rnn-scratch/') && !entry.link) problems.push(`${path}: not a workspace link`);
  }
  return problems;
}

/** A copy of what `changeset version` and `npm install --package-lock-only` read and write. */
function copyManifests(name: string): string {
  const dir = join(temp, name);
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) cpSync(join(root, file), join(dir, file));
  cpSync(join(root, '.changeset'), join(dir, '.changeset'), { recursive: true });
  for (const ws of WORKSPACES) {
    mkdirSync(join(dir, ws), { recursive: true });
    cpSync(join(root, ws, 'package.json'), join(dir, ws, 'package.json'));
  }
  // A release with a change to core: the four packages move together (`fixed`).
  writeFileSync(join(dir, '.changeset', 'test-release.md'), '---\n"@rnn-scratch/core": minor\n---\n\nA release.\n');
  return dir;
}

function env(): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) clean[k] = v;
  // The repository's tools (changeset) on the PATH; registry metadata from npm's cache when it has it.
  return {
    ...clean,
    PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
    npm_config_prefer_offline: 'true',
  };
}

describe('releasing', () => {
  it('the lockfile agrees with the package.json files now', () => {
    expect(lockMismatches(root)).toEqual([]);
  });

  it('changeset version alone leaves the lockfile behind (what release:version is for)', () => {
    const dir = copyManifests('plain');
    const r = spawnSync('changeset', ['version'], { cwd: dir, env: env(), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(lockMismatches(dir).some((p) => /version .*, lockfile/.test(p))).toBe(true);
  });

  it('npm run release:version bumps the four packages together and keeps the lockfile consistent', () => {
    const dir = copyManifests('scripted');
    const before = readJson(join(dir, 'packages/core/package.json')).version as string;
    const r = spawnSync('npm', ['run', 'release:version'], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const versions = WORKSPACES.slice(0, 4).map((ws) => readJson(join(dir, ws, 'package.json')).version);
    expect(new Set(versions).size).toBe(1);
    expect(versions[0]).not.toBe(before);
    expect(lockMismatches(dir)).toEqual([]);
  });
});
