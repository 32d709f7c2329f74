import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from './free-port';

export interface TestRedis {
  url: string;
  port: number;
  /** Stops the server (a no-op for a REDIS_URL given from outside, which is flushed instead). */
  stop(): Promise<void>;
  /** Stops and restarts the same server on the same port with no data (for NOGROUP recovery tests). */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

async function waitForRedis(url: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server at ${url} did not start: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

function spawnRedis(port: number): ChildProcess {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  return child;
}

/**
 * A private redis-server on a free port, so parallel test files and runs never share data. With
 * REDIS_URL in the environment the given server is used instead: each jest worker takes its own
 * database number and flushes it first.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const given = process.env.TEST_REDIS_URL;
  if (given) {
    const db = Number(process.env.JEST_WORKER_ID ?? '1') % 16;
    const url = `${given.replace(/\/\d*$/, '')}/${db}`;
    const client = new Redis(url);
    await client.flushdb();
    client.disconnect();
    return { url, port: Number(new URL(url).port || 6379), stop: async () => undefined, restart: async () => {
      const c = new Redis(url);
      await c.flushdb();
      c.disconnect();
    } };
  }
  if (!redisServerAvailable()) {
    throw new Error('redis-server is not installed: apt-get install -y redis-server (or set REDIS_URL)');
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child = spawnRedis(port);
  await waitForRedis(url);
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return {
    url,
    port,
    stop: stopChild,
    restart: async () => {
      await stopChild();
      child = spawnRedis(port);
      await waitForRedis(url);
    },
  };
}
