import { Inject, Injectable } from '@nestjs/common';
import {
  CONTROL_STREAM,
  CallState,
  CancelReason,
  LIFECYCLE_STREAM,
  PLAYBACK_REST_STREAM,
  PlaybackAssignMessage,
  TURNS_STREAM,
  TelnyxPlaybackMessage,
  TurnKind,
  audioStream,
  message,
  shardOf,
  ttsShardStream,
} from '@app/contracts';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { Publisher } from '@app/bus';
import { CLOCK, CONFIG, PUBLISHER } from '@app/core';
import { TurnMarks } from '@app/telemetry';

/** Everything the gateway tells the other services, each on its lane. */
@Injectable()
export class CallEventsPublisher {
  constructor(
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly marks: TurnMarks,
  ) {}

  lifecycle(callId: string, agentId: string, state: CallState, detail?: string): Promise<string> {
    return this.publisher.publish(
      LIFECYCLE_STREAM,
      message('call.lifecycle', { callId, agentId, state, detail, at: this.clock.epochNow() }),
    );
  }

  async userTurn(callId: string, turnId: string, agentId: string, text: string, finalAt: number): Promise<string> {
    const id = await this.publisher.publish(
      TURNS_STREAM,
      message('turn', { callId, turnId, agentId, text, finalAt, at: this.clock.epochNow() }),
    );
    this.marks.stamp(callId, turnId, 'finalAt', finalAt);
    this.marks.stamp(callId, turnId, 'turnPublishedAt');
    return id;
  }

  /** Lines the agent says without the LLM (greeting, reprompt): straight to the call's TTS shard. */
  agentLine(callId: string, turnId: string, text: string, kind: TurnKind): Promise<string> {
    return this.publisher.publish(
      this.shardStream(callId),
      message('sentence', { callId, turnId, seq: 0, text, last: true, kind, at: this.clock.epochNow() }),
    );
  }

  openTts(callId: string, agentId: string): Promise<string> {
    return this.publisher.publish(this.shardStream(callId), message('tts.open', { callId, agentId, at: this.clock.epochNow() }));
  }

  closeTts(callId: string): Promise<string> {
    return this.publisher.publish(this.shardStream(callId), message('tts.close', { callId, at: this.clock.epochNow() }));
  }

  async cancelTurn(callId: string, turnId: string, reason: CancelReason): Promise<string> {
    const id = await this.publisher.publish(CONTROL_STREAM, message('turn.cancel', { callId, turnId, reason, at: this.clock.epochNow() }));
    void this.marks.publish(callId, turnId, { cancelled: true });
    return id;
  }

  /** The turn's waterfall entry, now (a turn that ended without being heard to its end). */
  turnMetrics(callId: string, turnId: string): Promise<string | undefined> {
    return this.marks.publish(callId, turnId);
  }

  callEnded(callId: string, reason: string): Promise<string> {
    return this.publisher.publish(CONTROL_STREAM, message('call.ended', { callId, reason, at: this.clock.epochNow() }));
  }

  /** The call's audio goes to REST playback (`playback_start`) from now on: one playback-worker takes it. */
  playbackAssign(callId: string, agentId: string, reason: PlaybackAssignMessage['reason']): Promise<string> {
    return this.publisher.publish(PLAYBACK_REST_STREAM, message('playback.assign', { callId, agentId, reason, at: this.clock.epochNow() }));
  }

  /** Telnyx's report on a REST playback, in order with the call's audio, for the worker playing it. */
  telnyxPlayback(callId: string, event: TelnyxPlaybackMessage['event'], status: string | undefined): Promise<string> {
    return this.publisher.publish(audioStream(callId), message('telnyx.playback', { callId, event, status, at: this.clock.epochNow() }));
  }

  private shardStream(callId: string): string {
    return ttsShardStream(shardOf(callId, this.config.TTS_SHARDS));
  }
}
