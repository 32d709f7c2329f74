import { Clock } from '@app/clock';
import { SimCall } from './call.registry';
import { newEventId } from './telnyx-ids';
import { WebhookEventData, WebhookSender } from './webhook.sender';

/**
 * Builds a call's webhook events with the payload field names of Telnyx's callback reference and the
 * SDK's webhook types (telnyx 7.24 `resources/webhooks.d.ts`): every payload carries call_control_id,
 * call_leg_id, call_session_id, connection_id and client_state, plus the event's own fields.
 */
export type CallEventType =
  | 'call.initiated'
  | 'call.answered'
  | 'call.hangup'
  | 'call.playback.started'
  | 'call.playback.ended'
  | 'call.speak.started'
  | 'call.speak.ended'
  | 'call.transcription'
  | 'call.dtmf.received'
  | 'streaming.started'
  | 'streaming.stopped'
  | 'streaming.failed';

export interface TranscriptionData {
  transcript: string;
  is_final: boolean;
  confidence: number | null;
  transcription_track: 'inbound' | 'outbound';
}

export class CallWebhooks {
  constructor(
    private readonly sender: WebhookSender,
    private readonly clock: Clock,
    private readonly defaultUrl: () => string | undefined,
  ) {}

  emit(call: SimCall, eventType: CallEventType, fields: Record<string, unknown> = {}): WebhookEventData | undefined {
    const data: WebhookEventData = {
      record_type: 'event',
      event_type: eventType,
      id: newEventId(),
      occurred_at: new Date(this.clock.epochNow()).toISOString(),
      payload: { ...this.base(call), ...fields },
    };
    call.events.push(eventType);
    const url = call.webhookUrl ?? this.defaultUrl();
    if (!url) return undefined;
    this.sender.send(url, data, call.callControlId);
    return data;
  }

  initiated(call: SimCall): void {
    this.emit(call, 'call.initiated', {
      ...this.parties(call),
      direction: call.direction,
      state: call.direction === 'incoming' ? 'parked' : 'bridging',
      caller_id_name: call.from,
      start_time: iso(call.startedAt),
    });
  }

  answered(call: SimCall): void {
    this.emit(call, 'call.answered', { ...this.parties(call), state: 'answered', start_time: iso(call.startedAt) });
  }

  hangup(call: SimCall): void {
    this.emit(call, 'call.hangup', {
      ...this.parties(call),
      state: 'hangup',
      hangup_cause: call.hangupCause,
      hangup_source: call.hangupSource,
      sip_hangup_cause: 'unspecified',
      start_time: iso(call.startedAt),
    });
  }

  transcription(call: SimCall, data: TranscriptionData): void {
    this.emit(call, 'call.transcription', { transcription_data: data });
  }

  dtmf(call: SimCall, digit: string): void {
    this.emit(call, 'call.dtmf.received', { ...this.parties(call), digit });
  }

  streaming(call: SimCall, type: 'streaming.started' | 'streaming.stopped', streamUrl: string): void {
    this.emit(call, type, { stream_url: streamUrl });
  }

  streamingFailed(call: SimCall, streamId: string, streamUrl: string, track: string, reason: string): void {
    this.emit(call, 'streaming.failed', {
      failure_reason: reason,
      stream_id: streamId,
      stream_type: 'websocket',
      stream_params: { stream_url: streamUrl, track },
    });
  }

  private base(call: SimCall): Record<string, unknown> {
    return {
      call_control_id: call.callControlId,
      call_leg_id: call.callLegId,
      call_session_id: call.callSessionId,
      connection_id: call.connectionId,
      client_state: call.clientState,
    };
  }

  private parties(call: SimCall): Record<string, unknown> {
    return { from: call.from, to: call.to };
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
