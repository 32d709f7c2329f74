import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CallEndedMessage, SentenceMessage, TtsCloseMessage, TtsOpenMessage, TurnCancelMessage } from '@app/contracts';
import { ShardGate } from '../sharding/shard-gate';
import { SpeechSessionRegistry } from './speech-session.registry';

/**
 * The shard streams this worker holds (open, sentences, close) and the control lane (cancel, ended).
 * Shard entries run through the gate: one that reaches us after we gave its shard up stays pending
 * for the new holder. A sentence is recorded in the call's turn state before its entry is acked (it
 * is pushed to the socket first: the record costs no latency), so a takeover loses none.
 */
@Controller()
export class TtsConsumer {
  constructor(
    private readonly sessions: SpeechSessionRegistry,
    private readonly gate: ShardGate,
  ) {}

  @EventPattern('tts.open')
  onOpen(@Payload() open: TtsOpenMessage): Promise<void> {
    const shard = this.sessions.shardOf(open.callId);
    return this.gate.run(shard, async () => {
      if (this.sessions.open(open.callId, open.agentId)) await this.sessions.store.addCall(shard, open.callId);
    });
  }

  @EventPattern('sentence')
  onSentence(@Payload() sentence: SentenceMessage): Promise<void> {
    const { callId, turnId, seq, text, last } = sentence;
    return this.gate.run(this.sessions.shardOf(callId), async () => {
      const session = await this.sessions.forSentence(callId);
      if (!session) return; // the call has ended
      session.sentence({ turnId, seq, text, last });
      await this.sessions.store.recordSentence(callId, turnId, { seq, text, last });
    });
  }

  @EventPattern('tts.close')
  onClose(@Payload() close: TtsCloseMessage): Promise<void> {
    return this.gate.run(this.sessions.shardOf(close.callId), () => this.sessions.end(close.callId));
  }

  /** Every worker reads the control lane; the one holding the call's shard acts. */
  @EventPattern('turn.cancel')
  async onCancel(@Payload() cancel: TurnCancelMessage): Promise<void> {
    if (!this.gate.isOpen(this.sessions.shardOf(cancel.callId))) return;
    this.sessions.get(cancel.callId)?.cancel(cancel.turnId);
    await this.sessions.store.cancelTurn(cancel.callId, cancel.turnId);
  }

  @EventPattern('call.ended')
  async onCallEnded(@Payload() ended: CallEndedMessage): Promise<void> {
    if (this.gate.isOpen(this.sessions.shardOf(ended.callId))) await this.sessions.end(ended.callId);
  }
}
