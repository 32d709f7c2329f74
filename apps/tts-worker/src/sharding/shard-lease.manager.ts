import { randomBytes } from 'node:crypto';
import { ttsShardFenceKey, ttsShardLeaseKey, TTS_WORKERS_KEY } from '@app/contracts';
import { Clock, TimerHandle } from '@app/clock';
import { RedisClient } from '@app/bus';
import { AppLogger } from '@app/telemetry';
import { ACQUIRE_LEASE, RELEASE_LEASE, RENEW_LEASE } from './lease-scripts';

/** A shard lease lives this long without renewal: how long a crashed worker's calls wait for a new owner. */
export const DEFAULT_LEASE_TTL_MS = 5000;
/** Renewing at a third of the TTL survives two missed rounds (a GC pause, a slow Redis) before the lease lapses. */
export const RENEW_FRACTION = 3;

export interface ShardLeaseEvents {
  /** We now own the shard; `fence` is its new fencing token (larger than any earlier owner's). */
  acquired(shard: number, fence: number): Promise<void> | void;
  /**
   * We no longer own the shard. 'released': called while the lease is still ours, before it is
   * released, so the holder can stop reading and close the shard's sessions first (the next holder
   * then starts from a quiet shard). 'expired': renewal found the lease gone (another may hold it).
   */
  lost(shard: number, reason: 'released' | 'expired'): Promise<void> | void;
  /** Whether the shard has a turn in progress (then it is not given away to rebalance). */
  busy(shard: number): boolean;
}

export interface ShardLeaseOptions {
  redis: RedisClient;
  instanceId: string;
  shardCount: number;
  clock: Clock;
  logger: AppLogger;
  events: ShardLeaseEvents;
  leaseTtlMs?: number;
}

/**
 * Call-affinity sharding: each worker holds leases on about ceil(shards / live workers) shards. It
 * takes free shards first, keeps the ones it has (sticky), and gives one up only when it holds more
 * than its share and the shard has no turn in progress, so a call moves at most at a turn boundary.
 */
export class ShardLeaseManager {
  private readonly held = new Map<number, number>();
  private readonly token: string;
  private readonly ttlMs: number;
  private timer?: TimerHandle;
  private draining = false;
  private ticking?: Promise<void>;

  constructor(private readonly options: ShardLeaseOptions) {
    this.token = `${options.instanceId}:${randomBytes(6).toString('hex')}`;
    this.ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  /** Taking shards (not draining). */
  get acquiring(): boolean {
    return !this.draining;
  }

  /** Shards held, with their fencing tokens. */
  shards(): ReadonlyMap<number, number> {
    return this.held;
  }

  fenceOf(shard: number): number | undefined {
    return this.held.get(shard);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = this.options.clock.setInterval(() => {
      // A failed round (Redis unreachable, a cluster failover) is logged and retried next round: an
      // unhandled rejection here would kill the worker and every call it speaks for.
      if (!this.ticking) {
        this.ticking = this.tick()
          .catch((error: unknown) => this.options.logger.warn({ err: error }, 'shard lease round failed, retrying'))
          .finally(() => (this.ticking = undefined));
      }
    }, Math.floor(this.ttlMs / RENEW_FRACTION));
  }

  /** SIGTERM, first step: take no more shards (renewals go on while turns in progress finish). */
  drain(): void {
    this.draining = true;
  }

  /** Stops renewing and releases every lease (after the caller let turns finish). */
  async stop(): Promise<void> {
    this.draining = true;
    this.options.clock.clearInterval(this.timer);
    await this.ticking;
    for (const shard of [...this.held.keys()]) await this.release(shard);
    await this.options.redis.zrem(TTS_WORKERS_KEY, this.options.instanceId);
  }

  /** One round: heartbeat, renew, then grow or shrink towards the fair share. */
  async tick(): Promise<void> {
    const { redis, clock, shardCount, instanceId } = this.options;
    const now = clock.epochNow();
    if (!this.draining) await redis.zadd(TTS_WORKERS_KEY, now + this.ttlMs, instanceId);
    await redis.zremrangebyscore(TTS_WORKERS_KEY, '-inf', now);
    for (const shard of [...this.held.keys()]) {
      const renewed = await redis.eval(RENEW_LEASE, 1, ttsShardLeaseKey(shard), this.token, String(this.ttlMs));
      if (renewed !== 1) {
        this.held.delete(shard);
        this.options.logger.warn({ shard }, 'shard lease lost');
        await this.options.events.lost(shard, 'expired');
      }
    }
    if (this.draining) return;
    const workers = Math.max(1, await redis.zcount(TTS_WORKERS_KEY, now, '+inf'));
    const share = Math.ceil(shardCount / workers);
    if (this.held.size < share) await this.acquireUpTo(share);
    else if (this.held.size > share) await this.shedDownTo(share);
  }

  private async acquireUpTo(share: number): Promise<void> {
    const { redis, shardCount } = this.options;
    // Start at a point derived from our id so workers starting together don't race for the same shards.
    const offset = [...this.token].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % shardCount;
    for (let i = 0; i < shardCount && this.held.size < share; i++) {
      const shard = (offset + i) % shardCount;
      if (this.held.has(shard)) continue;
      const fence = await redis.eval(ACQUIRE_LEASE, 2, ttsShardLeaseKey(shard), ttsShardFenceKey(shard), this.token, String(this.ttlMs));
      if (typeof fence !== 'number') continue;
      this.held.set(shard, fence);
      this.options.logger.info({ shard, fence }, 'shard lease acquired');
      try {
        await this.options.events.acquired(shard, fence);
      } catch (error) {
        // Not serving it: give it back at once rather than hold a shard nobody reads.
        this.options.logger.error({ shard, err: String(error) }, 'taking a shard failed, lease released');
        await this.release(shard).catch(() => undefined);
      }
    }
  }

  private async shedDownTo(share: number): Promise<void> {
    for (const shard of [...this.held.keys()]) {
      if (this.held.size <= share) return;
      if (!this.options.events.busy(shard)) await this.release(shard);
    }
  }

  private async release(shard: number): Promise<void> {
    if (!this.held.has(shard)) return;
    await this.options.events.lost(shard, 'released');
    this.held.delete(shard);
    await this.options.redis.eval(RELEASE_LEASE, 1, ttsShardLeaseKey(shard), this.token);
    this.options.logger.info({ shard }, 'shard lease released');
  }
}
