import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { RedisStreamsServerOptions } from './redis-streams.options';
import { deferred, sentence, sleep, specClient, waitFor } from '../test/bus-spec-kit';

describe('ordering per call and concurrency across calls', () => {
  let redis: TestRedis;
  let client: Redis;
  let publisher: BusPublisher;
  const servers: RedisStreamsServer[] = [];

  function startServer(handler: (message: SentenceMessage) => Promise<void>, options: Partial<RedisStreamsServerOptions> = {}) {
    const server = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:order' }),
      createReadClient: () => createBlockingClient({ url: redis.url, name: 'spec:order-read' }),
      consumer: 'worker-1',
      streams: [{ stream: 'tts:{s9}:in', group: 'tts-worker' }],
      blockMs: 100,
      claimIdleMs: 60_000,
      ...options,
    });
    server.addHandler('sentence', ((message: BusMessage) => handler(message as SentenceMessage)) as MessageHandler, true);
    servers.push(server);
    return new Promise<RedisStreamsServer>((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve(server))));
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
    publisher = new BusPublisher(client);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await client.flushall();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it("keeps each call's sentences in stream order while the two calls are handled side by side", async () => {
    const PER_CALL = 20;
    const order: Record<string, number[]> = { 'v3:a': [], 'v3:b': [] };
    const running = new Map<string, number>();
    let maxRunningPerCall = 0;
    let maxRunningOverall = 0;
    await startServer(async (sentence) => {
      const now = (running.get(sentence.callId) ?? 0) + 1;
      running.set(sentence.callId, now);
      maxRunningPerCall = Math.max(maxRunningPerCall, now);
      maxRunningOverall = Math.max(maxRunningOverall, [...running.values()].reduce((a, b) => a + b, 0));
      await sleep(Math.floor(Math.random() * 8));
      order[sentence.callId].push(sentence.seq);
      running.set(sentence.callId, now - 1);
    });
    // Interleaved a0 b0 a1 b1 ..., all published before the first read so one read brings both calls.
    await Promise.all(
      Array.from({ length: PER_CALL }, (_, seq) => [publisher.publish('tts:{s9}:in', sentence('v3:a', seq)), publisher.publish('tts:{s9}:in', sentence('v3:b', seq))]).flat(),
    );

    await waitFor(() => order, (o) => o['v3:a'].length === PER_CALL && o['v3:b'].length === PER_CALL, 5000);
    const inOrder = Array.from({ length: PER_CALL }, (_, seq) => seq);
    expect(order).toEqual({ 'v3:a': inOrder, 'v3:b': inOrder });
    expect(maxRunningPerCall).toBe(1);
    expect(maxRunningOverall).toBe(2);
  });

  it('handles at most maxInFlight entries at once and reads no more until one finishes', async () => {
    const gate = deferred();
    const started: string[] = [];
    await startServer(
      async (sentence) => {
        started.push(sentence.callId);
        await gate.promise;
      },
      { maxInFlight: 4, batchSize: 100 },
    );
    await Promise.all(Array.from({ length: 12 }, (_, i) => publisher.publish('tts:{s9}:in', sentence(`v3:call-${i}`, 0))));

    await waitFor(() => started.length, (n) => n === 4);
    await sleep(300); // three more read rounds' worth of blockMs: nothing more may be taken
    expect(started).toEqual(['v3:call-0', 'v3:call-1', 'v3:call-2', 'v3:call-3']);
    // Backpressure happens before reading: the other eight are still unread in Redis, free for other instances.
    expect(((await client.xpending('tts:{s9}:in', 'tts-worker')) as [number])[0]).toBe(4);

    gate.resolve();
    await waitFor(() => started.length, (n) => n === 12);
    await waitFor(() => client.xpending('tts:{s9}:in', 'tts-worker'), (summary) => (summary as [number])[0] === 0);
  });
});
