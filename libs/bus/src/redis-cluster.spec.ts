import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { MessageHandler } from '@nestjs/microservices';
import { BusMessage, SentenceMessage } from '@app/contracts';
import { freePort } from '../../../test/support/free-port';
import { redisServerAvailable } from '../../../test/support/redis-server';
import { BusPublisher } from './bus-publisher';
import { RedisClient } from './bus.types';
import { createBlockingClient, createRedisClient } from './redis-connection';
import { RedisStreamsServer } from './redis-streams.server';
import { slotOf } from './stream-slots';
import { blockedClients, connectionNames, sentence, specClient, waitFor } from '../test/bus-spec-kit';

/**
 * A one-node Redis Cluster (all 16384 slots on one master) is enough to prove the cluster rules: any
 * XREAD naming keys of two slots fails with CROSSSLOT there, exactly as on a real cluster.
 */
interface SingleNodeCluster {
  nodes: string[];
  stop(): Promise<void>;
}

async function startSingleNodeCluster(): Promise<SingleNodeCluster> {
  if (!redisServerAvailable()) throw new Error('redis-server is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'bus-cluster-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1',
      '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  child.on('error', () => undefined);
  const admin = new Redis(port, '127.0.0.1', { retryStrategy: () => 20 });
  admin.on('error', () => undefined);
  try {
    await waitFor(() => admin.ping().catch(() => 'down'), (reply) => reply === 'PONG');
    await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    // The node declares the cluster healthy on its next state update (up to a couple of seconds).
    await waitFor(() => admin.call('CLUSTER', 'INFO') as Promise<string>, (info) => info.includes('cluster_state:ok'), 10_000, 50);
  } finally {
    admin.disconnect();
  }
  return {
    nodes: [`127.0.0.1:${port}`],
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGKILL');
      }),
  };
}

describe('on a Redis Cluster', () => {
  let cluster: SingleNodeCluster;
  let commands: RedisClient;
  let inspector: Redis;
  let publisher: BusPublisher;
  let server: RedisStreamsServer | undefined;
  const received: string[] = [];

  async function startServer(streams: RedisStreamsServer['streams'] extends () => infer S ? S : never, blockMs: number) {
    const bus = new RedisStreamsServer({
      createClient: () => createRedisClient({ clusterNodes: cluster.nodes, name: 'spec:cluster' }),
      createReadClient: () => createBlockingClient({ clusterNodes: cluster.nodes, name: 'spec:cluster-read' }),
      consumer: 'clustered-1',
      streams,
      blockMs,
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

  beforeAll(async () => {
    cluster = await startSingleNodeCluster();
    commands = createRedisClient({ clusterNodes: cluster.nodes, name: 'spec:publisher' });
    inspector = specClient(`redis://${cluster.nodes[0]}`);
    publisher = new BusPublisher(commands);
  }, 20_000);

  afterEach(async () => {
    await server?.close();
    server = undefined;
    received.length = 0;
  });

  afterAll(async () => {
    commands.disconnect();
    inspector.disconnect();
    await cluster.stop();
  });

  it('reads streams of different slots in separate loops, never one read across slots', async () => {
    expect(new Set([slotOf('tts:{s1}:in'), slotOf('tts:{s2}:in'), slotOf('calls:control')]).size).toBe(3);
    await startServer([{ stream: 'tts:{s1}:in', group: 'tts-worker' }, { stream: 'tts:{s2}:in', group: 'tts-worker' }, { stream: 'calls:control' }], 200);

    await publisher.publish('tts:{s1}:in', sentence('v3:one', 0));
    await publisher.publish('tts:{s2}:in', sentence('v3:two', 0));
    await publisher.publish('calls:control', sentence('v3:ctl', 0));
    await waitFor(() => received.length, (n) => n === 3);
    expect([...received].sort()).toEqual(['v3:ctl#0', 'v3:one#0', 'v3:two#0']);
    // One blocking connection per (kind, slot): two group slots and the plain stream's slot.
    expect((await connectionNames(inspector)).filter((name) => name === 'spec:cluster-read')).toHaveLength(3);
  });

  it('interrupts a blocked read on the node that holds the slot when a stream of that slot is added', async () => {
    const bus = await startServer([{ stream: 'tts:{s4}:in', group: 'tts-worker' }], 5000);
    await waitFor(() => blockedClients(inspector), (n) => n === 1);
    // Same hash tag, same slot: it joins the blocked loop rather than getting a loop of its own.
    await bus.addStream({ stream: 'tts:{s4}:retry', group: 'tts-worker' });
    const startedAt = Date.now();
    await publisher.publish('tts:{s4}:retry', sentence('v3:four', 1));
    await waitFor(() => received.length, (n) => n === 1, 10_000);
    expect(Date.now() - startedAt).toBeLessThan(500);
    expect((await connectionNames(inspector)).filter((name) => name === 'spec:cluster-read')).toHaveLength(1);
  });
});
