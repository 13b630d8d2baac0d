// `npm run docs`: builds what the docs site needs and serves it on 127.0.0.1, printing the address of the
// Chinese home page and of the English one. Ctrl-C stops it (exit code 0).
//
//   npm run docs [-- --port N]      (or DOCS_PORT=N; with neither, 5173 or the next free port after it)
//
// 1. The workspace packages the pages are computed from, with turbo (cached: nothing to do once built).
// 2. The generated pages (scripts/generate.ts -> generated/), when missing or stale. The generator takes a
//    while, so it runs only when the hash of its inputs (its own code, the packages' sources and built code,
//    the corpus, BENCHMARKS.md) or of the files it wrote differs from the last run's, which is kept in
//    .vitepress/cache/. It rewrites only the files whose content changed.
// 3. The site, with turbo's `build` task (`vitepress build`): cached by the hash of the docs' files and of
//    DOCS_BASE, so an unchanged site is not built again.
// 4. .vitepress/dist, served by a small static server under DOCS_BASE ('/' unless set).
//
// The port is taken before anything is built, so a busy port fails at once; until the site is ready, the
// server answers 503. Every failure is one line on stderr and exit code 1.

import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { docsBase } from '../.vitepress/base.ts';
import { docsRoot, generatedDir, repoRoot } from './paths.ts';

const HOST = '127.0.0.1';
const DEFAULT_PORT = 5173;
/** How many ports after the default to try when it is busy (an explicit port is never replaced). */
const PORT_TRIES = 20;
const distDir = join(docsRoot, '.vitepress', 'dist');
const stampFile = join(docsRoot, '.vitepress', 'cache', 'generated-inputs.json');
const turboBin = join(repoRoot, 'node_modules', '.bin', 'turbo');

const USAGE = `Usage: npm run docs [-- --port N]

Builds the docs site (the packages, the generated pages when stale, the VitePress build) and serves it on
${HOST}, printing the addresses of the Chinese and the English home page. Ctrl-C stops it.

  --port N   the port (also DOCS_PORT=N); default ${DEFAULT_PORT}, or the next free port after it
  DOCS_BASE  the path the site is built and served under (default /)`;

class Failure extends Error {}

function fail(message: string): never {
  throw new Failure(message);
}

function say(message: string): void {
  console.log(`docs: ${message}`);
}

// ---------------------------------------------------------------------------------------------------
// Options

interface Options {
  /** The port asked for, and whether it was asked for (else the default, which may move on when busy). */
  port: number;
  explicit: boolean;
  base: string;
}

function parsePort(text: string, where: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) fail(`${where}: '${text}' is not a port number (0-65535)`);
  return port;
}

export function parseOptions(argv: readonly string[]): Options | 'help' {
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const inline = /^--port=(.*)$/.exec(arg);
    if (inline) port = parsePort(inline[1], '--port');
    else if (arg === '--port') {
      if (i + 1 >= argv.length) fail('--port needs a number');
      port = parsePort(argv[++i], '--port');
    } else fail(`unknown option '${arg}' (npm run docs -- --help lists the options)`);
  }
  const fromEnv = process.env.DOCS_PORT;
  if (port === undefined && fromEnv !== undefined && fromEnv !== '') port = parsePort(fromEnv, 'DOCS_PORT');
  let base: string;
  try {
    base = docsBase();
  } catch (err) {
    fail((err as Error).message);
  }
  return { port: port ?? DEFAULT_PORT, explicit: port !== undefined, base };
}

// ---------------------------------------------------------------------------------------------------
// Steps 1 and 3: turbo

let child: ChildProcess | undefined;

