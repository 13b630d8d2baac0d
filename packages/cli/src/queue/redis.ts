/**
 * Reaching the queue: BullMQ and ioredis are optional dependencies of the CLI, loaded only by `sweep --queue`
 * and `worker` (a missing one is one line with exit code 9, like a missing backend); a first connection that
 * fails fast says why (not reachable, a password refused or missing, TLS) in one line without the password.
 */

import { firstLine } from '@rnn-scratch/core';

import { CliError, EXIT_QUEUE } from '../errors.js';
import { QUEUE_PASSWORD_ENV, redact, redisOptions, type QueueTarget } from './url.js';

export type BullMQ = typeof import('bullmq');
export type RedisClient = import('ioredis').Redis;
type RedisClass = typeof import('ioredis').Redis;

let libs: Promise<{ bullmq: BullMQ; Redis: RedisClass }> | undefined;

/** BullMQ and ioredis, imported on first use. */
export function queueLibs(): Promise<{ bullmq: BullMQ; Redis: RedisClass }> {
  libs ??= (async () => {
    const load = async <T>(pkg: string, imp: () => Promise<T>): Promise<T> => {
      try {
        return await imp();
      } catch (err) {
        throw new CliError(
          EXIT_QUEUE,
          `the queue needs the package ${pkg}, which is not installed (${firstLine(err)}); install it with: npm install bullmq ioredis (add -g for a global rnn-scratch)`,
          { cause: err },
        );
      }
    };
    const bullmq = await load('bullmq', () => import('bullmq'));
    const { Redis } = await load('ioredis', () => import('ioredis'));
    return { bullmq, Redis };
  })();
  return libs;
}

/** The CLI's one-line error for a queue that cannot be used. */
export function queueError(target: QueueTarget, err: unknown): CliError {
  const text = redact(firstLine(err) || String(err), target);
  let why: string;
  if (/NOAUTH/i.test(text)) {
    why = `it needs a password: give it in the address (redis://:PASSWORD@HOST:PORT/NAME) or in ${QUEUE_PASSWORD_ENV}`;
  } else if (/WRONGPASS|invalid password|invalid username-password/i.test(text)) {
    why = 'it refused the user name or password';
  } else if (/certificate|SSL|TLS/i.test(text)) {
    why = `TLS: ${text} (a certificate from a private CA: give the CA with NODE_EXTRA_CA_CERTS=ca.pem)`;
  } else if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN/.test(text)) {
    why = `${text}; is redis-server running there?`;
  } else {
    why = text;
  }
  return new CliError(EXIT_QUEUE, `cannot use the queue at ${target.shown}: ${why}`, { cause: err });
}

/**
 * A Redis client that has answered a PING. `persistent` clients reconnect after a lost connection (and fail
 * a command after a few tries); the first connection fails at once either way.
 */
export async function connectRedis(target: QueueTarget, persistent = false): Promise<RedisClient> {
  const { Redis } = await queueLibs();
  let lastError: unknown;
  let connected = false;
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: persistent ? 3 : 1,
    enableOfflineQueue: persistent,
    retryStrategy: (times: number) => (connected && persistent ? Math.min(times * 200, 2000) : null),
  });
  client.on('error', (err: unknown) => (lastError = err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw queueError(target, lastError ?? err);
  }
  connected = true;
  return client;
}

/** The options BullMQ's classes get: the address and a retry policy that rides out short outages. */
export function bullConnection(target: QueueTarget): Record<string, unknown> {
  return {
    ...redisOptions(target),
    maxRetriesPerRequest: null,
    connectTimeout: 5000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}
