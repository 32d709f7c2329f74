import { Inject, Injectable } from '@nestjs/common';
import {
  TelnyxWebhook,
  hangupPayloadSchema,
  playbackPayloadSchema,
  streamingFailedPayloadSchema,
  transcriptionPayloadSchema,
} from '@app/contracts';
import { AppLogger } from '@app/telemetry';
import { LOGGER } from '@app/core';
import { CallSetupService } from './call-setup.service';
import { CallTeardownService } from './call-teardown.service';
import { MediaEventsService } from './media-events.service';
import { NoAgentRefusal } from './no-agent.refusal';
import { TurnTakingService } from './turn-taking.service';
import { decodeClientState, isRefused } from '../telnyx/client-state';

/**
 * Each call's state machine: initiated → answering → answered (greeting) → listening ⇄ speaking → ended,
 * driven by Telnyx's webhooks. Telnyx re-delivers, duplicates and reorders them, so every handler checks
 * the state it expects and treats anything else as already done (a re-delivered call.initiated never
 * resets a live call; a hangup before the answer, or a transcript after it, changes nothing).
 */
@Injectable()
export class CallFlowService {
  constructor(
    private readonly setup: CallSetupService,
    private readonly teardown: CallTeardownService,
    private readonly turns: TurnTakingService,
    private readonly media: MediaEventsService,
    private readonly refusal: NoAgentRefusal,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async handle(event: TelnyxWebhook, receivedAt: number): Promise<void> {
    const { event_type: type, id: eventId, payload } = event.data;
    const callId = payload.call_control_id;
    switch (type) {
      case 'call.initiated':
        return this.setup.onInitiated(event);
      case 'call.answered':
        return this.setup.onAnswered(event);
      case 'call.hangup': {
        const hangup = hangupPayloadSchema.safeParse(payload);
        const data = hangup.success ? hangup.data : undefined;
        return this.teardown.onHangup(eventId, callId, data?.hangup_cause ?? 'unknown', data?.hangup_source);
      }
      case 'call.transcription': {
        const parsed = transcriptionPayloadSchema.safeParse(payload);
        if (!parsed.success) {
          this.logger.warn({ callId, eventId }, 'transcription without transcription_data, ignored');
          return;
        }
        const data = parsed.data.transcription_data;
        return this.turns.onTranscript(callId, data.transcript, data.is_final, receivedAt);
      }
      case 'call.speak.ended':
        // The only thing we speak through Telnyx's TTS is the refusal: hang up once it has been said.
        if (isRefused(decodeClientState(payload.client_state))) return this.refusal.onSpeakEnded(eventId, callId);
        return;
      case 'streaming.failed': {
        const parsed = streamingFailedPayloadSchema.safeParse(payload);
        return this.media.onStreamingFailed(eventId, callId, parsed.success ? parsed.data.failure_reason : undefined);
      }
      case 'call.playback.started':
      case 'call.playback.ended': {
        const parsed = playbackPayloadSchema.safeParse(payload);
        const status = parsed.success ? parsed.data.status : undefined;
        return this.media.onTelnyxPlayback(callId, type === 'call.playback.started' ? 'started' : 'ended', status);
      }
      default:
        this.logger.debug({ callId, eventId, eventType: type }, 'webhook event noted');
    }
  }
}
