import { RawData } from 'ws';
import { AudioCodec } from './audio-codec';
import { MEDIA_ERROR } from './media-frames';

/**
 * Classifies a frame our side sent on the media stream, the way Telnyx judges it: `media`
 * {media:{payload}} (base64; in rtp mode 20 ms to 30 s of the bidirectional codec, in 20 ms steps),
 * `mark` {mark:{name}}, `clear`. Anything else is a malformed frame (100003); a media frame whose
 * payload is unusable is invalid media (100004).
 */
/** Packetisation time of an RTP payload: chunks we send back must be whole multiples of it. */
export const RTP_FRAME_MS = 20;
/** Documented bounds of one RTP chunk sent back to Telnyx. */
export const MIN_OUTBOUND_CHUNK_MS = 20;
export const MAX_OUTBOUND_CHUNK_MS = 30_000;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type FrameError = { code: number; title: string };

export type ClientFrame =
  | { kind: 'media'; bytes: Buffer }
  /** An mp3-mode payload: valid, but the simulator does not decode MP3. */
  | { kind: 'mp3' }
  | { kind: 'mark'; name: string }
  | { kind: 'clear' }
  | { kind: 'error'; error: FrameError; detail: string; media: boolean };

export function parseClientFrame(data: RawData, isBinary: boolean, mode: 'rtp' | 'mp3', codec: AudioCodec): ClientFrame {
  const malformed = (detail: string): ClientFrame => ({ kind: 'error', error: MEDIA_ERROR.malformedFrame, detail, media: false });
  if (isBinary) return malformed('binary frames are not accepted: send JSON text frames');
  let frame: unknown;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    return malformed('frame is not valid JSON');
  }
  if (!isRecord(frame) || typeof frame.event !== 'string') return malformed('frame has no "event"');
  switch (frame.event) {
    case 'media':
      return media(frame.media, mode, codec);
    case 'mark': {
      const name = isRecord(frame.mark) ? frame.mark.name : undefined;
      return typeof name === 'string' && name !== '' ? { kind: 'mark', name } : malformed('mark.name must be a non-empty string');
    }
    case 'clear':
      return { kind: 'clear' };
    default:
      return malformed(`unknown event "${frame.event}"`);
  }
}

function media(value: unknown, mode: 'rtp' | 'mp3', codec: AudioCodec): ClientFrame {
  const invalid = (detail: string): ClientFrame => ({ kind: 'error', error: MEDIA_ERROR.invalidMedia, detail, media: true });
  const payload = isRecord(value) ? value.payload : undefined;
  if (typeof payload !== 'string' || payload.length % 4 !== 0 || !BASE64.test(payload)) return invalid('media.payload must be base64');
  if (mode === 'mp3') return { kind: 'mp3' };
  const bytes = Buffer.from(payload, 'base64');
  const ms = bytes.length / codec.bytesPerMs;
  if (bytes.length % (codec.bytesPerMs * RTP_FRAME_MS) !== 0 || ms < MIN_OUTBOUND_CHUNK_MS || ms > MAX_OUTBOUND_CHUNK_MS) {
    return invalid(`${bytes.length} bytes of ${codec.name} is not 20 ms to 30 s in 20 ms steps`);
  }
  return { kind: 'media', bytes };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
