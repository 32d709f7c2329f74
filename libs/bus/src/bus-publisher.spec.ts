import Redis from 'ioredis';
import { decodeMessage, encodeMessage, fieldsToRecord, message } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher, DEFAULT_STREAM_MAXLEN } from './bus-publisher';
import { RecordingPublisher } from './testing/recording-publisher';
import { sentence, specClient } from '../test/bus-spec-kit';

describe('BusPublisher', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = specClient(server.url);
    // Radix-tree nodes of exactly 100 entries (no byte limit), so `MAXLEN ~` trimming is predictable.
    await redis.config('SET', 'stream-node-max-bytes', '0');
    await redis.config('SET', 'stream-node-max-entries', '100');
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('writes one flat, readable entry per message and returns its id', async () => {
    const publisher = new BusPublisher(redis);
    const turn = message('turn', { callId: 'v3:call-1', turnId: '4', agentId: 'front-desk', text: 'Is it open, today?', finalAt: 1700000000100, at: 1700000000123.25 });
    const id = await publisher.publish('turns', turn);
    const entries = await redis.xrange('turns', '-', '+');
    expect(entries).toEqual([
      [id, ['type', 'turn', 'callId', 'v3:call-1', 'turnId', '4', 'agentId', 'front-desk', 'text', 'Is it open, today?', 'finalAt', '1700000000100', 'at', '1700000000123.25']],
    ]);
    expect(decodeMessage(entries[0][1])).toEqual({ ok: true, message: turn });
  });

  it('trims a stream to about its MAXLEN: whole nodes go once a full node is over the limit', async () => {
    const publisher = new BusPublisher(redis, { maxLenOf: (stream) => (stream === 'small' ? 100 : undefined) });
    for (let seq = 0; seq < 1050; seq++) await publisher.publish('small', sentence('v3:trim', seq));
    // Nodes of 100 entries; the oldest node goes as soon as the entries after it number the limit (100).
    // The last trim came with seq 999 and left seqs 900-999; 50 more have been added since.
    expect(await redis.xlen('small')).toBe(150);
    const [[, firstFields]] = await redis.xrange('small', '-', '+', 'COUNT', 1);
    expect(fieldsToRecord(firstFields).seq).toBe('900');
  });

  it(`keeps ${DEFAULT_STREAM_MAXLEN} entries (plus less than one node) by default`, async () => {
    const publisher = new BusPublisher(redis);
    const total = DEFAULT_STREAM_MAXLEN + 250;
    await Promise.all(Array.from({ length: total }, (_, seq) => publisher.publish('big', sentence('v3:big', seq))));
    // The last trim came with seq 10199 and left seqs 200-10199; 50 more have been added since.
    expect(await redis.xlen('big')).toBe(DEFAULT_STREAM_MAXLEN + 50);
    const [[, firstFields]] = await redis.xrange('big', '-', '+', 'COUNT', 1);
    expect(fieldsToRecord(firstFields).seq).toBe('200');
  });

  it('refuses a MAXLEN that is not a positive integer', async () => {
    const publisher = new BusPublisher(redis, { maxLenOf: () => 0 });
    await expect(publisher.publish('x', sentence('v3:x', 0))).rejects.toThrow(RangeError);
    expect(await redis.exists('x')).toBe(0);
  });
});

describe('RecordingPublisher', () => {
  it('keeps what was published in order and filters by type and stream', async () => {
    const publisher = new RecordingPublisher();
    const first = sentence('v3:a', 0);
    const cancel = message('turn.cancel', { callId: 'v3:a', turnId: '1', reason: 'barge-in', at: 1 });
    const second = sentence('v3:a', 1);
    expect(await publisher.publish('tts:{s1}:in', first)).toBe('1-0');
    await publisher.publish('calls:control', cancel);
    await publisher.publish('tts:{s1}:in', second);
    expect(publisher.of('sentence')).toEqual([first, second]);
    expect(publisher.of('turn.cancel')).toEqual([cancel]);
    expect(publisher.on('calls:control')).toEqual([cancel]);
    expect(publisher.published.map((p) => p.stream)).toEqual(['tts:{s1}:in', 'calls:control', 'tts:{s1}:in']);
    expect(encodeMessage(publisher.of('sentence')[1])).toEqual(encodeMessage(second));
  });
});
