import { Inject, Injectable } from '@nestjs/common';
import { Clock, TimerHandle } from '@app/clock';
import { AgentConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { CLOCK, LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { AgentLines } from './agent-lines.service';
import { isLive } from './call-record';
import { TELNYX_COMMANDS } from '../telnyx/telnyx.provider';

/**
 * A goodbye lasts a few seconds. If its end is never reported (TTS or playback failed), the call is
 * hung up this long after the goodbye was sent anyway, so no call stays open with nobody talking.
 */
export const GOODBYE_HANGUP_FALLBACK_MS = 15_000;

/**
 * Dead air: the agent's audio has ended (as the playback-worker reports it, so never while audio is
 * pending) and nobody says anything for the agent's `silenceMs`: a reprompt plays; after `hangupAfter`
 * reprompts the goodbye plays and the call is hung up once it was heard. One timer per call on the
 * injected clock; each checks the call's hash when it fires (another replica may have seen the caller
 * speak), and every timer is freed when the call ends.
 */
@Injectable()
export class DeadAirService {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly calls: CallStateStore,
    private readonly lines: AgentLines,
    @Inject(TELNYX_COMMANDS) private readonly telnyx: TelnyxCommands,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** The agent's audio of `turnId` has been played out: silence counts from now. */
  arm(callId: string, agent: AgentConfig, turnId: string): void {
    const armedAt = this.clock.epochNow();
    this.schedule(callId, agent.deadAir.silenceMs, () => this.onSilence(callId, agent, turnId, armedAt));
  }

  disarm(callId: string): void {
    this.clock.clearTimeout(this.timers.get(callId));
    this.timers.delete(callId);
  }

  isArmed(callId: string): boolean {
    return this.timers.has(callId);
  }

  /** Timers still armed (a test proves none is left after a call). */
  liveTimers(): number {
    return this.timers.size;
  }

  /** The goodbye has been heard: hang up. */
  async goodbyeHeard(callId: string): Promise<void> {
    this.disarm(callId);
    this.logger.info({ callId }, 'dead air: goodbye heard, hanging up');
    await this.hangup(callId);
  }

  private schedule(callId: string, delayMs: number, fire: () => Promise<void>): void {
    this.disarm(callId);
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(callId) === handle) this.timers.delete(callId);
      void fire().catch((error: unknown) => this.logger.error({ callId, err: String(error) }, 'dead-air handling failed'));
    }, delayMs);
    this.timers.set(callId, handle);
  }

  private async onSilence(callId: string, agent: AgentConfig, turnId: string, armedAt: number): Promise<void> {
    const call = await this.calls.get(callId);
    if (!isLive(call) || call.turnId !== turnId || call.speaking || call.state !== 'listening') return;
    if (call.lastHeardAt >= armedAt) {
      // The caller made itself heard since (an interim with no final yet): the silence starts again.
      this.arm(callId, agent, turnId);
      return;
    }
    if (call.reprompts >= agent.deadAir.hangupAfter) return this.close(callId, agent);
    const count = await this.calls.incrementReprompts(callId);
    if (count === undefined) return;
    const line = agent.deadAir.reprompts[(count - 1) % agent.deadAir.reprompts.length];
    this.logger.info({ callId, turnId, reprompt: count }, 'dead air: reprompting');
    await this.lines.say(callId, line, 'reprompt');
  }

  private async close(callId: string, agent: AgentConfig): Promise<void> {
    if (!agent.deadAir.goodbye) {
      this.logger.info({ callId }, 'dead air: hanging up');
      await this.hangup(callId);
      return;
    }
    const turnId = await this.lines.say(callId, agent.deadAir.goodbye, 'reprompt', true);
    if (!turnId) return;
    this.logger.info({ callId, turnId }, 'dead air: saying goodbye');
    this.schedule(callId, GOODBYE_HANGUP_FALLBACK_MS, async () => {
      const call = await this.calls.get(callId);
      if (!isLive(call) || call.closingTurn !== turnId) return;
      this.logger.warn({ callId, turnId }, 'dead air: the goodbye was never reported heard, hanging up');
      await this.hangup(callId);
    });
  }

  /** One id for every path to this hangup (goodbye heard, fallback, no goodbye): Telnyx acts once. */
  private hangup(callId: string): Promise<unknown> {
    return this.telnyx.hangup(callId, `${callId}:dead-air-hangup`, {});
  }
}
