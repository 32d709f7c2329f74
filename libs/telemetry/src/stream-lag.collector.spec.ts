import Redis from 'ioredis';
import { FakeClock, flushMicrotasks, systemClock } from '@app/clock';
import { freePort } from '../../../test/support/free-port';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { AppMetrics } from './metrics';
import { STREAM_LAG_TIMEOUT_MS, readStreamGroups } from './stream-lag.collector';

const streamLines = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('redis_stream_'));

describe('stream group lag collector', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  beforeEach(() => redis.flushdb());

  /** A stream of `entries` entries and a group that has read `read` of them and acknowledged `acked`. */
  async function groupBehind(stream: string, group: string, entries: number, read: number, acked: number): Promise<void> {
    for (let i = 0; i < entries; i++) await redis.xadd(stream, '*', 'type', 'turn', 'n', String(i));
    await redis.xgroup('CREATE', stream, group, '0');
    const reply = (await redis.xreadgroup('GROUP', group, 'consumer-1', 'COUNT', read, 'STREAMS', stream, '>')) as Array<[string, Array<[string, string[]]>]>;
    const ids = reply[0][1].map(([id]) => id);
    if (acked > 0) await redis.xack(stream, group, ...ids.slice(0, acked));
  }

  it('reports the lag and the pending count of every group of the listed streams at scrape time', async () => {
    await groupBehind('turns', 'llm-worker', 5, 2, 1);
    await groupBehind('playback:events', 'call-gateway', 3, 3, 3);
    const metrics = new AppMetrics({
      app: 'gw',
      defaultMetrics: false,
      streamLag: { redis, clock: systemClock, streams: () => ['turns', 'playback:events', 'not-created-yet'] },
    });

    expect(streamLines(await metrics.render())).toEqual([
      'redis_stream_group_lag{stream="turns",group="llm-worker",app="gw"} 3',
      'redis_stream_group_lag{stream="playback:events",group="call-gateway",app="gw"} 0',
      'redis_stream_pending{stream="turns",group="llm-worker",app="gw"} 1',
      'redis_stream_pending{stream="playback:events",group="call-gateway",app="gw"} 0',
    ]);

    // Values are read at each scrape, and a group that is gone leaves no stale series behind.
    await redis.xadd('turns', '*', 'type', 'turn', 'n', '5');
    await redis.xgroup('DESTROY', 'playback:events', 'call-gateway');
    expect(streamLines(await metrics.render())).toEqual([
      'redis_stream_group_lag{stream="turns",group="llm-worker",app="gw"} 4',
      'redis_stream_pending{stream="turns",group="llm-worker",app="gw"} 1',
    ]);
  });

  it('reads XINFO GROUPS into typed rows, and a stream that does not exist as none', async () => {
    await groupBehind('turns', 'llm-worker', 4, 1, 0);
    expect(await readStreamGroups(redis, 'turns')).toEqual([{ stream: 'turns', group: 'llm-worker', pending: 1, lag: 3 }]);
    expect(await readStreamGroups(redis, 'missing')).toEqual([]);
    await redis.set('not-a-stream', 'x');
    await expect(readStreamGroups(redis, 'not-a-stream')).rejects.toThrow(/WRONGTYPE/);
  });

  it('gives up on an unreachable Redis after its timeout: the rest of the scrape still renders', async () => {
    const deadRedis = new Redis(`redis://127.0.0.1:${await freePort()}`, { retryStrategy: () => 50, maxRetriesPerRequest: null });
    deadRedis.on('error', () => undefined);
    const clock = new FakeClock();
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_: object, message: string) => warnings.push(message) };
    const metrics = new AppMetrics({ app: 'gw', defaultMetrics: false, streamLag: { redis: deadRedis, clock, logger, streams: () => ['turns'] } });
    metrics.bargeIn();
    try {
      const rendering = metrics.render();
      await flushMicrotasks();
      clock.advance(STREAM_LAG_TIMEOUT_MS - 1);
      await flushMicrotasks();
      expect(warnings).toEqual([]);
      clock.advance(1);
      const text = await rendering;
      expect(streamLines(text)).toEqual([]);
      expect(text).toContain('voice_barge_ins_total{app="gw"} 1');
      expect(warnings).toEqual(['stream groups not read for metrics: timeout']);
    } finally {
      deadRedis.disconnect();
    }
  });
});
