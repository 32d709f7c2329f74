import { Inject, Injectable } from '@nestjs/common';
import { AgentConfig, AgentDirectory } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { AGENTS, LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { CallTransitions } from './call-transitions.service';
import { DeadAirService } from './dead-air.service';
import { CallRecord, isLive } from './call-record';

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

/**
 * Who speaks when: user turns from final transcripts, merges (the caller had only paused), barge-in
 * (the caller talks over the agent with at least the agent's minimum words), and the agent's audio as
 * the playback-worker reports it (speaking, then listening and dead-air timing).
 */
@Injectable()
export class TurnTakingService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    private readonly transitions: CallTransitions,
    private readonly deadAir: DeadAirService,
    @Inject(AGENTS) private readonly agents: AgentDirectory,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onTranscript(callId: string, transcript: string, isFinal: boolean, receivedAt: number): Promise<void> {
    const text = transcript.trim();
    const call = await this.calls.get(callId);
    if (!text || !isLive(call) || call.state === 'initiated' || call.state === 'answering') return;
    const agent = this.agents.get(call.agentId);
    if (!agent) return;
    if (this.agentStillTalking(call) && call.bargedTurn !== call.turnId) {
      if (!this.longEnoughToBargeIn(agent, text)) {
        if (isFinal) this.logger.info({ callId, turnId: call.turnId, pii: { text } }, 'final transcript while the agent speaks, below barge-in: ignored');
        return this.heard(callId, receivedAt);
      }
      await this.bargeIn(call);
      if (!isFinal) return this.heard(callId, receivedAt);
      return this.startUserTurn(call, text, receivedAt);
    }
    if (!isFinal) return this.heard(callId, receivedAt);
    if (this.isMerge(call)) {
      // The caller had only paused: the answer to half a sentence is thrown away, both halves go together.
      await this.events.cancelTurn(callId, call.turnId, 'merge');
      this.logger.info({ callId, turnId: call.turnId }, 'final transcript before first audio, merging turns');
      return this.startUserTurn(call, `${call.turnText} ${text}`, receivedAt);
    }
    return this.startUserTurn(call, text, receivedAt);
  }

  async onPlaybackStarted(callId: string, turnId: string): Promise<void> {
    const call = await this.calls.get(callId);
    // A cancelled turn's late report does not make the agent speak again.
    if (!isLive(call) || call.turnId !== turnId || call.bargedTurn === turnId) return;
    await this.transitions.update(callId, call.agentId, { turnAudioStarted: '1', speaking: '1', state: 'speaking' }, turnId);
  }

  async onPlaybackFinished(callId: string, turnId: string): Promise<void> {
    const call = await this.calls.get(callId);
    if (!isLive(call) || call.turnId !== turnId) return;
    if (call.closingTurn === turnId) return this.deadAir.goodbyeHeard(callId);
    const updated = await this.transitions.update(callId, call.agentId, { speaking: '0', state: 'listening' }, turnId);
    const agent = this.agents.get(call.agentId);
    if (updated && agent) this.deadAir.arm(callId, agent, turnId);
  }

  /** The caller's turn, on the critical path to the answer: one script, then the turn is published. */
  private async startUserTurn(call: CallRecord, text: string, receivedAt: number): Promise<void> {
    const { callId, agentId } = call;
    this.deadAir.disarm(callId);
    // The caller is talking: reprompts count again from zero, and a goodbye under way no longer closes the call.
    const fields = { state: 'listening', speaking: '0', reprompts: '0', closingTurn: '', lastHeardAt: String(receivedAt) };
    const turn = await this.calls.newTurn(callId, 'user', text, { fields });
    if (!turn) return;
    await this.events.userTurn(callId, turn.turnId, agentId, text, receivedAt);
    await this.transitions.changed(callId, agentId, turn.previous, 'listening');
    this.logger.info({ callId, turnId: turn.turnId, pii: { text } }, 'user turn published');
  }

  /** The caller said something that starts no turn: other replicas' dead-air timers must know. */
  private async heard(callId: string, receivedAt: number): Promise<void> {
    await this.calls.update(callId, { lastHeardAt: String(receivedAt) });
  }

  /** Claimed once across replicas; the cancel goes out first (control before data), then the state's event. */
  private async bargeIn(call: CallRecord): Promise<void> {
    const { callId, agentId, turnId } = call;
    const previous = await this.calls.claimBargeIn(callId, turnId);
    if (previous === undefined) return;
    await this.events.cancelTurn(callId, turnId, 'barge-in');
    this.deadAir.disarm(callId);
    await this.transitions.changed(callId, agentId, previous, 'listening', 'barge-in');
    this.logger.info({ callId, turnId }, 'barge-in: cancelling the agent turn');
  }

  /** The caller's final comes before the first audio of the turn their previous final started. */
  private isMerge(call: CallRecord): boolean {
    return call.turnKind === 'user' && call.turnId !== '0' && !call.turnAudioStarted && call.bargedTurn !== call.turnId;
  }

  private longEnoughToBargeIn(agent: AgentConfig, text: string): boolean {
    return agent.bargeIn.enabled && wordCount(text) >= agent.bargeIn.minWords;
  }

  /** The agent's current turn is in progress: its audio is playing, or it is coming (greeting, reprompt). */
  private agentStillTalking(call: CallRecord): boolean {
    return call.speaking || (call.turnKind !== 'user' && !call.turnAudioStarted && call.turnId !== '0');
  }
}
