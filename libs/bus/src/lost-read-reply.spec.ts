import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { RedisClient } from './bus.types';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { LOST_REPLY_AFTER_MS } from './stream-read-loop';
import { RecordingBusLogger, sentence, specClient, waitFor } from '../test/bus-spec-kit';

/**
 * Regression: a sentence skipped after a Redis Cluster failover.
 * Symptom: in the cluster end-to-end test a turn lost its first sentence when the master holding its
 * shard stream was killed; the entry sat in the tts-worker's pending list (delivered once, never
 * handled) until the reclaim 30 s later, long after the turn.
 * Cause: ioredis re-sends a blocking XREADGROUP from node to node during a failover, and its blocking
 * timeout (BLOCK + BLOCKING_READ_GRACE_MS from the first send) resolves the read with null while the new
 * master still serves it: Redis delivers the entries to our consumer and the reply is dropped.
 * Fix: after a group read failed or came back empty that late, the loop reads its own pending list
 * after the last entry it got (XREADGROUP with an id) and dispatches what is not being handled.
 * The test drops one served reply the same way (null, late) on a single Redis.
 */
const BLOCK_MS = 200;
const STREAM = 'tts:{s5}:in';

/** A read connection whose first served XREADGROUP reply is dropped: null, once the blocking timeout would have passed. */
function droppingFirstReply(client: RedisClient, dropped: string[]): RedisClient {
  let armed = true;
  return new Proxy(client, {
    get(target, property) {
      if (property === 'call') {
        return async (...args: Array<string | number>) => {
          const startedAt = Date.now();
          const reply = (await target.call(...(args as [string, ...Array<string | number>]))) as unknown;
          if (!armed || args[0] !== 'xreadgroup' || reply === null || !args.includes('>')) return reply;
          armed = false;
          dropped.push(JSON.stringify(reply).slice(0, 80));
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + BLOCK_MS + LOST_REPLY_AFTER_MS + 10 - Date.now())));
          return null;
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('a group read whose reply was lost after Redis served it', () => {
  let redis: TestRedis;
  let client: Redis;
  let server: RedisStreamsServer | undefined;

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
  });

  afterAll(async () => {
    await server?.close();
    client.disconnect();
    await redis.stop();
  });

  it('handles the delivered entries at once, in order, instead of after the reclaim', async () => {
    const received: number[] = [];
    const dropped: string[] = [];
    const logger = new RecordingBusLogger();
    const bus = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:lost-reply' }),
      createReadClient: () => droppingFirstReply(createBlockingClient({ url: redis.url, name: 'spec:lost-reply-read' }), dropped),
      consumer: 'lost-reply-1',
      streams: [{ stream: STREAM, group: 'tts-worker' }],
      blockMs: BLOCK_MS,
      // The reclaimer would find the entry only after this: far beyond the wait below.
      claimIdleMs: 60_000,
      logger,
    });
    bus.addHandler('sentence', (async (message: BusMessage) => void received.push((message as SentenceMessage).seq)) as MessageHandler, true);
    server = bus;
    await new Promise<void>((resolve, reject) => bus.listen((error?: unknown) => (error ? reject(error) : resolve())));

    const publisher = new BusPublisher(client);
    await publisher.publish(STREAM, sentence('v3:lost', 0));
    await waitFor(() => dropped.length, (n) => n === 1, 3000);
    await publisher.publish(STREAM, sentence('v3:lost', 1));

    await waitFor(() => received, (r) => r.length === 2, BLOCK_MS + LOST_REPLY_AFTER_MS + 2000);
    expect(received).toEqual([0, 1]);
    expect(logger.withMessage('entries of a lost read reply recovered from our pending list')).toHaveLength(1);
    await waitFor(() => client.xpending(STREAM, 'tts-worker'), (summary) => (summary as [number])[0] === 0);
  });
});
