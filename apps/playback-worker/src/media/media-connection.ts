import type { WebSocket } from 'ws';
import { clearFrame, inboundMediaFrameSchema, markFrame, verifyMediaToken } from '@app/contracts';
import { AppLogger } from '@app/telemetry';

export type CallCodec = 'PCMU' | 'PCMA';

/** What a media connection hands to the playback side once Telnyx told it which call it carries. */
export interface MediaSink {
  /** `inboundCodec`: the caller's leg, from `start.media_format.encoding` (what Telnyx sends us). */
  attach(callId: string, inboundCodec: CallCodec, connection: MediaConnection): void;
  detach(callId: string, connection: MediaConnection): void;
  markPlayed(callId: string, name: string): void;
}

/**
 * How Telnyx's `media` frames begin (`event` first, as documented): the caller's audio, 50 frames a
 * second per call, recognised from its first bytes and counted, neither decoded to a string nor parsed.
 * Telnyx transcribes the call itself, so the payload is not needed here; a frame with its keys in
 * another order takes the parsing path and is counted there.
 */
const MEDIA_EVENT_PREFIX = Buffer.from('{"event":"media"');

/** The WebSocket close code for a policy violation (a wrong token). */
const CLOSE_POLICY_VIOLATION = 1008;

/** `outboundMediaFrame(base64)` as JSON text, without building and serialising an object per frame. */
export function mediaFrameJson(frame: Buffer): string {
  return `{"event":"media","media":{"payload":"${frame.toString('base64')}"}}`;
}

export function codecOf(encoding: string): CallCodec | undefined {
  const e = encoding.toUpperCase();
  if (e === 'PCMU' || e.includes('MULAW') || e.includes('ULAW')) return 'PCMU';
  if (e === 'PCMA' || e.includes('ALAW')) return 'PCMA';
  return undefined;
}

/**
 * One Telnyx media stream. Telnyx sends connected, start (which names the call), media, mark echoes,
 * dtmf, stop; we send media (base64 G.711 in rtp mode), mark and clear. The token in the URL must be
 * the one the gateway signed for the call named in `start`, or the connection is closed.
 */
export class MediaConnection {
  callId?: string;
  /** The caller's leg (inbound): how Telnyx's `media` payloads would be decoded. */
  inboundCodec?: CallCodec;
  inboundFrames = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly token: string | null,
    private readonly tokenSecret: string,
    private readonly sink: MediaSink,
    private readonly logger: AppLogger,
  ) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary && Buffer.isBuffer(data) && startsWith(data, MEDIA_EVENT_PREFIX)) this.inboundFrames++;
      else this.onMessage(isBinary ? '' : data.toString());
    });
    ws.on('close', () => {
      if (this.callId) this.sink.detach(this.callId, this);
    });
    ws.on('error', (error) => this.logger.warn({ callId: this.callId, err: error.message }, 'media socket error'));
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** The hot path (50 times a second per call): the frame's JSON is built as a string, no object. */
  sendAudio(frame: Buffer): void {
    if (this.open) this.ws.send(mediaFrameJson(frame));
  }

  sendMark(name: string): void {
    if (this.open) this.ws.send(JSON.stringify(markFrame(name)));
  }

  sendClear(): void {
    if (this.open) this.ws.send(JSON.stringify(clearFrame()));
  }

  close(code = 1000, reason = 'done'): void {
    this.ws.close(code, reason);
  }

  private onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.logger.warn({ callId: this.callId }, 'media frame is not JSON, ignored');
      return;
    }
    // The caller's audio with its keys in another order: counted without schema validation.
    if ((json as { event?: unknown } | null)?.event === 'media') {
      this.inboundFrames++;
      return;
    }
    const parsed = inboundMediaFrameSchema.safeParse(json);
    if (!parsed.success) {
      this.logger.debug({ callId: this.callId }, 'media frame of unknown shape, ignored');
      return;
    }
    const frame = parsed.data;
    switch (frame.event) {
      case 'start': {
        const callId = frame.start.call_control_id;
        if (!verifyMediaToken(callId, this.token, this.tokenSecret)) {
          this.logger.warn({ callId }, 'media stream refused: token does not match the call');
          this.close(CLOSE_POLICY_VIOLATION, 'invalid token');
          return;
        }
        const codec = codecOf(frame.start.media_format.encoding);
        if (!codec) {
          this.logger.error({ callId, encoding: frame.start.media_format.encoding }, 'media stream codec not supported');
          this.close(CLOSE_POLICY_VIOLATION, 'unsupported codec');
          return;
        }
        this.callId = callId;
        this.inboundCodec = codec;
        this.sink.attach(callId, codec, this);
        return;
      }
      case 'mark':
        if (this.callId) this.sink.markPlayed(this.callId, frame.mark.name);
        return;
      case 'stop':
        if (this.callId) this.sink.detach(this.callId, this);
        return;
      case 'error':
        this.logger.warn({ callId: this.callId, code: frame.payload.code, title: frame.payload.title }, 'telnyx media stream error');
        return;
      default:
        return;
    }
  }
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
