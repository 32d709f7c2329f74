import { Inject, Injectable } from '@nestjs/common';
import {
  TelnyxWebhook,
  hangupPayloadSchema,
  initiatedPayloadSchema,
  streamingFailedPayloadSchema,
  transcriptionPayloadSchema,
} from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentConfig, AgentDirectory, AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { AGENTS, CLOCK, CONFIG, LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { TurnTakingService } from './turn-taking.service';
import { buildAnswerRequest } from './answer-request.builder';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';

/** Said to a caller who reached a number that no agent answers (and no default agent exists). */
export const NO_AGENT_LINE = 'Sorry, this number is not in service. Goodbye.';

/**
 * Each call's state machine: initiated → answering → answered (greeting) → listening ⇄ speaking → ended.
 * Telnyx re-delivers, duplicates and reorders webhooks, so every handler checks the state it expects
 * and treats anything else as already done (a re-delivered call.initiated never resets a live call).
 */
@Injectable()
export class CallFlowService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    private readonly turns: TurnTakingService,
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async handle(event: TelnyxWebhook, receivedAt: number): Promise<void> {
    const { event_type: type, id: eventId } = event.data;
    const callId = event.data.payload.call_control_id;
    switch (type) {
      case 'call.initiated':
        return this.onInitiated(event, eventId, callId);
      case 'call.answered':
        return this.onAnswered(eventId, callId);
      case 'call.transcription': {
        const payload = transcriptionPayloadSchema.safeParse(event.data.payload);
        if (!payload.success) {
          this.logger.warn({ callId, eventId }, 'transcription without transcription_data, ignored');
          return;
        }
        const data = payload.data.transcription_data;
        return this.turns.onTranscript(callId, data.transcript, data.is_final, receivedAt);
      }
      case 'call.hangup': {
        const payload = hangupPayloadSchema.parse(event.data.payload);
        return this.onHangup(callId, payload.hangup_cause ?? 'unknown');
      }
      case 'call.speak.ended':
        // The only thing we speak through Telnyx TTS is the refusal line: hang up once it has been said.
        if (!(await this.calls.get(callId))) await this.telnyx.hangup(callId, `${eventId}:hangup`, {});
        return;
      case 'streaming.failed': {
        const payload = streamingFailedPayloadSchema.parse(event.data.payload);
        this.logger.warn({ callId, reason: payload.failure_reason }, 'media streaming failed, switching the call to REST playback');
        await this.calls.set(callId, { playbackMode: 'rest' });
        return;
      }
      default:
        this.logger.debug({ callId, eventId, eventType: type }, 'webhook event noted');
    }
  }

  private async onInitiated(event: TelnyxWebhook, eventId: string, callId: string): Promise<void> {
    const payload = initiatedPayloadSchema.safeParse(event.data.payload);
    if (!payload.success) {
      this.logger.warn({ callId, eventId }, 'call.initiated without direction/from/to, ignored');
      return;
    }
    const { direction, from, to } = payload.data;
    if (direction === 'outgoing') return; // our own dial: the record exists already, answered comes next
    const agent = this.agents.forNumber(to);
    if (!agent) return this.refuse(eventId, callId, to);
    const created = await this.calls.createIfAbsent({
      callId,
      agentId: agent.id,
      state: 'answering',
      direction,
      from,
      to,
      playbackMode: agent.playback.mode,
      createdAt: this.clock.epochNow(),
    });
    if (!created) {
      this.logger.info({ callId, eventId }, 'call.initiated for a known call, ignored');
      return;
    }
    this.logger.info({ callId, agentId: agent.id, pii: { from, to } }, 'call initiated, answering');
    await this.events.lifecycle(callId, agent.id, 'answering');
    await this.telnyx.answer(callId, `${eventId}:answer`, buildAnswerRequest(this.config, agent, callId));
  }

  private async onAnswered(eventId: string, callId: string): Promise<void> {
    const call = await this.calls.get(callId);
    if (!call || call.state === 'ended') return;
    if (call.state !== 'answering' && call.state !== 'initiated') return;
    const agent = this.agentOf(call.agentId);
    await this.calls.setState(callId, 'answered', { answeredAt: String(this.clock.epochNow()) });
    // The TTS socket opens now, in parallel with everything else, so the greeting finds it warm.
    await this.events.openTts(callId, agent.id);
    await this.events.lifecycle(callId, agent.id, 'answered');
    await this.turns.agentSays(callId, agent.greeting, 'greeting');
    this.logger.info({ callId, eventId }, 'call answered, greeting');
  }

  private async onHangup(callId: string, cause: string): Promise<void> {
    const call = await this.calls.get(callId);
    if (!call || call.state === 'ended') return;
    await this.calls.markEnded(callId, cause, this.clock.epochNow());
    if (call.turnId !== '0') await this.events.turnMetrics(callId, call.turnId);
    this.turns.forget(callId);
    await this.events.callEnded(callId, cause);
    await this.events.closeTts(callId);
    await this.events.lifecycle(callId, call.agentId, 'ended', cause);
    this.logger.info({ callId, cause }, 'call ended');
  }

  /** Nobody answers this number: say so politely, then hang up (on call.speak.ended); keep no state. */
  private async refuse(eventId: string, callId: string, to: string): Promise<void> {
    this.logger.warn({ callId, pii: { to } }, 'no agent for the called number, refusing the call');
    await this.telnyx.answer(callId, `${eventId}:answer`, {});
    await this.telnyx.speak(callId, `${eventId}:speak`, { payload: NO_AGENT_LINE, voice: 'female', language: 'en-US' });
    // Hung up on call.speak.ended, so the caller hears the line.
  }

  private agentOf(agentId: string): AgentConfig {
    const agent = this.agents.get(agentId);
    if (!agent) throw new Error(`agent ${agentId} of a live call is not configured`);
    return agent;
  }
}
