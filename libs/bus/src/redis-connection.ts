import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { BusLogger } from './bus-logger';
import { RedisClient } from './bus.types';
import { cappedBackoffDelayMs } from './retry-backoff';

export interface RedisConnectionOptions {
  /** Single-node URL (redis://[user:pass@]host:port[/db]); ignored when `clusterNodes` is given. */
  url?: string;
  /** Cluster seed nodes ("host:port" or URLs): the client is an ioredis Cluster when present and non-empty. */
  clusterNodes?: string[];
  /** Connection name, shown by CLIENT LIST: `<instance>:<role>`. */
  name: string;
  /** Where connection errors go; without one ioredis prints them to stderr itself. */
  logger?: BusLogger;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** TCP keepalive: finds a peer that vanished without a FIN (a NAT or LB dropping the flow) in seconds, not hours. */
export const TCP_KEEPALIVE_MS = 10_000;
/**
 * A blocking read is given up client-side this long after its own BLOCK timeout has passed without a
 * reply: the socket is a zombie. Generous, because a reply that arrives after we gave up leaves the
 * entries pending until XAUTOCLAIM finds them.
 */
export const BLOCKING_READ_GRACE_MS = 2_000;
/** Client-side cap for a blocking command without its own finite BLOCK (we issue none; a safety net). */
export const BLOCKING_READ_MAX_MS = 60_000;

/**
 * ioredis `retryStrategy`: always a number, so the client re-dials forever (a worker must come back by
 * itself after any Redis outage), with capped exponential backoff.
 */
export const reconnectForever = (attempt: number): number => cappedBackoffDelayMs(attempt);

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** A command connection: publishers, acks, claims, everything that must not wait behind a blocking read. */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  return connect(options, { connectionName: options.name, keepAlive: TCP_KEEPALIVE_MS });
}

/**
 * A connection for one read loop's blocking XREAD/XREADGROUP, never shared: a blocked connection
 * answers nothing else until the read returns. Commands fail at once when the connection drops
 * (`maxRetriesPerRequest: 0`) instead of being silently re-sent on the new connection: the read loop
 * owns the retry, with its own backoff and a fresh view of its streams and groups.
 */
export function createBlockingClient(options: RedisConnectionOptions): RedisClient {
  return connect(options, {
    connectionName: options.name,
    keepAlive: TCP_KEEPALIVE_MS,
    maxRetriesPerRequest: 0,
    blockingTimeout: BLOCKING_READ_MAX_MS,
    blockingTimeoutGrace: BLOCKING_READ_GRACE_MS,
  });
}

type NodeOptions = NonNullable<ClusterOptions['redisOptions']> & Pick<RedisOptions, 'maxRetriesPerRequest'>;

function connect(options: RedisConnectionOptions, nodeOptions: NodeOptions): RedisClient {
  const nodes = options.clusterNodes?.filter((node) => node.trim() !== '');
  const client: RedisClient =
    nodes && nodes.length > 0
      ? new Cluster(nodes, { clusterRetryStrategy: reconnectForever, redisOptions: nodeOptions })
      : new Redis(options.url ?? DEFAULT_REDIS_URL, { ...nodeOptions, retryStrategy: reconnectForever });
  const { logger } = options;
  if (logger) {
    client.on('error', (error: Error) => logger.warn({ connection: options.name, err: error }, 'redis connection error'));
  }
  return client;
}

/**
 * The node connection that serves `slot`: the client itself on a single node, the slot's master in a
 * cluster (undefined until the cluster knows its slots). Needed for per-connection commands such as
 * CLIENT ID / CLIENT UNBLOCK, which must reach the node where the blocked read sits.
 */
export function nodeConnectionFor(client: RedisClient, slot: number): Redis | undefined {
  if (!isCluster(client)) return client;
  const nodeKey = client.slots[slot]?.[0];
  if (!nodeKey) return undefined;
  return client.nodes('master').find((node) => `${node.options.host}:${node.options.port}` === nodeKey);
}

/**
 * Resolves once the client is ready for commands (at once if it is), rejects when the signal aborts.
 * A read loop waits for this before each read so that the CLIENT ID it sends along names a known node
 * connection (a cluster knows its slots only once ready) and so that an outage is sat out quietly.
 * A client that has ended for good resolves at once: its commands fail, and the caller's retry applies.
 */
export function whenReady(client: RedisClient, signal: AbortSignal): Promise<void> {
  if (client.status === 'ready' || client.status === 'end') return Promise.resolve();
  if (client.status === 'wait') client.connect().catch(() => undefined); // lazyConnect clients
  return new Promise((resolve, reject) => {
    const onReady = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      client.off('ready', onReady);
      reject(signal.reason);
    };
    client.once('ready', onReady);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
