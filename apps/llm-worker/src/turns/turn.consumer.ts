import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CallEndedMessage, TurnCancelMessage, TurnHeardMessage, TurnMessage } from '@app/contracts';
import { AppLogger } from '@app/telemetry';
import { LOGGER } from '@app/core';
import { AnswerGenerationService } from '../answer/answer-generation.service';
import { ConversationHistoryStore } from '../history/conversation-history.store';

/** User turns in (shared consumer group), cancels and call ends from the control lane (broadcast). */
@Controller()
export class TurnConsumer {
  constructor(
    private readonly answers: AnswerGenerationService,
    private readonly history: ConversationHistoryStore,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  @EventPattern('turn')
  async onTurn(@Payload() turn: TurnMessage): Promise<void> {
    await this.answers.answer(turn);
  }

  @EventPattern('turn.cancel')
  async onCancel(@Payload() cancel: TurnCancelMessage): Promise<void> {
    const aborted = this.answers.aborts.abort(cancel.callId, cancel.turnId, cancel.reason);
    if (aborted) this.logger.info({ callId: cancel.callId, turnId: cancel.turnId, reason: cancel.reason }, 'llm generation aborted');
    // A merged turn's half question and its answer were never heard: keep neither.
    if (cancel.reason === 'merge') await this.history.removeTurn(cancel.callId, cancel.turnId);
  }

  @EventPattern('call.ended')
  async onCallEnded(@Payload() ended: CallEndedMessage): Promise<void> {
    this.answers.aborts.abort(ended.callId, undefined, 'hangup');
    await this.history.clear(ended.callId);
  }

  /** What the caller actually heard replaces what was generated, for an interrupted turn. */
  @EventPattern('turn.heard')
  async onHeard(@Payload() heard: TurnHeardMessage): Promise<void> {
    if (heard.complete) return;
    await this.history.replaceAssistant(heard.callId, heard.turnId, heard.text);
  }
}
