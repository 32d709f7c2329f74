import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { TestRedisCluster, startRedisCluster } from '../../../test/support/redis-cluster';
import { BusPublisher } from './bus-publisher';
import { RedisClient } from './bus.types';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { slotOf } from './stream-slots';
import { blockedClients, sentence, specClient, waitFor } from '../test/bus-spec-kit';

/**
 * Regression: on a Redis Cluster the tts-worker heard a call's sentences seconds late (the greeting 14 s
 * after it was published), and a playback-worker with a few calls would have stalled the same way.
 * Cause: in a cluster each slot has its own read loop (64 for the shard streams), and each loop reserved
 * a whole batch of executor capacity (100 of 256) before blocking: three idle loops held it all, and the
 * others waited for one of those reads to time out, each in turn.
 * Fix: a loop checks for free capacity before it reads but holds none while it blocks, and asks for its
 * share of the free capacity, so every loop blocks at once however many there are.
 */
const LOOPS = 12;
const streamOf = (shard: number) => `tts:{s${shard}}:in`;

describe('many read loops sharing a small executor (one loop per slot on a cluster)', () => {
  let cluster: TestRedisCluster;
  let commands: RedisClient;
  let inspector: Redis;
  let server: RedisStreamsServer | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 1 });
    commands = createRedisClient({ clusterNodes: cluster.nodes, name: 'spec:capacity' });
    inspector = specClient(cluster.url);
  }, 20_000);

  afterAll(async () => {
    await server?.close();
    commands.disconnect();
    inspector.disconnect();
    await cluster.stop();
  });

  it('blocks every loop at once and reads any stream as soon as an entry comes', async () => {
    expect(new Set(Array.from({ length: LOOPS }, (_, shard) => slotOf(streamOf(shard)))).size).toBe(LOOPS);
    const received: string[] = [];
    const bus = new RedisStreamsServer({
      createClient: () => createRedisClient({ clusterNodes: cluster.nodes, name: 'spec:capacity' }),
      createReadClient: () => createBlockingClient({ clusterNodes: cluster.nodes, name: 'spec:capacity-read' }),
      consumer: 'capacity-1',
      streams: Array.from({ length: LOOPS }, (_, shard) => ({ stream: streamOf(shard), group: 'tts-worker' })),
      // Room for two batches only, and reads that block for long: a loop waiting for capacity shows.
      maxInFlight: 8,
      batchSize: 4,
      blockMs: 5_000,
    });
    bus.addHandler('sentence', (async (message: BusMessage) => void received.push((message as SentenceMessage).callId)) as MessageHandler, true);
    server = bus;
    await new Promise<void>((resolve, reject) => bus.listen((error?: unknown) => (error ? reject(error) : resolve())));

    await waitFor(() => blockedClients(inspector), (n) => n === LOOPS, 3000);
    const startedAt = Date.now();
    const publisher = new BusPublisher(commands);
    for (const shard of [LOOPS - 1, 0, LOOPS - 2]) await publisher.publish(streamOf(shard), sentence(`v3:s${shard}`, 0));
    await waitFor(() => received.length, (n) => n === 3, 2000);
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });
});
