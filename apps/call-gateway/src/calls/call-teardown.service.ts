import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@app/clock';
import { AppLogger } from '@app/telemetry';
import { CLOCK, LOGGER } from '@app/core';
import { CallStateStore, ENDED_CALL_TTL_S } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { CallTransitions } from './call-transitions.service';
import { DeadAirService } from './dead-air.service';

/**
 * Hangup from either side (`call.hangup`, whatever the state, even before `call.answered`): the call
 * ends once. One `call.ended` on the control lane makes every worker free what it holds for the call
 * (sockets, streams, timers); here the dead-air timer goes, the TTS session is closed, and the hash
 * is left to expire (ENDED_CALL_TTL_S) so late webhooks of the call are still recognised.
 */
@Injectable()
export class CallTeardownService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    private readonly transitions: CallTransitions,
    private readonly deadAir: DeadAirService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onHangup(eventId: string, callId: string, cause: string, source: string | undefined): Promise<void> {
    this.deadAir.disarm(callId);
    const call = await this.calls.get(callId);
    if (!call) {
      this.logger.info({ callId, eventId, cause }, 'hangup of an unknown call (refused, or long gone), ignored');
      return;
    }
    const ended = await this.transitions.apply(
      callId,
      call.agentId,
      { to: 'ended', eventId, ttlS: ENDED_CALL_TTL_S, fields: { endedReason: cause, endedAt: String(this.clock.epochNow()), speaking: '0' } },
      cause,
    );
    if (ended.outcome !== 'applied' && ended.outcome !== 'resumed') return;
    if (call.turnId !== '0') await this.events.turnMetrics(callId, call.turnId);
    await this.events.callEnded(callId, cause);
    await this.events.closeTts(callId);
    this.logger.info({ callId, eventId, cause, source, previous: ended.previous }, 'call ended');
  }
}