/** Runs turbo with its output kept back; on failure, shows the output and fails with `what`. */
async function turbo(args: string[], what: string): Promise<void> {
  if (!existsSync(turboBin)) fail(`${relative(repoRoot, turboBin)} is missing: run \`npm ci\` first`);
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolveCode, reject) => {
    child = spawn(turboBin, ['run', 'build', '--output-logs=errors-only', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => output.push(d));
    child.stderr?.on('data', (d: Buffer) => output.push(d));
    child.on('error', reject);
    child.on('close', (c) => resolveCode(c));
  });
  child = undefined;
  if (code !== 0) {
    process.stderr.write(Buffer.concat(output));
    fail(`${what} failed (turbo's output above)`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Step 2: the generator, when its inputs or outputs changed

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under `path` (or `path` itself), skipping node_modules. */
function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules')
    .flatMap((e) => filesUnder(join(path, e.name)));
}

/** What the generator reads: its code, the packages (sources, built code, bin, corpus), BENCHMARKS.md. */
function generatorInputs(): string {
  const packages = readdirSync(join(repoRoot, 'packages')).map((p) => join(repoRoot, 'packages', p));
  const roots = [
    join(docsRoot, 'scripts'),
    join(docsRoot, 'snippets'),
    join(repoRoot, 'BENCHMARKS.md'),
    ...packages.flatMap((p) => ['src', 'dist', 'bin', 'data', 'package.json'].map((f) => join(p, f))),
  ];
  const hash = createHash('sha256');
  const files = roots.flatMap(filesUnder).filter((f) => f !== fileURLToPath(import.meta.url)); // not this server
  for (const file of files.sort()) {
    hash.update(`${relative(repoRoot, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export interface Stamp {
  inputs: string;
  outputs: Record<string, string>;
}

function readStamp(): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** Why the generated pages must be computed again, or undefined when they are up to date. */
export function staleness(stamp: Stamp | undefined, inputs: string, dir = generatedDir): string | undefined {
  if (stamp === undefined) return 'not checked on this machine yet';
  if (stamp.inputs !== inputs) return 'the code they are computed from changed';
  for (const [name, hash] of Object.entries(stamp.outputs)) {
    const file = join(dir, name);
    if (!existsSync(file)) return `${name} is missing`;
    if (sha256(readFileSync(file)) !== hash) return `${name} was changed`;
  }
  return undefined;
}

async function generatedPages(): Promise<void> {
  const inputs = generatorInputs();
  const why = staleness(readStamp(), inputs);
  if (why === undefined) {
    say('generated pages: up to date');
    return;
  }
  say(`generated pages: computing them with scripts/generate.ts (${why})…`);
  // Imported only now: the generator imports the packages that step 1 has just built.
  const { generate, writeGenerated } = await import('./generate.ts');
  let files: Record<string, string>;
  try {
    files = await generate();
  } catch (err) {
    fail(`the generator failed: ${(err as Error).message} (npm run gen -w @rnn-scratch/docs shows the whole error)`);
  }
  const changed = writeGenerated(files);
  say(
    changed.length === 0
      ? `generated pages: all ${Object.keys(files).length} were up to date`
      : `generated pages: wrote ${changed.join(', ')}`,
  );
  const outputs = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)]));
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify({ inputs, outputs } satisfies Stamp, null, 1)}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Step 4: the static server

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml',
};

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

export type Answer = { file: string; status: number } | { redirect: string } | { status: number };

/** What to answer for a request path, as VitePress's own preview does: `x` may be `x.html`, a folder its index. */
export function answer(urlPath: string, base: string, dist = distDir): Answer {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return { status: 400 };
  }
  if (base !== '/' && (path === '/' || `${path}/` === base)) return { redirect: base };
  const notFound = { file: join(dist, '404.html'), status: 404 };
  if (!path.startsWith(base)) return notFound;
  const rel = normalize(path.slice(base.length));
  if (rel.split(sep).includes('..')) return { status: 400 };
  const full = join(dist, rel);
  if (path.endsWith('/'))
    return isFile(join(full, 'index.html')) ? { file: join(full, 'index.html'), status: 200 } : notFound;
  if (isFile(full)) return { file: full, status: 200 };
  if (isFile(`${full}.html`)) return { file: `${full}.html`, status: 200 };
  if (isFile(join(full, 'index.html'))) return { redirect: `${urlPath}/` };
  return notFound;
}

function handler(base: string, ready: () => boolean) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!ready()) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('The docs are being built; reload in a moment.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let url: URL;
    let a: Answer;
    try {
      url = new URL(req.url ?? '/', `http://${HOST}`);
      a = answer(url.pathname, base);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if ('redirect' in a) {
      res.writeHead(302, { location: `${a.redirect}${url.search}` }).end();
    } else if (!('file' in a) || !isFile(a.file)) {
      res.writeHead(a.status === 200 ? 404 : a.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(a.status === 400 ? 'Bad request\n' : 'Not found\n');
    } else {
      const type = TYPES[extname(a.file)] ?? 'application/octet-stream';
      const html = type.startsWith('text/html');
      res.writeHead(a.status, {
        'content-type': type,
        'content-length': statSync(a.file).size,
        // Pages change with every build; hashed assets never do.
        'cache-control': html ? 'no-cache' : 'public, max-age=3600',
      });
      if (req.method === 'HEAD') res.end();
      else
        createReadStream(a.file)
          .on('error', () => res.destroy())
          .pipe(res);
    }
  };
}

/** Listens on HOST: on `port`, or (not explicit) on the first free one of the next few. */
async function listen(server: Server, options: Options): Promise<number> {
  const tries = options.explicit ? 1 : PORT_TRIES;
  for (let i = 0; i < tries; i++) {
    const port = options.port + i;
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolveListen) => {
      const onError = (err: NodeJS.ErrnoException) => resolveListen(err);
      server.once('error', onError);
      server.listen(port, HOST, () => {
        server.off('error', onError);
        resolveListen(undefined);
      });
    });
    if (error === undefined) {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    }
    if (error.code === 'EACCES') fail(`port ${port} on ${HOST} needs privileges; choose another with --port N`);
    if (error.code !== 'EADDRINUSE') fail(`cannot listen on ${HOST}:${port}: ${error.message}`);
  }
  fail(
    options.explicit
      ? `port ${options.port} on ${HOST} is in use; choose another with --port N`
      : `ports ${options.port}-${options.port + tries - 1} on ${HOST} are all in use; choose one with --port N`,
  );
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  let ready = false;
  const server = createServer(handler(options.base, () => ready));
  const stop = () => {
    child?.kill('SIGTERM');
    server.close();
    server.closeAllConnections();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const port = await listen(server, options);
  say('building the packages the pages are computed from…');
  await turbo(['--filter=@rnn-scratch/docs^...'], 'building the packages');
  await generatedPages();
  say('building the site with VitePress (unless it is up to date)…');
  await turbo(['--filter=@rnn-scratch/docs'], 'building the site');
  if (!isFile(join(distDir, 'index.html')) || !isFile(join(distDir, 'en', 'index.html'))) {
    fail(`the build wrote no home page to ${relative(repoRoot, distDir)}`);
  }
  ready = true;
  const root = `http://${HOST}:${port}${options.base}`;
  say(`serving ${relative(repoRoot, distDir)}; Ctrl-C stops`);
  console.log(`  中文     ${root}`);
  console.log(`  English  ${root}en/`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`docs: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
