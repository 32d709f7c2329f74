import { Inject, Injectable } from '@nestjs/common';
import { TurnKind } from '@app/contracts';
import { Clock, TimerHandle } from '@app/clock';
import { AgentConfig, AgentDirectory } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { AGENTS, CLOCK, LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { CallRecord } from './call-record';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

/**
 * Who speaks when: user turns from final transcripts, merges (the caller had only paused), barge-in
 * (the caller talks over the agent), and dead air (nobody talks after the agent finished).
 */
@Injectable()
export class TurnTakingService {
  private readonly deadAirTimers = new Map<string, TimerHandle>();

  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onTranscript(callId: string, transcript: string, isFinal: boolean, receivedAt: number): Promise<void> {
    const text = transcript.trim();
    const call = await this.calls.get(callId);
    if (!call || call.state === 'ended' || call.state === 'answering' || call.state === 'initiated' || !text) return;
    const agent = this.agents.get(call.agentId);
    if (!agent) return;
    this.stopDeadAirTimer(callId);
    if (!isFinal) {
      if (this.isBargeIn(call, agent, text)) await this.bargeIn(call);
      return;
    }
    let userText = text;
    if (call.turnKind === 'user' && call.turnId !== '0' && !call.turnAudioStarted && call.bargedTurn !== call.turnId) {
      // The caller had only paused: the answer to half a sentence is thrown away, both halves go together.
      await this.events.cancelTurn(callId, call.turnId, 'merge');
      userText = `${call.turnText} ${text}`;
      this.logger.info({ callId, turnId: call.turnId }, 'final transcript before first audio, merging turns');
    } else if (this.agentStillTalking(call) && call.bargedTurn !== call.turnId) {
      await this.bargeIn(call);
    }
    const turnId = await this.calls.newTurn(callId, 'user', userText);
    if (!turnId) return;
    await this.calls.set(callId, { state: 'listening', speaking: '0', reprompts: '0' });
    await this.events.userTurn(callId, turnId, call.agentId, userText, receivedAt);
    this.logger.info({ callId, turnId, pii: { text: userText } }, 'user turn published');
  }

  /** A line the agent says without the LLM (greeting, reprompt, goodbye). */
  async agentSays(callId: string, text: string, kind: TurnKind): Promise<string | undefined> {
    const turnId = await this.calls.newTurn(callId, kind, '');
    if (!turnId) return undefined;
    await this.events.agentLine(callId, turnId, text, kind);
    return turnId;
  }

  async onPlaybackStarted(callId: string, turnId: string): Promise<void> {
    const call = await this.calls.get(callId);
    if (!call || call.state === 'ended' || call.turnId !== turnId) return;
    this.stopDeadAirTimer(callId);
    await this.calls.set(callId, { turnAudioStarted: '1', speaking: '1', state: 'speaking' });
    await this.events.lifecycle(callId, call.agentId, 'speaking');
  }

  async onPlaybackFinished(callId: string, turnId: string): Promise<void> {
    const call = await this.calls.get(callId);
    if (!call || call.state === 'ended' || call.turnId !== turnId) return;
    await this.calls.set(callId, { speaking: '0', state: 'listening' });
    await this.events.lifecycle(callId, call.agentId, 'listening');
    const agent = this.agents.get(call.agentId);
    if (agent) this.startDeadAirTimer(callId, agent, call.reprompts);
  }

  /** Frees the call's timers (hangup). */
  forget(callId: string): void {
    this.stopDeadAirTimer(callId);
  }

  /** Timers still armed (a test proves none is left after a call). */
  liveTimers(): number {
    return this.deadAirTimers.size;
  }

  private isBargeIn(call: CallRecord, agent: AgentConfig, text: string): boolean {
    return agent.bargeIn.enabled && this.agentStillTalking(call) && call.bargedTurn !== call.turnId && wordCount(text) >= agent.bargeIn.minWords;
  }

  /** The agent's current turn is in progress: its audio is playing, or it is coming (greeting, reprompt). */
  private agentStillTalking(call: CallRecord): boolean {
    return call.speaking || (call.turnKind !== 'user' && !call.turnAudioStarted && call.turnId !== '0');
  }

  private async bargeIn(call: CallRecord): Promise<void> {
    await this.calls.set(call.callId, { bargedTurn: call.turnId, speaking: '0', state: 'listening' });
    await this.events.cancelTurn(call.callId, call.turnId, 'barge-in');
    this.logger.info({ callId: call.callId, turnId: call.turnId }, 'barge-in: cancelling the agent turn');
  }

  private startDeadAirTimer(callId: string, agent: AgentConfig, repromptsSoFar: number): void {
    this.stopDeadAirTimer(callId);
    const handle = this.clock.setTimeout(() => {
      this.deadAirTimers.delete(callId);
      void this.onDeadAir(callId, agent, repromptsSoFar).catch((error) =>
        this.logger.error({ callId, err: String(error) }, 'dead-air handling failed'),
      );
    }, agent.deadAir.silenceMs);
    this.deadAirTimers.set(callId, handle);
  }

  private stopDeadAirTimer(callId: string): void {
    const handle = this.deadAirTimers.get(callId);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.deadAirTimers.delete(callId);
  }

  private async onDeadAir(callId: string, agent: AgentConfig, repromptsSoFar: number): Promise<void> {
    const call = await this.calls.get(callId);
    if (!call || call.state !== 'listening' || call.reprompts !== repromptsSoFar) return;
    if (repromptsSoFar >= agent.deadAir.hangupAfter) {
      this.logger.info({ callId, reprompts: repromptsSoFar }, 'dead air: hanging up');
      await this.telnyx.hangup(callId, `${callId}:dead-air-hangup`, {});
      return;
    }
    const reprompts = await this.calls.incrementReprompts(callId);
    const line = agent.deadAir.reprompts[(reprompts - 1) % agent.deadAir.reprompts.length];
    this.logger.info({ callId, reprompt: reprompts }, 'dead air: reprompting');
    await this.agentSays(callId, line, 'reprompt');
  }
}
