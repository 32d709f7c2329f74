import Redis from 'ioredis';
import { BusLogger, BusPublisher } from '@app/bus';
import { FakeClock, flushMicrotasks } from '@app/clock';
import { METRICS_STREAM, decodeMessage, turnMarksKey } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { TURN_MARKS_TTL_MS, TurnMarks } from './turn-marks';

/** Epoch of the fake clock at time 0. */
const T0 = 1_700_000_000_000;

interface Logged {
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(): BusLogger & { warnings: Logged[] } {
  const warnings: Logged[] = [];
  const ignore = () => undefined;
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (fields, message) => warnings.push({ fields: fields as Record<string, unknown>, message }) };
}

describe('TurnMarks', () => {
  let server: TestRedis;
  let redis: Redis;
  let clock: FakeClock;
  let logger: ReturnType<typeof recordingLogger>;
  let marks: TurnMarks;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  beforeEach(async () => {
    await redis.flushdb();
    clock = new FakeClock(0, T0);
    logger = recordingLogger();
    marks = new TurnMarks(redis, new BusPublisher(redis), clock, logger);
  });

  /**
   * Stamps are fire-and-forget: a command sent after them on the same connection answers after them, and
   * a few event-loop turns later their result handlers (which log) have run.
   */
  const settled = async () => {
    await redis.ping();
    await flushMicrotasks();
  };

  it('stamps the clock time of a stage into the call hash, field <turnId>:<mark>, with a TTL', async () => {
    clock.advance(12.5);
    marks.stamp('call-1', '3', 'finalAt');
    marks.stamp('call-1', '3', 'llmFirstTokenAt', T0 + 300.1239);
    await settled();
    expect(await redis.hgetall(turnMarksKey('call-1'))).toEqual({
      '3:finalAt': String(T0 + 12.5),
      '3:llmFirstTokenAt': String(T0 + 300.124),
    });
    const ttl = await redis.pttl(turnMarksKey('call-1'));
    expect(ttl).toBeGreaterThan(TURN_MARKS_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(TURN_MARKS_TTL_MS);
    expect(logger.warnings).toEqual([]);
  });

  it('keeps the first stamp of a mark (a re-delivered stage does not move it)', async () => {
    marks.stamp('call-1', '3', 'ttsFirstByteAt', T0 + 100);
    marks.stamp('call-1', '3', 'ttsFirstByteAt', T0 + 900);
    marks.stamp('call-1', '4', 'ttsFirstByteAt', T0 + 950);
    await settled();
    expect(await redis.hgetall(turnMarksKey('call-1'))).toEqual({
      '3:ttsFirstByteAt': String(T0 + 100),
      '4:ttsFirstByteAt': String(T0 + 950),
    });
  });

  it('logs a failed stamp and never throws', async () => {
    await redis.set(turnMarksKey('call-broken'), 'not a hash');
    expect(() => marks.stamp('call-broken', '1', 'finalAt', T0)).not.toThrow();
    marks.stamp('call-1', '1', 'finalAt', Number.NaN);
    await settled();
    expect(logger.warnings.map((w) => [w.message, w.fields.callId, w.fields.mark])).toEqual([
      ['turn mark not stamped: invalid time', 'call-1', 'finalAt'],
      ['turn mark not stamped', 'call-broken', 'finalAt'],
    ]);
    expect(String(logger.warnings[1].fields.err)).toMatch(/WRONGTYPE/);
  });

  it('publishes one flat, readable turn.metrics entry and removes only that turn’s marks', async () => {
    marks.stamp('call-1', '2', 'finalAt', T0 + 1000);
    marks.stamp('call-1', '2', 'turnPublishedAt', T0 + 1003.25);
    marks.stamp('call-1', '2', 'llmFirstTokenAt', T0 + 1290);
    marks.stamp('call-1', '2', 'firstHeardAt', T0 + 1800);
    marks.stamp('call-1', '3', 'finalAt', T0 + 5000);
    await settled();
    clock.advance(2000);

    const id = await marks.publish('call-1', '2', { firstFrameSentAt: T0 + 1750, firstHeardAt: T0 + 9999, cancelled: false });

    const entries = await redis.xrange(METRICS_STREAM, '-', '+');
    expect(entries).toEqual([
      [
        id,
        [
          'type', 'turn.metrics',
          'callId', 'call-1',
          'turnId', '2',
          'finalAt', String(T0 + 1000),
          'turnPublishedAt', String(T0 + 1003.25),
          'llmFirstTokenAt', String(T0 + 1290),
          'firstFrameSentAt', String(T0 + 1750),
          'firstHeardAt', String(T0 + 1800),
          'cancelled', '0',
          'at', String(T0 + 2000),
        ],
      ],
    ]);
    expect(decodeMessage(entries[0][1]).ok).toBe(true);
    expect(await redis.hgetall(turnMarksKey('call-1'))).toEqual({ '3:finalAt': String(T0 + 5000) });
  });

  it('publishes a turn once: a second publisher finds no marks and writes nothing', async () => {
    marks.stamp('call-1', '5', 'finalAt', T0);
    await settled();
    const [first, second] = await Promise.all([marks.publish('call-1', '5', { cancelled: true }), marks.publish('call-1', '5')]);
    expect([first, second].filter((id) => id !== undefined)).toHaveLength(1);
    const entries = await redis.xrange(METRICS_STREAM, '-', '+');
    expect(entries.map(([, fields]) => fields.join(' '))).toEqual([
      `type turn.metrics callId call-1 turnId 5 finalAt ${T0} cancelled 1 at ${T0}`,
    ]);
    expect(await redis.exists(turnMarksKey('call-1'))).toBe(0);
  });

  it('logs a failed publish and resolves with undefined', async () => {
    await redis.set(turnMarksKey('call-broken'), 'not a hash');
    await expect(marks.publish('call-broken', '1')).resolves.toBeUndefined();
    expect(logger.warnings.map((w) => w.message)).toEqual(['turn metrics not published']);
    expect(await redis.exists(METRICS_STREAM)).toBe(0);
  });
});
