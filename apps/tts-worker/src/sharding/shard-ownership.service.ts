import { Inject, Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { GROUPS, ttsShardStream } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { RedisClient } from '@app/bus';
import { APP_RUNTIME, AppRuntime, CLOCK, CONFIG, LOGGER, REDIS, STREAMS_CONTROL, StreamsControl } from '@app/core';
import { SpeechSessionRegistry } from '../sessions/speech-session.registry';
import { ShardLeaseManager } from './shard-lease.manager';

/** SIGTERM: how long turns in progress may take to finish before the shards are released anyway. */
export const DRAIN_TIMEOUT_MS = 8000;
const DRAIN_POLL_MS = 50;

/**
 * Ties shard leases to what this worker reads: a shard's stream is consumed exactly while its lease is
 * held, so all of a call's sentences reach the worker that holds the call's socket.
 */
@Injectable()
export class ShardOwnershipService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly leases: ShardLeaseManager;

  constructor(
    private readonly sessions: SpeechSessionRegistry,
    @Inject(STREAMS_CONTROL) private readonly streams: StreamsControl,
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_RUNTIME) runtime: AppRuntime,
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.leases = new ShardLeaseManager({
      redis,
      instanceId: runtime.instanceId,
      shardCount: config.TTS_SHARDS,
      clock,
      logger,
      events: {
        acquired: (shard) => this.streams.addStream({ stream: ttsShardStream(shard), group: GROUPS.tts }),
        lost: async (shard) => {
          await this.streams.removeStream(ttsShardStream(shard));
          await this.sessions.closeShard(shard);
        },
        busy: (shard) => this.sessions.shardBusy(shard),
      },
    });
    this.sessions.useFences((shard) => this.leases.fenceOf(shard));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.leases.start();
  }

  /** Drain (while the bus still reads): let turns in progress finish (bounded), release the leases so another worker takes over now. */
  async beforeApplicationShutdown(): Promise<void> {
    const deadline = this.clock.now() + DRAIN_TIMEOUT_MS;
    while (this.sessions.anyBusy() && this.clock.now() < deadline) await this.clock.sleep(DRAIN_POLL_MS);
    await this.leases.stop();
    await this.sessions.closeAll();
    this.logger.info({}, 'tts-worker drained');
  }
}
