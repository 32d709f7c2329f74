import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { startTestRedis, TestRedis } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { StreamSubscription } from './bus.types';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { RecordingBusLogger, sentence, specClient, waitFor } from '../test/bus-spec-kit';

/**
 * Redis going away under a running server: restarted without persistence (every stream and group gone),
 * a stream deleted, a restart in the middle of a blocked read. The server must carry on by itself.
 */
describe('recovering from Redis losing its data or its connection', () => {
  let redis: TestRedis;
  let client: Redis;
  let publisher: BusPublisher;
  let server: RedisStreamsServer | undefined;

  async function startServer(streams: StreamSubscription[], received: number[], logger = new RecordingBusLogger(), readClient = createBlockingClient) {
    const bus = new RedisStreamsServer({
      createClient: () => createRedisClient({ url: redis.url, name: 'spec:recovery' }),
      createReadClient: () => readClient({ url: redis.url, name: 'spec:recovery-read' }),
      consumer: 'recovering-1',
      streams,
      blockMs: 200,
      claimIdleMs: 60_000,
      logger,
    });
    bus.addHandler('sentence', (async (message: BusMessage) => void received.push((message as SentenceMessage).seq)) as MessageHandler, true);
    server = bus;
    await new Promise<void>((resolve, reject) => bus.listen((error?: unknown) => (error ? reject(error) : resolve())));
    return bus;
  }

  const groupNames = async (stream: string) =>
    ((await client.xinfo('GROUPS', stream)) as unknown[][]).map((group) => String(group[group.indexOf('name') + 1]));

  beforeAll(async () => {
    redis = await startTestRedis();
    client = specClient(redis.url);
    publisher = new BusPublisher(client);
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await client.flushall();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('recreates the group after Redis restarted without its data (NOGROUP) and handles new entries', async () => {
    const received: number[] = [];
    const logger = new RecordingBusLogger();
    await startServer([{ stream: 'turns', group: 'llm-worker' }], received, logger);
    await publisher.publish('turns', sentence('v3:r', 1));
    await waitFor(() => received, (r) => r.length === 1);

    await redis.restart();
    await waitFor(() => client.ping().catch(() => 'down'), (reply) => reply === 'PONG');
    await publisher.publish('turns', sentence('v3:r', 2));
    await publisher.publish('turns', sentence('v3:r', 3));

    await waitFor(() => received, (r) => r.length === 3, 5000);
    expect(received).toEqual([1, 2, 3]);
    expect(await groupNames('turns')).toEqual(['llm-worker']);
    expect(logger.withMessage('consumer group was missing and has been recreated')).not.toHaveLength(0);
    await waitFor(() => client.xpending('turns', 'llm-worker'), (summary) => (summary as [number])[0] === 0);
  });

  it('recreates the group after the stream was deleted and handles new entries', async () => {
    const received: number[] = [];
    await startServer([{ stream: 'tts:{s3}:in', group: 'tts-worker' }], received);
    await publisher.publish('tts:{s3}:in', sentence('v3:d', 1));
    await waitFor(() => received, (r) => r.length === 1);

    await client.del('tts:{s3}:in');
    await publisher.publish('tts:{s3}:in', sentence('v3:d', 2));

    await waitFor(() => received, (r) => r.length === 2, 5000);
    expect(received).toEqual([1, 2]);
    expect(await groupNames('tts:{s3}:in')).toEqual(['tts-worker']);
  });

  it('keeps reading group and plain streams across a restart in the middle of a blocked read', async () => {
    const received: number[] = [];
    await startServer([{ stream: 'turns', group: 'llm-worker' }, { stream: 'calls:control' }, { stream: 'audio:{v3:p}' }], received);
    await publisher.publish('turns', sentence('v3:g', 1));
    await publisher.publish('audio:{v3:p}', sentence('v3:p', 2));
    await waitFor(() => received, (r) => r.length === 2);

    await redis.restart(); // both loops are blocked in their reads when the connection drops
    await waitFor(() => client.ping().catch(() => 'down'), (reply) => reply === 'PONG');
    await publisher.publish('turns', sentence('v3:g', 3));
    await publisher.publish('audio:{v3:p}', sentence('v3:p', 4));

    await waitFor(() => received, (r) => r.length === 4, 5000);
    expect([...received].sort()).toEqual([1, 2, 3, 4]);
  });

  it('also recovers with plain command connections as read connections (the app default)', async () => {
    const received: number[] = [];
    await startServer([{ stream: 'turns', group: 'llm-worker' }], received, new RecordingBusLogger(), createRedisClient);
    await publisher.publish('turns', sentence('v3:c', 1));
    await waitFor(() => received, (r) => r.length === 1);

    await redis.restart();
    await waitFor(() => client.ping().catch(() => 'down'), (reply) => reply === 'PONG');
    await publisher.publish('turns', sentence('v3:c', 2));

    await waitFor(() => received, (r) => r.length === 2, 5000);
    expect(received).toEqual([1, 2]);
  });
});
