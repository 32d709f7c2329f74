/**
 * Frames Telnyx sends on the media streaming WebSocket, shaped after the AsyncAPI page "Stream call
 * media over WebSocket" (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket):
 * `connected` {event, version}; `start` {event, sequence_number, stream_id, start:{user_id,
 * call_control_id, call_session_id, from, to, tags, client_state, custom_parameters, media_format}};
 * then `media`, `dtmf`, `mark`, `error`, `stop`. The documented example carries `sequence_number` as a
 * string; `chunk` and `timestamp` follow the same convention (their type is not shown, unconfirmed).
 */
export const MEDIA_STREAMING_VERSION = '1.0.0';

/** Documented error codes of the media stream (providers.md; the AsyncAPI page lists the frame). */
export const MEDIA_ERROR = {
  malformedFrame: { code: 100003, title: 'malformed_frame' },
  invalidMedia: { code: 100004, title: 'invalid_media' },
  rateLimitReached: { code: 100005, title: 'rate_limit_reached' },
} as const;

export type MediaTrack = 'inbound' | 'outbound';

export interface MediaFormat {
  encoding: string;
  sample_rate: number;
  channels: number;
}

export interface StartDetails {
  streamId: string;
  userId: string;
  callControlId: string;
  callSessionId: string;
  from: string;
  to: string;
  clientState: string | null;
  customParameters: Record<string, string>;
  mediaFormat: MediaFormat;
}

export const connectedFrame = (authToken?: string) => ({
  event: 'connected',
  version: MEDIA_STREAMING_VERSION,
  ...(authToken ? { 'x-telnyx-streaming-auth-token': authToken } : {}),
});

export const startFrame = (seq: number, d: StartDetails) => ({
  event: 'start',
  sequence_number: String(seq),
  stream_id: d.streamId,
  start: {
    user_id: d.userId,
    call_control_id: d.callControlId,
    call_session_id: d.callSessionId,
    from: d.from,
    to: d.to,
    tags: [] as string[],
    client_state: d.clientState,
    custom_parameters: d.customParameters,
    media_format: d.mediaFormat,
  },
});

export const mediaFrame = (seq: number, streamId: string, track: MediaTrack, chunk: number, timestampMs: number, payload: Buffer) => ({
  event: 'media',
  sequence_number: String(seq),
  media: { track, chunk: String(chunk), timestamp: String(timestampMs), payload: payload.toString('base64') },
  stream_id: streamId,
});

export const markEchoFrame = (seq: number, streamId: string, name: string) => ({
  event: 'mark',
  sequence_number: String(seq),
  stream_id: streamId,
  mark: { name },
});

export const dtmfFrame = (seq: number, streamId: string, digit: string, occurredAt: string) => ({
  event: 'dtmf',
  sequence_number: String(seq),
  stream_id: streamId,
  occurred_at: occurredAt,
  dtmf: { digit },
});

export const errorFrame = (seq: number, streamId: string, error: { code: number; title: string }, detail: string) => ({
  event: 'error',
  sequence_number: String(seq),
  stream_id: streamId,
  payload: { code: error.code, title: error.title, detail },
});

export const stopFrame = (seq: number, streamId: string, userId: string, callControlId: string) => ({
  event: 'stop',
  sequence_number: String(seq),
  stream_id: streamId,
  stop: { user_id: userId, call_control_id: callControlId },
});
