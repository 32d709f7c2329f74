import Redis from 'ioredis';
import { FakeClock } from '@app/clock';
import { ttsShardLeaseKey } from '@app/contracts';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { ShardLeaseManager } from './shard-lease.manager';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

describe('ShardLeaseManager (real Redis, fake clock)', () => {
  let server: TestRedis;
  let redis: Redis;
  const clock = new FakeClock(0, Date.now());

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(() => redis.flushall());

  function worker(id: string, shardCount = 8, busy: (shard: number) => boolean = () => false) {
    const acquired: Array<[number, number]> = [];
    const lost: Array<[number, string]> = [];
    const manager = new ShardLeaseManager({
      redis,
      instanceId: id,
      shardCount,
      clock,
      logger: silent,
      leaseTtlMs: 3000,
      events: { acquired: (s, f) => void acquired.push([s, f]), lost: (s, r) => void lost.push([s, r]), busy },
    });
    return { manager, acquired, lost };
  }

  it('a lone worker takes every shard, each with a fencing token', async () => {
    const a = worker('a');
    await a.manager.tick();
    expect([...a.manager.shards().keys()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a.acquired.every(([, fence]) => fence === 1)).toBe(true);
  });

  it('two workers converge on a fair split; the first gives shards up only down to its share', async () => {
    const a = worker('a');
    const b = worker('b');
    await a.manager.tick();
    await b.manager.tick(); // b registers: share becomes 4, nothing free yet
    await a.manager.tick(); // a sheds to 4
    await b.manager.tick(); // b takes the 4 freed
    expect(a.manager.shards().size).toBe(4);
    expect(b.manager.shards().size).toBe(4);
    const all = new Set([...a.manager.shards().keys(), ...b.manager.shards().keys()]);
    expect(all.size).toBe(8);
  });

  it('never sheds a shard with a turn in progress (moves happen at turn boundaries)', async () => {
    const a = worker('a', 8, () => true);
    const b = worker('b');
    await a.manager.tick();
    await b.manager.tick();
    await a.manager.tick();
    expect(a.manager.shards().size).toBe(8);
    expect(a.lost).toEqual([]);
  });

  it('a crashed worker\'s shards are taken after the lease TTL with a larger fencing token', async () => {
    const a = worker('a');
    await a.manager.tick();
    // a dies: no more renewals. Its leases expire in Redis after the TTL (real time, short).
    await redis.eval("for _,k in ipairs(redis.call('KEYS','tts:*:lease')) do redis.call('PEXPIRE',k,1) end", 0);
    await new Promise((r) => setTimeout(r, 20));
    clock.advance(4000);
    const b = worker('b');
    await b.manager.tick();
    expect(b.manager.shards().size).toBe(8);
    expect(b.acquired.every(([, fence]) => fence === 2)).toBe(true);
  });

  it('notices a lease lost to another holder and reports it', async () => {
    const a = worker('a');
    await a.manager.tick();
    await redis.set(ttsShardLeaseKey(3), 'someone-else');
    await a.manager.tick();
    expect(a.manager.shards().has(3)).toBe(false);
    expect(a.lost).toContainEqual([3, 'expired']);
  });

  it('a shard given up is handed over while the lease is still ours, then released', async () => {
    const seenHolders: Array<string | null> = [];
    const manager = new ShardLeaseManager({
      redis,
      instanceId: 'a',
      shardCount: 2,
      clock,
      logger: silent,
      leaseTtlMs: 3000,
      events: { acquired: () => undefined, lost: async (s) => void seenHolders.push(await redis.get(ttsShardLeaseKey(s))), busy: () => false },
    });
    await manager.tick();
    await manager.stop();
    expect(seenHolders).toEqual([expect.stringMatching(/^a:/), expect.stringMatching(/^a:/)]);
    expect(await redis.keys('tts:*:lease')).toEqual([]);
  });

  it('a shard it fails to take is released at once, not held unread', async () => {
    const manager = new ShardLeaseManager({
      redis,
      instanceId: 'a',
      shardCount: 2,
      clock,
      logger: silent,
      leaseTtlMs: 3000,
      events: { acquired: (s) => { if (s === 1) throw new Error('redis down'); }, lost: () => undefined, busy: () => false },
    });
    await manager.tick();
    expect([...manager.shards().keys()]).toEqual([0]);
    expect(await redis.get(ttsShardLeaseKey(1))).toBeNull();
    await manager.stop();
  });

  it('stop() releases every lease so another worker takes over at once', async () => {
    const a = worker('a');
    await a.manager.start();
    await a.manager.stop();
    expect(await redis.keys('tts:*:lease')).toEqual([]);
    expect(a.lost.filter(([, r]) => r === 'released')).toHaveLength(8);
    const b = worker('b');
    await b.manager.tick();
    expect(b.manager.shards().size).toBe(8);
  });
});
