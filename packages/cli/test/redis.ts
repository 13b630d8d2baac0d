// A private redis-server for the queue tests (127.0.0.1, a free port, its own temporary folder, no
// persistence), and worker processes of the real CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BIN } from './helpers.js';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT/NAME` (rediss:// with TLS), with `:password@` when given. */
  url(name: string, password?: string): string;
  /** A redis-cli command against this server (password and TLS included); its stdout, trimmed. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

export interface Tls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startRedis(options: { password?: string; tls?: Tls; port?: number } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-scratch-redis-'));
  const port = options.port ?? (await freePort());
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  if (options.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no');
    args.push(
      '--tls-cert-file',
      options.tls.cert,
      '--tls-key-file',
      options.tls.key,
      '--tls-ca-cert-file',
      options.tls.ca,
    );
  } else {
    args.push('--port', String(port));
  }
  if (options.password) args.push('--requirepass', options.password);
  const server = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`redis-server did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const scheme = options.tls ? 'rediss' : 'redis';
  return {
    port,
    url: (name, password) => `${scheme}://${password ? `:${password}@` : ''}127.0.0.1:${port}/${name}`,
    cli: (...command) => {
      const auth = options.password ? ['--no-auth-warning', '-a', options.password] : [];
      const tls = options.tls ? ['--tls', '--cacert', options.tls.ca] : [];
      const r = spawnSync('redis-cli', ['-p', String(port), ...tls, ...auth, ...command], { encoding: 'utf8' });
      return r.stdout.trim();
    },
    stop: async () => {
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed CA and a certificate for 127.0.0.1, made with openssl. */
export function makeTls(dir: string): Tls {
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=rnn-scratch test CA',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

/** A worker process of the real CLI, its output collected (its log is on stderr). */
export class Worker {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(cwd: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [BIN, 'worker', ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    this.child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** Lines of its log (stderr) matching `re`. */
  lines(re: RegExp): string[] {
    return this.stderr.split('\n').filter((l) => re.test(l));
  }

  /** Wait until a line of its log matches `re` (at most `ms`). */
  async waitFor(re: RegExp, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.lines(re).length === 0) {
      if (Date.now() > deadline) throw new Error(`worker never printed ${re}: ${this.stdout}${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`worker exited: ${this.stdout}${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ctrl-C, and wait for it to exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }
}
