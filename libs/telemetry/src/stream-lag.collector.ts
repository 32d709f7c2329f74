import { Gauge, Registry } from 'prom-client';
import type { BusLogger, RedisClient } from '@app/bus';
import { redisErrorCode } from '@app/bus/redis-errors';
import type { Clock } from '@app/clock';

/**
 * How long one scrape waits for the XINFO replies. Prometheus's default scrape timeout is 10 s; an
 * unreachable Redis must cost the scrape well under that, so the other metrics still arrive (with the
 * stream gauges empty for that scrape rather than stale).
 */
export const STREAM_LAG_TIMEOUT_MS = 1_000;

/** One consumer group of one stream, as XINFO GROUPS reports it. */
export interface StreamGroupInfo {
  stream: string;
  group: string;
  /** Entries delivered to the group's consumers and not acknowledged yet. */
  pending: number;
  /** Entries not delivered to the group yet; undefined before Redis 7 or when Redis cannot tell. */
  lag?: number;
}

export interface StreamLagSource {
  redis: RedisClient;
  /** The streams to report, read at each scrape (the tts-worker's shard streams change at run time). */
  streams: () => readonly string[];
  clock: Clock;
  logger?: BusLogger;
  timeoutMs?: number;
}

/**
 * XINFO GROUPS of a stream, or [] when the stream does not exist yet. A missing key answers a generic
 * `ERR`, so whether the key exists is asked rather than the error's prose read.
 */
export async function readStreamGroups(redis: RedisClient, stream: string): Promise<StreamGroupInfo[]> {
  let reply: unknown;
  try {
    reply = await redis.xinfo('GROUPS', stream);
  } catch (error) {
    if (redisErrorCode(error) === 'ERR' && (await redis.exists(stream)) === 0) return [];
    throw error;
  }
  return (reply as unknown[][]).map((flat) => {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
    const lag = info.lag === null || info.lag === undefined ? undefined : Number(info.lag);
    return { stream, group: String(info.name), pending: Number(info.pending), lag };
  });
}

/**
 * `redis_stream_group_lag` and `redis_stream_pending`, filled at scrape time by one XINFO GROUPS per
 * stream. Both gauges' collects share one read (prom-client collects them concurrently). A stream that
 * fails is left out of that scrape and logged; the series of a group that is gone disappear.
 */
export function registerStreamGroupGauges(registry: Registry, source: StreamLagSource): void {
  const labelNames = ['stream', 'group'] as const;
  let inFlight: Promise<StreamGroupInfo[]> | undefined;
  const snapshot = (): Promise<StreamGroupInfo[]> =>
    (inFlight ??= readAll(source).finally(() => {
      inFlight = undefined;
    }));

  const lag = new Gauge({
    name: 'redis_stream_group_lag',
    help: 'Entries of the stream not yet delivered to the consumer group (Redis >= 7).',
    labelNames,
    registers: [registry],
    collect: async () => {
      const groups = await snapshot();
      lag.reset();
      for (const g of groups) if (g.lag !== undefined) lag.set({ stream: g.stream, group: g.group }, g.lag);
    },
  });
  const pending = new Gauge({
    name: 'redis_stream_pending',
    help: 'Entries delivered to the consumer group and not acknowledged yet.',
    labelNames,
    registers: [registry],
    collect: async () => {
      const groups = await snapshot();
      pending.reset();
      for (const g of groups) pending.set({ stream: g.stream, group: g.group }, g.pending);
    },
  });
}

async function readAll(source: StreamLagSource): Promise<StreamGroupInfo[]> {
  const streams = source.streams();
  const reads = streams.map((stream) =>
    readStreamGroups(source.redis, stream).catch((error: unknown) => {
      source.logger?.warn({ stream, err: error }, 'stream groups not read for metrics');
      return [];
    }),
  );
  const all = Promise.all(reads).then((perStream) => perStream.flat());
  const timeoutMs = source.timeoutMs ?? STREAM_LAG_TIMEOUT_MS;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const timeout = new Promise<StreamGroupInfo[]>((resolve) => {
    timer = source.clock.setTimeout(() => {
      source.logger?.warn({ streams: streams.length, timeoutMs }, 'stream groups not read for metrics: timeout');
      resolve([]);
    }, timeoutMs);
  });
  try {
    return await Promise.race([all, timeout]);
  } finally {
    source.clock.clearTimeout(timer);
  }
}
