import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage, deadLetterStream, encodeMessage } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { RedisStreamsServerOptions } from './redis-streams.options';
import { StreamContext } from './stream-context';
import { sentence, sleep, specClient, waitFor } from '../test/bus-spec-kit';

type Handler = (message: BusMessage, context: StreamContext) => Promise<unknown>;

const STREAM = 'turns';
const GROUP = 'llm-worker';
/** Small enough for a fast test, large enough that a healthy delivery is never mistaken for an idle one. */
const CLAIM_IDLE_MS = 150;
const CLAIM_INTERVAL_MS = 25;

describe('reclaiming pending entries', () => {
  let redis: TestRedis;
  let client: Redis;
  let publisher: BusPublisher;
  const servers: RedisStreamsServer[] = [];

  function startServer(consumer: string, handler: Handler, options: Partial<RedisStreamsServerOptions> = {}): Promise<RedisStreamsServer> {
    const server = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: `spec:${consumer}` }),
      createReadClient: () => createBlockingClient({ url: redis.url, name: `spec:${consumer}-read` }),
      consumer,
      streams: [{ stream: STREAM, group: GROUP }],
      blockMs: 100,
      claimIdleMs: CLAIM_IDLE_MS,
      claimIntervalMs: CLAIM_INTERVAL_MS,
      ...options,
    });
    server.addHandler('sentence', handler as MessageHandler, true);
    servers.push(server);
    return new Promise((resolve, reject) => server.listen((error?: unknown) => (error ? reject(error) : resolve(server))));
  }

  const pendingEntries = () => client.xpending(STREAM, GROUP, '-', '+', 100) as Promise<Array<[string, string, number, number]>>;

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
    publisher = new BusPublisher(client);
  });

  beforeEach(async () => {
    await client.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    await client.flushall();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('redelivers an entry a dead consumer read and never acked', async () => {
    const id = await publisher.publish(STREAM, sentence('v3:orphan', 0));
    // A consumer that read the entry and died.
    await client.xreadgroup('GROUP', GROUP, 'dead-consumer', 'COUNT', 10, 'STREAMS', STREAM, '>');
    expect(await pendingEntries()).toEqual([[id, 'dead-consumer', expect.any(Number), 1]]);

    const deliveries: Array<[string, number]> = [];
    await startServer('survivor', async (_message, context) => void deliveries.push([context.getId(), context.getDeliveries()]));
    await waitFor(() => deliveries, (d) => d.length === 1);
    expect(deliveries).toEqual([[id, 2]]);
    await waitFor(pendingEntries, (p) => p.length === 0);
  });

  it("lets a second server pick up the entry the first one's handler failed on", async () => {
    let attempts = 0;
    const first = await startServer('first', async () => {
      attempts++;
      throw new Error('llm timeout');
    }, { claimIdleMs: 60_000 });
    const id = await publisher.publish(STREAM, sentence('v3:retry', 0));
    await waitFor(() => attempts, (n) => n === 1);
    await first.close();
    expect(await pendingEntries()).toEqual([[id, 'first', expect.any(Number), 1]]);

    const handledBySecond: Array<[string, number]> = [];
    await startServer('second', async (_message, context) => void handledBySecond.push([context.getId(), context.getDeliveries()]));
    await waitFor(() => handledBySecond, (h) => h.length === 1);
    expect(handledBySecond).toEqual([[id, 2]]);
    expect(attempts).toBe(1);
    await waitFor(pendingEntries, (p) => p.length === 0);
  });

  it('dead-letters an entry after maxDeliveries failed deliveries, and acks it', async () => {
    const deliveries: number[] = [];
    await startServer('poisoned', async (_message, context) => {
      deliveries.push(context.getDeliveries());
      throw new Error('always fails');
    }, { maxDeliveries: 3 });
    const poison = sentence('v3:poison', 9);
    const id = await publisher.publish(STREAM, poison);

    await waitFor(() => client.xlen(deadLetterStream(STREAM)), (n) => n === 1);
    expect(deliveries).toEqual([1, 2, 3]);
    const [[, letter]] = await client.xrange(deadLetterStream(STREAM), '-', '+');
    expect(letter).toEqual(['stream', STREAM, 'id', id, 'reason', 'delivered 4 times, over the limit of 3', 'group', GROUP, ...encodeMessage(poison)]);
    expect(await pendingEntries()).toEqual([]);
    await sleep(CLAIM_IDLE_MS + 4 * CLAIM_INTERVAL_MS);
    expect(deliveries).toEqual([1, 2, 3]);
  });

  it('keeps an entry it is still working on from being taken by another consumer', async () => {
    // The handler runs 4× claimIdleMs; without the refresh of held entries the second server would
    // reclaim the entry after claimIdleMs and handle it a second time.
    const handledBy: string[] = [];
    const slow = (name: string) => async (message: BusMessage) => {
      handledBy.push(`${name}:${(message as SentenceMessage).seq}`);
      await sleep(4 * CLAIM_IDLE_MS);
    };
    await startServer('busy', slow('busy'));
    const id = await publisher.publish(STREAM, sentence('v3:long', 0));
    await waitFor(() => handledBy, (h) => h.length === 1);
    await startServer('idle', slow('idle'));
    await sleep(3 * CLAIM_IDLE_MS);
    // Still ours, delivered once, and never idle long enough to be reclaimed (not even by ourselves).
    const [[pendingId, owner, idleMs, deliveries]] = await pendingEntries();
    expect([pendingId, owner, deliveries]).toEqual([id, 'busy', 1]);
    expect(idleMs).toBeLessThan(CLAIM_IDLE_MS);
    await waitFor(pendingEntries, (p) => p.length === 0, 3000);
    expect(handledBy).toEqual(['busy:0']);
  });
});
