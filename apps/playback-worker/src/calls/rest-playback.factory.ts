import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { APP_METRICS, AppLogger, AppMetrics } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { CLOCK, CONFIG, LOGGER } from '@app/core';
import { Mp3Encoder } from '../rest/mp3-encoder';
import { PlaybackCommands } from '../rest/rest-playback.ports';
import { RestCallPlayback } from '../rest/rest-call-playback';
import { CallFacts } from './playback-claims';
import { SentenceRef } from './playback-session';
import { PlaybackReporter } from './playback-reporter';
import { RestPlaybackSession } from './rest-playback.session';

/** The encoder's state, checked once at start (`verify`) so a missing ffmpeg is known before a call needs it. */
export type EncoderStatus = { readonly ready: true } | { readonly ready: false; readonly problem: string };

/**
 * Builds a call's REST playback: the process's one Mp3Encoder (system ffmpeg, bounded concurrency),
 * Telnyx commands through the SDK (TELNYX_BASE_URL / TELNYX_API_KEY), the same reporter as streaming.
 */
@Injectable()
export class RestPlaybackFactory implements OnApplicationBootstrap {
  readonly encoder: Mp3Encoder;
  private readonly commands: PlaybackCommands;
  private encoderStatus: EncoderStatus = { ready: false, problem: 'not verified yet' };

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_METRICS) private readonly metrics: AppMetrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly reporter: PlaybackReporter,
  ) {
    // FFMPEG_PATH / PATH from the config's snapshot of the environment (libs/config has no field for them yet).
    this.encoder = new Mp3Encoder({ clock, ffmpegPath: config.secrets.FFMPEG_PATH, searchPath: config.secrets.PATH });
    this.commands = new TelnyxCommands({ apiKey: config.TELNYX_API_KEY ?? 'unset', baseURL: config.TELNYX_BASE_URL, logger });
  }

  get status(): EncoderStatus {
    return this.encoderStatus;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.encoder.verify();
      this.encoderStatus = { ready: true };
      this.logger.info({ ffmpeg: this.encoder.binary.found ? this.encoder.binary.path : undefined }, 'ffmpeg ready for REST playback');
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      this.encoderStatus = { ready: false, problem };
      this.logger.error(
        { err: error, problem },
        'FFMPEG UNAVAILABLE: REST playback cannot encode MP3; calls of REST agents and streaming fallbacks will be silent',
      );
    }
  }

  create(callId: string, facts: CallFacts, resumeAfter: SentenceRef | undefined): RestPlaybackSession {
    if (!this.encoderStatus.ready) {
      this.logger.error({ callId, problem: this.encoderStatus.problem }, 'rest playback assigned but ffmpeg is unavailable: every sentence will be lost');
    }
    const playback = new RestCallPlayback(
      callId,
      {
        commands: this.commands,
        encoder: this.encoder,
        reports: this.reporter,
        clock: this.clock,
        logger: this.logger,
        onGap: (gap) => this.metrics.observeGap(gap.gapMs),
      },
      facts.turnId,
      { resumeAfter },
    );
    if (facts.bargedTurn && facts.bargedTurn === facts.turnId) playback.cancel(facts.bargedTurn);
    return new RestPlaybackSession(playback, resumeAfter);
  }
}
