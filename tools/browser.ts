// Headless Chromium for the browser tests (Debian's `chromium`, driven by playwright-core), and a static
// file server on 127.0.0.1: a secure origin, so pages get WebGPU (on SwiftShader with WEBGPU_ARGS).

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

import { type Browser, chromium } from 'playwright-core';

/** Chromium's path: CHROMIUM_PATH, else `chromium` on the PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why there is no Chromium to drive, or undefined when there is one. */
export function missingChromium(path = findChromium()): string | undefined {
  if (path === undefined)
    return 'no Chromium: `command -v chromium` found nothing and CHROMIUM_PATH is not set (install Debian `chromium`, as .ci/run does, or set CHROMIUM_PATH)';
  return existsSync(path) ? undefined : `CHROMIUM_PATH=${path} does not exist`;
}

/** Chromium's switches for a quiet headless run. */
export const QUIET_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** WebGPU without a GPU: SwiftShader, a Vulkan driver that computes on the CPU (secure origins only). */
export const WEBGPU_ARGS: readonly string[] = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export function launchChromium(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: [...QUIET_ARGS, ...args] });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Serve `dir` on 127.0.0.1 (a free port); resolves to its base URL and the server. */
export async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname));
    if (path.endsWith('/')) path += 'index.html';
    try {
      const body = await readFile(join(dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, server };
}
