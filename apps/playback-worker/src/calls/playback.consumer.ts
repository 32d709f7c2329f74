import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { AudioChunkMessage, AudioEndMessage, CallEndedMessage, TurnCancelMessage } from '@app/contracts';
import { CallPlaybackRegistry } from './call-playback.registry';

/** Audio of the calls this instance plays, and the control lane (cancel, call ended). */
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

  @EventPattern('turn.cancel')
  onCancel(@Payload() cancel: TurnCancelMessage): void {
    this.registry.cancel(cancel.callId, cancel.turnId);
  }

  @EventPattern('call.ended')
  onCallEnded(@Payload() ended: CallEndedMessage): Promise<void> {
    return this.registry.release(ended.callId, true);
  }
}
