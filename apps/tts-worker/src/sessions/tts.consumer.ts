import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CallEndedMessage, SentenceMessage, TtsCloseMessage, TtsOpenMessage, TurnCancelMessage } from '@app/contracts';
import { SpeechSessionRegistry } from './speech-session.registry';

/** The shard streams this worker holds (open, sentences, close) and the control lane (cancel, ended). */
@Controller()
export class TtsConsumer {
  constructor(private readonly sessions: SpeechSessionRegistry) {}

  @EventPattern('tts.open')
  onOpen(@Payload() open: TtsOpenMessage): void {
    this.sessions.open(open.callId, open.agentId);
  }

  @EventPattern('sentence')
  async onSentence(@Payload() sentence: SentenceMessage): Promise<void> {
    (await this.sessions.forSentence(sentence.callId))?.sentence(sentence);
  }

  @EventPattern('tts.close')
  onClose(@Payload() close: TtsCloseMessage): Promise<void> {
    return this.sessions.close(close.callId);
  }

  @EventPattern('turn.cancel')
  onCancel(@Payload() cancel: TurnCancelMessage): void {
    this.sessions.get(cancel.callId)?.cancel(cancel.turnId);
  }

  @EventPattern('call.ended')
  onCallEnded(@Payload() ended: CallEndedMessage): Promise<void> {
    return this.sessions.close(ended.callId);
  }
}
