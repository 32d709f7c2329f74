import { Inject, Injectable } from '@nestjs/common';
import { TelnyxWebhook, initiatedPayloadSchema } from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentConfig, AgentDirectory, AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { AGENTS, CLOCK, CONFIG, LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { CallTransitions } from './call-transitions.service';
import { AgentLines } from './agent-lines.service';
import { NoAgentRefusal } from './no-agent.refusal';
import { buildAnswerRequest, streamingOptions } from './answer-request.builder';
import { CallRecord, isLive } from './call-record';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';
import { agentIdOf, decodeClientState, isRefused } from '../telnyx/client-state';
import { startStreaming } from '../telnyx/streaming-start.command';

/**
 * A call from `call.initiated` to the greeting. Incoming: recorded (initiated), answered with streaming
 * and transcription (answering). Dialled: recorded by the dialer or by its own `call.initiated`,
 * whichever comes first. Both: on `call.answered`, answered → TTS opened, greeting on its way.
 * Every step is safe to run again for the same event (a crash half-way re-runs it): commands repeat
 * their command_id, transitions recognise their own event.
 */
@Injectable()
export class CallSetupService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    private readonly transitions: CallTransitions,
    private readonly lines: AgentLines,
    private readonly refusal: NoAgentRefusal,
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onInitiated(event: TelnyxWebhook): Promise<void> {
    const { id: eventId, payload: raw } = event.data;
    const callId = raw.call_control_id;
    const payload = initiatedPayloadSchema.safeParse(raw);
    if (!payload.success) {
      this.logger.warn({ callId, eventId }, 'call.initiated without direction/from/to, ignored');
      return;
    }
    const { direction, from, to } = payload.data;
    if (direction === 'outgoing') {
      await this.recordDialled(eventId, callId, from, to, agentIdOf(decodeClientState(raw.client_state)));
      return;
    }
    const agent = this.agents.forNumber(to);
    if (!agent) return this.refusal.refuse(eventId, callId, to);
    const created = await this.calls.createIfAbsent({
      callId, agentId: agent.id, state: 'initiated', direction, from, to,
      playbackMode: agent.playback.mode, createdAt: this.clock.epochNow(), stateEvent: eventId,
    });
    if (created || (await this.isOwnUnfinishedStart(callId, eventId))) await this.transitions.created(callId, agent.id, 'initiated', direction);
    const answering = await this.transitions.apply(callId, agent.id, { from: ['initiated'], to: 'answering', eventId });
    if (answering.outcome !== 'applied' && answering.outcome !== 'resumed') {
      this.logger.info({ callId, eventId, state: answering.previous }, 'call.initiated for a known call, ignored');
      return;
    }
    this.logger.info({ callId, eventId, agentId: agent.id, pii: { from, to } }, 'call initiated, answering');
    await this.telnyx.answer(callId, `${eventId}:answer`, buildAnswerRequest(this.config, agent, callId));
  }

  async onAnswered(event: TelnyxWebhook): Promise<void> {
    const { id: eventId, payload } = event.data;
    const callId = payload.call_control_id;
    const clientState = decodeClientState(payload.client_state);
    if (isRefused(clientState)) return this.refusal.onAnswered(eventId, callId);
    let call = await this.calls.get(callId);
    if (!call && agentIdOf(clientState)) {
      // A dialled call whose call.initiated and dial response were both overtaken by its answer.
      await this.recordDialled(eventId, callId, String(payload.from ?? ''), String(payload.to ?? ''), agentIdOf(clientState));
      call = await this.calls.get(callId);
    }
    const state = call?.state;
    if (!isLive(call)) {
      this.logger.info({ callId, eventId, state }, 'call.answered for an unknown or ended call, ignored');
      return;
    }
    const agent = this.agentOf(call.agentId);
    const answered = await this.transitions.apply(callId, agent.id, {
      from: ['initiated', 'answering'], to: 'answered', eventId, fields: { answeredAt: String(this.clock.epochNow()) },
    });
    if (answered.outcome !== 'applied' && answered.outcome !== 'resumed') {
      this.logger.info({ callId, eventId, state: answered.previous }, 'call.answered for a call past answering, ignored');
      return;
    }
    await this.startMedia(eventId, call, agent);
    // The TTS socket opens now, so the greeting finds it warm.
    await this.events.openTts(callId, agent.id);
    await this.greet(callId, agent, answered.outcome === 'resumed');
    this.logger.info({ callId, eventId, direction: call.direction }, 'call answered, greeting');
  }

  /** REST playback: a playback-worker is assigned. A dialled streaming call: its stream starts now. */
  private async startMedia(eventId: string, call: CallRecord, agent: AgentConfig): Promise<void> {
    if (call.playbackMode === 'rest') {
      await this.events.playbackAssign(call.callId, agent.id, 'agent-setting');
    } else if (call.direction === 'outgoing') {
      await startStreaming(this.telnyx, this.logger, call.callId, `${eventId}:streaming`, streamingOptions(this.config, agent, call.callId));
    }
  }

  /** The greeting, once: a resumed handling re-sends the greeting turn it already minted (downstream dedupes). */
  private async greet(callId: string, agent: AgentConfig, resumed: boolean): Promise<void> {
    const call = resumed ? await this.calls.get(callId) : undefined;
    if (call && call.turnKind === 'greeting' && call.turnId !== '0') {
      await this.lines.repeat(callId, call.turnId, agent.greeting, 'greeting');
      return;
    }
    await this.lines.say(callId, agent.greeting, 'greeting');
  }

  /** A dialled call's record, from the agent named in its client_state (if the dialer has not made it yet). */
  private async recordDialled(eventId: string, callId: string, from: string, to: string, agentId: string | undefined): Promise<void> {
    const agent = agentId ? this.agents.get(agentId) : undefined;
    if (!agent) {
      this.logger.warn({ callId, eventId, agentId }, 'outgoing call without a known agent in client_state, ignored');
      return;
    }
    const created = await this.calls.createIfAbsent({
      callId, agentId: agent.id, state: 'initiated', direction: 'outgoing', from, to,
      playbackMode: agent.playback.mode, createdAt: this.clock.epochNow(), stateEvent: eventId,
    });
    if (created) await this.transitions.created(callId, agent.id, 'initiated', 'outgoing');
  }

  /** This very event created the call and its handling stopped before the next transition (a crash). */
  private async isOwnUnfinishedStart(callId: string, eventId: string): Promise<boolean> {
    const call = await this.calls.get(callId);
    return call?.state === 'initiated' && call.stateEvent === eventId;
  }

  private agentOf(agentId: string): AgentConfig {
    const agent = this.agents.get(agentId);
    if (!agent) throw new Error(`agent ${agentId} of a live call is not configured`);
    return agent;
  }
}
