import { Inject, Injectable } from '@nestjs/common';
import { AppLogger } from '@app/telemetry';
import { LOGGER } from '@app/core';
import { CallStateStore } from './call-state.store';
import { CallEventsPublisher } from './call-events.publisher';
import { isLive } from './call-record';

/**
 * What Telnyx reports about the call's audio paths. Media streaming failed: the call goes on with REST
 * playback (one playback-worker is assigned). REST playbacks started/ended: forwarded, in order, on
 * the call's audio stream for the worker playing it. Nothing is written for a call that is over (its
 * audio stream is gone and must not come back without a TTL).
 */
@Injectable()
export class MediaEventsService {
  constructor(
    private readonly calls: CallStateStore,
    private readonly events: CallEventsPublisher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onStreamingFailed(eventId: string, callId: string, reason: string | undefined): Promise<void> {
    const call = await this.calls.get(callId);
    if (!isLive(call)) return;
    // Already REST (agent setting, or an earlier failure); unless this very event switched it and its
    // handling is being retried after a crash: then the assignment is published again (at least once).
    if (call.playbackMode === 'rest' && call.restAssignedBy !== eventId) return;
    if (!(await this.calls.update(callId, { playbackMode: 'rest', restAssignedBy: eventId }))) return;
    this.logger.warn({ callId, eventId, reason }, 'media streaming failed, switching the call to REST playback');
    await this.events.playbackAssign(callId, call.agentId, 'streaming-failed');
  }

  async onTelnyxPlayback(callId: string, event: 'started' | 'ended', status: string | undefined): Promise<void> {
    const call = await this.calls.get(callId);
    if (!isLive(call)) return;
    await this.events.telnyxPlayback(callId, event, status);
  }
}
