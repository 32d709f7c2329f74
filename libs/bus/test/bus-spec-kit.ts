import Redis from 'ioredis';
import { SentenceMessage, message } from '@app/contracts';
import { BusLogger } from '../src/bus-logger';

/**
 * Helpers for the bus specs (which run against a real redis-server). Polling is on real time because the
 * thing being waited for happens inside Redis.
 */

/** Polls `probe` until `accept` holds; fails with the last value after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  timeoutMs = 3000,
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A client for the spec itself (seeding, asserting); silent about the errors of a deliberate restart. */
export function specClient(url: string): Redis {
  const client = new Redis(url, { retryStrategy: () => 20 });
  client.on('error', () => undefined);
  return client;
}

export function sentence(callId: string, seq: number, text = `sentence ${seq}`): SentenceMessage {
  return message('sentence', { callId, turnId: '1', seq, text, last: false, kind: 'user', at: 1_700_000_000_000 + seq });
}

export interface LogLine {
  level: keyof BusLogger;
  fields: Record<string, unknown>;
  message: string;
}

/** Keeps every log line, to assert that a failure was reported with its reason. */
export class RecordingBusLogger implements BusLogger {
  readonly lines: LogLine[] = [];
  debug(fields: object, message: string): void {
    this.lines.push({ level: 'debug', fields: fields as Record<string, unknown>, message });
  }
  info(fields: object, message: string): void {
    this.lines.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }
  warn(fields: object, message: string): void {
    this.lines.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }
  error(fields: object, message: string): void {
    this.lines.push({ level: 'error', fields: fields as Record<string, unknown>, message });
  }
  withMessage(message: string): LogLine[] {
    return this.lines.filter((line) => line.message === message);
  }
}

/** Number of clients blocked in a command on the server (a read loop sitting in XREAD BLOCK). */
export async function blockedClients(redis: Redis): Promise<number> {
  const info = await redis.info('clients');
  return Number(/blocked_clients:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Names of the connections currently open on the server (CLIENT LIST). */
export async function connectionNames(redis: Redis): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name !== '');
}

/** A deferred promise, to hold a handler until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
