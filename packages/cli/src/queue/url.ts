/**
 * The queue's address: `redis://[[USER]:PASSWORD@]HOST[:PORT]/NAME` (or `rediss://` for TLS). The password
 * never appears in what the CLI prints or writes: messages show the address as `redis://***@HOST:PORT/NAME`,
 * and `redact` removes it from any text that came from elsewhere (a client library's error). It may also
 * come from the environment (`RNN_SCRATCH_QUEUE_PASSWORD`), which keeps it out of the process list.
 */

import { isIP } from 'node:net';

/** A queue on a Redis server. */
export interface QueueTarget {
  /** The queue's name (BullMQ's): letters, digits, `.`, `_`, `-`. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** `rediss://`: connect with TLS. */
  readonly tls: boolean;
  /** The address as shown in messages: without the password. */
  readonly shown: string;
}

export const QUEUE_PASSWORD_ENV = 'RNN_SCRATCH_QUEUE_PASSWORD';
const NAME = /^[A-Za-z0-9._-]+$/;
const EXAMPLE = 'redis://HOST:PORT/NAME, e.g. redis://127.0.0.1:6379/sweeps';

/** Why `raw` is not a queue address (completing "--queue ..."), or undefined when it is one. */
export function queueUrlProblem(raw: string): string | undefined {
  try {
    parseQueueUrl(raw);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Parse a queue address; throws an Error whose message never holds the password. */
export function parseQueueUrl(raw: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`expects ${EXAMPLE}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`expects a redis:// or rediss:// address (${EXAMPLE}), got a ${url.protocol}// one`);
  }
  const tls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new Error(`needs a host: ${EXAMPLE}`);
  const port = url.port === '' ? 6379 : Number(url.port);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? env[QUEUE_PASSWORD_ENV] || undefined : decodeURIComponent(url.password);
  const shownHost = `${url.protocol}//${username !== undefined || password !== undefined ? `${username ?? ''}${password !== undefined ? ':***' : ''}@` : ''}${url.host}`;
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (name === '') throw new Error(`needs a queue name after the address: ${shownHost}/NAME`);
  if (!NAME.test(name)) {
    throw new Error(`queue name '${name}' may only have letters, digits, '.', '_' and '-' (${shownHost}/NAME)`);
  }
  if (url.search !== '' || url.hash !== '') throw new Error(`takes no ?query or #fragment: ${EXAMPLE}`);
  return { name, host, port, username, password, tls, shown: `${shownHost}/${name}` };
}

/** The ioredis options for a target (without retry policy, which callers choose). */
export function redisOptions(target: QueueTarget): Record<string, unknown> {
  return {
    host: target.host,
    port: target.port,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    // TLS checks the server's certificate against Node's CAs (add a private one with NODE_EXTRA_CA_CERTS).
    ...(target.tls ? { tls: isIP(target.host) ? {} : { servername: target.host } } : {}),
  };
}

/** `text` with the target's password (and any `scheme://user:password@` credentials) replaced by `***`. */
export function redact(text: string, target?: QueueTarget): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s@/]+@/gi, '$1***@');
  if (target?.password) out = out.split(target.password).join('***');
  return out;
}
