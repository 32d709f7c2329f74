import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { APP_METRICS, AppLogger, AppMetrics } from '@app/telemetry';
import { CLOCK, CONFIG, LOGGER } from '@app/core';
import { FramePacer } from '../pacing';
import { MediaConnection } from '../media/media-connection';

/** Whatever currently carries a call's media (the connection changes when Telnyx reconnects). */
export interface MediaTarget {
  readonly connection: MediaConnection;
}

/**
 * The process's one FramePacer, wired to the calls' media sockets and to the metrics: every gap the
 * caller hears inside a stream (and every seamless sentence join, as 0) goes to `voice_gap_ms`.
 * Per frame: one map lookup and one socket write, whatever the number of calls.
 */
@Injectable()
export class PlaybackPacer implements OnApplicationShutdown {
  readonly pacer: FramePacer;
  private readonly targets = new Map<string, MediaTarget>();

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(APP_METRICS) metrics: AppMetrics,
    @Inject(LOGGER) logger: AppLogger,
  ) {
    this.pacer = new FramePacer(
      clock,
      {
        send: (callId, frame) => this.targets.get(callId)?.connection.sendAudio(frame),
        mark: (callId, name) => this.targets.get(callId)?.connection.sendMark(name),
        error: (callId, error) => logger.error({ callId, err: String(error) }, 'pacer output failed'),
        gap: (_callId, gapMs) => metrics.observeGap(gapMs),
      },
      { leadMs: config.PLAYBACK_LEAD_MS },
    );
  }

  bind(callId: string, target: MediaTarget): void {
    this.targets.set(callId, target);
  }

  /** Forgets the call: nothing of it is sent afterwards. */
  unbind(callId: string): void {
    this.pacer.remove(callId);
    this.targets.delete(callId);
  }

  onApplicationShutdown(): void {
    this.pacer.close();
    this.targets.clear();
  }
}
