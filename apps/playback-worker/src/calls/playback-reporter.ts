import { Inject, Injectable } from '@nestjs/common';
import { PLAYBACK_EVENTS_STREAM, message } from '@app/contracts';
import { Clock } from '@app/clock';
import { Publisher } from '@app/bus';
import { CLOCK, PUBLISHER } from '@app/core';

/** What the playback-worker tells the others: the agent started / finished being heard, and what was heard. */
@Injectable()
export class PlaybackReporter {
  constructor(
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  started(callId: string, turnId: string): Promise<string> {
    return this.publisher.publish(PLAYBACK_EVENTS_STREAM, message('playback.started', { callId, turnId, at: this.clock.epochNow() }));
  }

  finished(callId: string, turnId: string): Promise<string> {
    return this.publisher.publish(PLAYBACK_EVENTS_STREAM, message('playback.finished', { callId, turnId, at: this.clock.epochNow() }));
  }

  heard(callId: string, turnId: string, text: string, complete: boolean): Promise<string> {
    return this.publisher.publish(
      PLAYBACK_EVENTS_STREAM,
      message('turn.heard', { callId, turnId, text, complete, at: this.clock.epochNow() }),
    );
  }
}
