import { z } from 'zod';

/**
 * The Telnyx Call Control webhook envelope, as the gateway accepts it (validated after the signature
 * check, before anything is stored). Unknown payload fields pass through: Telnyx adds fields over
 * time, and rejecting them would drop real events.
 */
export const HANDLED_TELNYX_EVENTS = [
  'call.initiated',
  'call.answered',
  'call.hangup',
  'call.playback.started',
  'call.playback.ended',
  'call.transcription',
  'streaming.started',
  'streaming.stopped',
  'streaming.failed',
  'call.dtmf.received',
  'call.speak.ended',
] as const;
export type HandledTelnyxEvent = (typeof HANDLED_TELNYX_EVENTS)[number];

const payloadBase = z
  .object({
    call_control_id: z.string().min(1).max(256),
    call_leg_id: z.string().max(256).optional(),
    call_session_id: z.string().max(256).optional(),
    connection_id: z.string().max(256).optional(),
    client_state: z.string().max(4096).nullable().optional(),
  })
  .passthrough();

export const telnyxWebhookSchema = z.object({
  data: z.object({
    record_type: z.literal('event'),
    event_type: z.string().min(1).max(100),
    id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.:-]+$/, 'must be an event id'),
    occurred_at: z.string().max(64).optional(),
    payload: payloadBase,
  }),
  meta: z.object({ attempt: z.number().optional(), delivered_to: z.string().optional() }).passthrough().optional(),
});
export type TelnyxWebhook = z.output<typeof telnyxWebhookSchema>;

export const transcriptionPayloadSchema = payloadBase.extend({
  transcription_data: z.object({
    transcript: z.string().max(10000),
    is_final: z.boolean(),
    confidence: z.number().nullable().optional(),
    transcription_track: z.string().optional(),
  }),
});

export const initiatedPayloadSchema = payloadBase.extend({
  direction: z.enum(['incoming', 'outgoing']),
  from: z.string().max(64),
  to: z.string().max(64),
  state: z.string().optional(),
});

export const hangupPayloadSchema = payloadBase.extend({
  hangup_cause: z.string().max(64).optional(),
  hangup_source: z.string().max(64).optional(),
});

export const streamingFailedPayloadSchema = payloadBase.extend({
  failure_reason: z.string().max(500).optional(),
});

export const playbackPayloadSchema = payloadBase.extend({
  status: z.string().max(64).optional(),
});

export function isHandledTelnyxEvent(type: string): type is HandledTelnyxEvent {
  return (HANDLED_TELNYX_EVENTS as readonly string[]).includes(type);
}
