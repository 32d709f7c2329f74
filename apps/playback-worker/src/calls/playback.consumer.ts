import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  AudioChunkMessage,
  AudioEndMessage,
  CallEndedMessage,
  PlaybackAssignMessage,
  TelnyxPlaybackMessage,
  TurnCancelMessage,
} from '@app/contracts';
import { CallPlaybackRegistry } from './call-playback.registry';

/**
 * Audio of the calls this instance plays (with Telnyx's REST playback events, in order with it), the
 * REST assignment lane (one instance of the group takes each call), and the control lane (cancel,
 * call ended), which never waits behind audio.
 */
@Controller()
export class PlaybackConsumer {
  constructor(private readonly registry: CallPlaybackRegistry) {}

  @EventPattern('audio')
  onAudio(@Payload() chunk: AudioChunkMessage): void {
    this.registry.onAudio(chunk);
  }

  @EventPattern('audio.end')
  onAudioEnd(@Payload() end: AudioEndMessage): void {
    this.registry.onAudio(end);
  }

  @EventPattern('telnyx.playback')
  onTelnyxPlayback(@Payload() event: TelnyxPlaybackMessage): void {
    this.registry.onTelnyxPlayback(event);
  }

  /** Acked once the call is claimed and its audio stream read; a failure leaves it pending for redelivery. */
  @EventPattern('playback.assign')
  onAssign(@Payload() assign: PlaybackAssignMessage): Promise<void> {
    return this.registry.assignRest(assign);
  }

  @EventPattern('turn.cancel')
  onCancel(@Payload() cancel: TurnCancelMessage): void {
    this.registry.cancel(cancel.callId, cancel.turnId);
  }

  @EventPattern('call.ended')
  onCallEnded(@Payload() ended: CallEndedMessage): Promise<void> {
    return this.registry.release(ended.callId, true);
  }
}
