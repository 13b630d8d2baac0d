// The site can live under a path other than '/': DOCS_BASE sets VitePress's base (normalised to
// '/<path>/'), the favicon follows it, and the publish workflow (.github/workflows/docs.yml) runs CI's build
// with DOCS_BASE set and uploads the folder that build writes.

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { docsBase } from '../.vitepress/base';
import { distDir, repoRoot } from './helpers';

async function loadConfig(base: string | undefined) {
  if (base === undefined) vi.stubEnv('DOCS_BASE', undefined);
  else vi.stubEnv('DOCS_BASE', base);
  vi.resetModules();
  return (await import('../.vitepress/config.mts')).default;
}

describe('the base path (DOCS_BASE)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is normalised to /<path>/, and / when unset or empty', () => {
    expect(docsBase(undefined)).toBe('/');
    expect(docsBase('')).toBe('/');
    expect(docsBase('/')).toBe('/');
    expect(docsBase('rnn-scratch')).toBe('/rnn-scratch/');
    expect(docsBase('/rnn-scratch')).toBe('/rnn-scratch/');
    expect(docsBase('/a/b/')).toBe('/a/b/');
  });

  it('refuses what is not a path', () => {
    expect(() => docsBase('https://example.org/x/')).toThrow(/not a URL path/);
    expect(() => docsBase('/a b/')).toThrow(/not a URL path/);
  });

  it('is the base of the VitePress config, favicon included', async () => {
    const favicon = (config: Awaited<ReturnType<typeof loadConfig>>) =>
      config.head?.find(([tag, attrs]) => tag === 'link' && attrs.rel === 'icon')?.[1].href;
    const published = await loadConfig('/rnn-scratch/');
    expect(published.base).toBe('/rnn-scratch/');
    expect(favicon(published)).toBe('/rnn-scratch/favicon.svg');
    const local = await loadConfig(undefined);
    expect(local.base).toBe('/');
    expect(favicon(local)).toBe('/favicon.svg');
  });
});

describe('the publish workflow', () => {
  const workflow = readFileSync(join(repoRoot, '.github/workflows/docs.yml'), 'utf8');
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts;

  it('installs with npm ci and runs the build CI runs (npm test starts with it), with DOCS_BASE set', () => {
    expect(scripts.test.startsWith(`${scripts.build} `), 'npm test no longer starts with npm run build').toBe(true);
    const steps = workflow.split(/\n\s+- /);
    const install = steps.findIndex((s) => /^(?:name: .*\n\s+)?run: npm ci\s*$/.test(s));
    const build = steps.findIndex((s) => /^(?:name: .*\n\s+)?run: npm run build\n/.test(s));
    expect(install, 'a step `run: npm ci`').toBeGreaterThan(0);
    expect(build, 'a step `run: npm run build`').toBeGreaterThan(install);
    expect(steps[build]).toMatch(/\n\s+env:\n\s+DOCS_BASE: \S+/);
  });

  it('uploads the folder the docs build writes, and deploys it to Pages', () => {
    const uploaded = /uses: actions\/upload-pages-artifact@v\d+\n\s+with:\n\s+path: (\S+)/.exec(workflow)?.[1];
    expect(uploaded).toBe(relative(repoRoot, distDir));
    expect(workflow).toMatch(/uses: actions\/deploy-pages@v\d+/);
    expect(workflow).toMatch(/pages: write/);
    expect(workflow).toMatch(/id-token: write/);
  });
});
