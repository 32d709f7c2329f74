import Redis from 'ioredis';
import { BusMessage, LIFECYCLE_STREAM, METRICS_STREAM, encodeMessage, message } from '@app/contracts';
import { freePort } from '../../test/support/free-port';
import { startTestRedis, TestRedis } from '../../test/support/redis-server';
import { EXIT, inspectCall } from '../inspect-call';
import { buildCallWaterfall } from './waterfall-model';
import { CLOCK_SKEW_SLACK_MS, SCAN_PAGE_ENTRIES, readCallRecords } from './waterfall-reader';

const T0 = 1_700_000_000_000;

const lifecycle = (callId: string, state: 'initiated' | 'answered' | 'ended', at: number) =>
  message('call.lifecycle', { callId, state, agentId: 'front-desk', at });
const metrics = (callId: string, turnId: string, finalAt: number) =>
  message('turn.metrics', { callId, turnId, finalAt, firstHeardAt: finalAt + 700, at: finalAt + 1000 });

describe('npm run inspect: reading a call from Redis', () => {
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

  /** Adds with the entry id at the message's own time, as a publisher with Redis's clock would. */
  const add = (stream: string, entry: BusMessage, extra: string[] = []) => redis.xadd(stream, `${Math.floor(entry.at)}-*`, ...encodeMessage(entry), ...extra);

  async function seedCall(callId: string, start: number): Promise<void> {
    await add(LIFECYCLE_STREAM, lifecycle(callId, 'initiated', start));
    await add(LIFECYCLE_STREAM, lifecycle(callId, 'answered', start + 300));
    await add(METRICS_STREAM, metrics(callId, '1', start + 1000), ['gapsMs', '12,30.5']);
    await add(METRICS_STREAM, metrics(callId, '2', start + 5000));
    await add(LIFECYCLE_STREAM, lifecycle(callId, 'ended', start + 9000));
  }

  it('reads only the call’s lifecycle and turn metrics, in order, past many pages of other calls', async () => {
    await add(METRICS_STREAM, metrics('call-a', '9', T0 - CLOCK_SKEW_SLACK_MS - 10_000)); // long before the call: not read
    await seedCall('call-a', T0);
    // Newest first, the lifecycle reads: 1 invalid entry, the others, then call-a's `ended`. With this many
    // others `ended` is the last entry of the second page: a page boundary must be read exactly once.
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2 * SCAN_PAGE_ENTRIES - 2; i++) {
      const at = T0 + 20_000 + i;
      pipeline.xadd(LIFECYCLE_STREAM, `${at}-*`, ...encodeMessage(lifecycle(`other-${i}`, 'initiated', at)));
      pipeline.xadd(METRICS_STREAM, `${at}-*`, ...encodeMessage(metrics(`other-${i}`, '1', at)));
    }
    await pipeline.exec();
    await redis.xadd(LIFECYCLE_STREAM, `${T0 + 30_000}-*`, 'type', 'call.lifecycle', 'callId', 'call-a', 'state', 'exploded');

    const records = await readCallRecords(redis, 'call-a');

    expect(records.lifecycle.map((m) => [m.state, m.at - T0])).toEqual([['initiated', 0], ['answered', 300], ['ended', 9000]]);
    expect(records.turns.map((t) => [t.metrics.turnId, t.gapsMs])).toEqual([['1', [12, 30.5]], ['2', []]]);
    expect(records.invalid).toBe(1);
  });

  it('prints the waterfall, or the same data as JSON', async () => {
    await seedCall('call-a', T0);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };

    expect(await inspectCall(['call-a'], { REDIS_URL: server.url }, io)).toBe(EXIT.ok);
    expect(out[0].split('\n').slice(0, 4)).toEqual([
      'Call call-a (agent front-desk): 2 turns with metrics',
      'lifecycle: initiated 2023-11-14T22:13:20.000Z · answered +300.0 ms · ended +9000.0 ms',
      '',
      'Turn 1: 700.0 ms from final transcript to first heard',
    ]);
    expect(out[0]).toContain('  gaps between sentences: 12.0 ms, 30.5 ms');

    expect(await inspectCall(['--json', 'call-a'], { REDIS_URL: server.url }, io)).toBe(EXIT.ok);
    const records = await readCallRecords(redis, 'call-a');
    expect(JSON.parse(out[1])).toEqual(JSON.parse(JSON.stringify(buildCallWaterfall('call-a', records.lifecycle, records.turns))));
    expect(JSON.parse(out[1]).turns[0].totalMs).toBe(700);
    expect(err).toEqual([]);
  });

  it('says plainly when the call is unknown, Redis is unreachable, or the arguments are wrong', async () => {
    await seedCall('call-a', T0);
    const err: string[] = [];
    const io = { out: () => undefined, err: (t: string) => err.push(t) };

    expect(await inspectCall(['call-zz'], { REDIS_URL: server.url }, io)).toBe(EXIT.unknownCall);
    expect(err.pop()).toBe(`unknown call call-zz: no entry for it in calls:lifecycle or metrics at ${server.url} (a wrong id, or trimmed away)`);

    const deadUrl = `redis://:s3cret@127.0.0.1:${await freePort()}`;
    expect(await inspectCall(['call-a'], { REDIS_URL: deadUrl }, io)).toBe(EXIT.redisUnreachable);
    const unreachable = err.pop()!;
    expect(unreachable).toMatch(/^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(unreachable).not.toContain('s3cret');

    expect(await inspectCall([], {}, io)).toBe(EXIT.usage);
    expect(err.pop()).toBe('a call id is required\nusage: npm run inspect -- <callId> [--json]');
    expect(await inspectCall(['call-a', '--yaml'], {}, io)).toBe(EXIT.usage);
    expect(err.pop()).toMatch(/^unknown option --yaml/);
  });
});
