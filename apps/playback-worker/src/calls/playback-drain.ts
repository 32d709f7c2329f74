import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { PLAYBACK_REST_STREAM } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppLogger } from '@app/telemetry';
import { CLOCK, LOGGER, STREAMS_CONTROL, StreamsControl } from '@app/core';
import { MediaSocketServer } from '../media/media-socket.server';
import { CallPlaybackRegistry } from './call-playback.registry';
import { DRAIN_MAX_MS, drainCalls } from './drain-calls';
import { DrainState } from './drain-state';

/**
 * SIGTERM (Nest's shutdown, before the bus and the HTTP server close): stop taking calls, keep pacing
 * the held ones until they end or DRAIN_MAX_MS passes, then close what is left. The bus keeps reading
 * meanwhile: held calls still need their audio, cancels and call ends.
 */
@Injectable()
export class PlaybackDrain implements BeforeApplicationShutdown {
  constructor(
    private readonly registry: CallPlaybackRegistry,
    private readonly state: DrainState,
    private readonly media: MediaSocketServer,
    @Inject(STREAMS_CONTROL) private readonly streams: StreamsControl,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.state.begin(this.clock.now());
    try {
      await this.streams.removeStream(PLAYBACK_REST_STREAM); // new REST calls go to the other instances
    } catch (error) {
      this.logger.warn({ err: error }, 'could not stop reading REST assignments');
    }
    await drainCalls(this.registry, this.clock, this.logger, DRAIN_MAX_MS);
    this.registry.closeAll();
    this.media.closeAll();
  }
}
