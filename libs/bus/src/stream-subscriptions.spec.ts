import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { StreamSubscription } from './bus.types';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { blockedClients, connectionNames, sentence, sleep, specClient, waitFor } from '../test/bus-spec-kit';

/**
 * Streams added and removed at run time (tts shards moving, calls attaching to a playback-worker) must
 * take effect at once, not after the blocked read times out: blockMs is 5 s here and every change is
 * asserted to land within a fraction of it.
 */
const BLOCK_MS = 5000;
const PROMPT_MS = 500;

describe('adding and removing streams at run time', () => {
  let redis: TestRedis;
  let client: Redis;
  let publisher: BusPublisher;
  let server: RedisStreamsServer | undefined;
  const received: string[] = [];

  async function startServer(streams: StreamSubscription[]): Promise<RedisStreamsServer> {
    const bus = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:dyn' }),
      createReadClient: () => createBlockingClient({ url: redis.url, name: 'spec:dyn-read' }),
      consumer: 'dyn-1',
      streams,
      blockMs: BLOCK_MS,
      claimIdleMs: 60_000,
    });
    bus.addHandler('sentence', (async (message: BusMessage) => {
      const { callId, seq } = message as SentenceMessage;
      received.push(`${callId}#${seq}`);
    }) as MessageHandler, true);
    server = bus;
    await new Promise<void>((resolve, reject) => bus.listen((error?: unknown) => (error ? reject(error) : resolve())));
    return bus;
  }

  /** Publishes and measures how long until the handler saw it. */
  async function deliveryTime(stream: string, callId: string, seq: number): Promise<number> {
    const startedAt = Date.now();
    await publisher.publish(stream, sentence(callId, seq));
    await waitFor(() => received.includes(`${callId}#${seq}`), Boolean, BLOCK_MS * 2);
    return Date.now() - startedAt;
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
    publisher = new BusPublisher(client);
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    received.length = 0;
    await client.flushall();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('adds a group stream to a loop blocked in XREADGROUP without waiting for its BLOCK to end', async () => {
    const bus = await startServer([{ stream: 'tts:{s1}:in', group: 'tts-worker' }]);
    await waitFor(() => blockedClients(client), (n) => n === 1);

    const addStartedAt = Date.now();
    await bus.addStream({ stream: 'tts:{s2}:in', group: 'tts-worker' });
    expect(await deliveryTime('tts:{s2}:in', 'v3:two', 0)).toBeLessThan(PROMPT_MS);
    expect(Date.now() - addStartedAt).toBeLessThan(PROMPT_MS);
    expect(await deliveryTime('tts:{s1}:in', 'v3:one', 0)).toBeLessThan(PROMPT_MS);
    expect(bus.streams().map((s) => s.stream)).toEqual(['tts:{s1}:in', 'tts:{s2}:in']);
  });

  it('adds a plain stream from its current end ($) to a blocked XREAD', async () => {
    await publisher.publish('audio:{v3:late}', sentence('v3:late', 0)); // before the subscription: not delivered
    const bus = await startServer([{ stream: 'calls:control' }]);
    await waitFor(() => blockedClients(client), (n) => n === 1);

    await bus.addStream({ stream: 'audio:{v3:late}' });
    expect(await deliveryTime('audio:{v3:late}', 'v3:late', 1)).toBeLessThan(PROMPT_MS);
    expect(received).toEqual(['v3:late#1']);
  });

  it('stops delivering a removed stream at once and keeps reading the others', async () => {
    const bus = await startServer([{ stream: 'audio:{v3:x}' }, { stream: 'audio:{v3:y}' }]);
    await waitFor(() => blockedClients(client), (n) => n === 1);

    await bus.removeStream('audio:{v3:x}');
    await publisher.publish('audio:{v3:x}', sentence('v3:x', 0));
    expect(await deliveryTime('audio:{v3:y}', 'v3:y', 0)).toBeLessThan(PROMPT_MS);
    await sleep(200);
    expect(received).toEqual(['v3:y#0']);
  });

  it('closes the loop (and its connection) of a group whose last stream was removed, and opens one when needed again', async () => {
    const bus = await startServer([{ stream: 'calls:control' }, { stream: 'tts:{s1}:in', group: 'tts-worker' }]);
    await waitFor(() => blockedClients(client), (n) => n === 2);
    const readConnections = async () => (await connectionNames(client)).filter((name) => name === 'spec:dyn-read').length;
    expect(await readConnections()).toBe(2);

    const removeStartedAt = Date.now();
    await bus.removeStream('tts:{s1}:in');
    expect(Date.now() - removeStartedAt).toBeLessThan(PROMPT_MS);
    await waitFor(readConnections, (n) => n === 1);

    await bus.addStream({ stream: 'tts:{s7}:in', group: 'tts-worker' });
    expect(await deliveryTime('tts:{s7}:in', 'v3:seven', 0)).toBeLessThan(PROMPT_MS);
    expect(await readConnections()).toBe(2);
  });

  it('closes promptly while its loops are blocked', async () => {
    const bus = await startServer([{ stream: 'calls:control' }, { stream: 'turns', group: 'llm-worker' }]);
    await waitFor(() => blockedClients(client), (n) => n === 2);
    const closeStartedAt = Date.now();
    await bus.close();
    expect(Date.now() - closeStartedAt).toBeLessThan(PROMPT_MS);
    await waitFor(() => connectionNames(client), (names) => !names.some((name) => name.startsWith('spec:dyn')));
  });
});
