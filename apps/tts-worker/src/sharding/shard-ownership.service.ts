import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { GROUPS, ttsShardStream } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { APP_METRICS, AppLogger, AppMetrics } from '@app/telemetry';
import { RedisClient } from '@app/bus';
import { APP_RUNTIME, AppRuntime, CLOCK, CONFIG, LOGGER, REDIS, STREAMS_CONTROL, StreamsControl } from '@app/core';
import { SessionRebuilder } from '../sessions/session-rebuilder';
import { SpeechSessionRegistry } from '../sessions/speech-session.registry';
import { TTS_WORKER_SETTINGS, TtsWorkerSettings } from '../tts-worker.settings';
import { ShardGate } from './shard-gate';
import { ShardLeaseManager } from './shard-lease.manager';

/** How long giving a shard up waits for its handlers still running (a sentence's Redis write: ~1 ms). */
export const HANDLER_SETTLE_TIMEOUT_MS = 1_000;
/** SIGTERM: how often the drain looks whether turns in progress have finished. */
const DRAIN_POLL_MS = 50;

/**
 * Ties shard leases to what this worker reads and serves. Acquired: rebuild the shard's calls, then
 * read its stream, claiming at once what the previous holder left pending. Given up: stop reading,
 * let running handlers finish, close the shard's sessions, and only then release the lease, so the
 * next holder starts from a quiet shard. SIGTERM drains turns in progress (bounded) before that.
 */
@Injectable()
export class ShardOwnershipService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly leases: ShardLeaseManager;
  private started = false;

  constructor(
    private readonly sessions: SpeechSessionRegistry,
    private readonly rebuilder: SessionRebuilder,
    private readonly gate: ShardGate,
    @Inject(STREAMS_CONTROL) private readonly streams: StreamsControl,
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_RUNTIME) runtime: AppRuntime,
    @Inject(CONFIG) config: AppConfig,
    @Inject(TTS_WORKER_SETTINGS) private readonly settings: TtsWorkerSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
    @Inject(APP_METRICS) private readonly metrics: AppMetrics,
  ) {
    this.leases = new ShardLeaseManager({
      redis,
      instanceId: runtime.instanceId,
      shardCount: config.TTS_SHARDS,
      clock,
      logger,
      leaseTtlMs: settings.leaseTtlMs,
      events: {
        acquired: (shard) => this.take(shard),
        lost: (shard, reason) => this.giveUp(shard, reason),
        busy: (shard) => this.sessions.shardBusy(shard),
      },
    });
    this.sessions.useFences((shard) => this.leases.fenceOf(shard));
  }

  /** Readiness: why this worker should not get traffic now, if it should not. */
  readinessProblem(): string | undefined {
    if (!this.started) return 'tts shard leases not acquired yet';
    if (!this.leases.acquiring) return 'draining';
    if (this.gate.size === 0) return 'holds no tts shard';
    return undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.leases.start();
    this.started = true;
  }

  /** Drain (while the bus still reads): let turns in progress finish (bounded), release the leases so another worker takes over now. */
  async beforeApplicationShutdown(): Promise<void> {
    this.leases.drain();
    const deadline = this.clock.now() + this.settings.drainTimeoutMs;
    while (this.sessions.anyBusy() && this.clock.now() < deadline) await this.clock.sleep(DRAIN_POLL_MS);
    if (this.sessions.anyBusy()) this.logger.warn({}, 'drain timed out: turns in progress continue on the next holders');
    await this.leases.stop();
    await this.sessions.closeAll();
    this.logger.info({}, 'tts-worker drained');
  }

  private async take(shard: number): Promise<void> {
    this.gate.open(shard);
    this.metrics.setTtsHeldShards(this.gate.size);
    const rebuilt = await this.rebuilder.rebuildShard(shard);
    if (rebuilt > 0) this.logger.info({ shard, calls: rebuilt }, 'shard taken over');
    await this.streams.addStream({ stream: ttsShardStream(shard), group: GROUPS.tts, claimPendingOnAdd: true });
  }

  private async giveUp(shard: number, reason: 'released' | 'expired'): Promise<void> {
    await this.streams.removeStream(ttsShardStream(shard));
    this.gate.close(shard);
    this.metrics.setTtsHeldShards(this.gate.size);
    if (!(await this.gate.settled(shard, this.clock, HANDLER_SETTLE_TIMEOUT_MS))) {
      this.logger.warn({ shard }, 'handlers of a shard given up still running');
    }
    const closed = this.sessions.handOverShard(shard);
    this.logger.info({ shard, reason, calls: closed }, 'shard handed over');
  }
}
