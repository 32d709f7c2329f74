import WebSocket, { RawData } from 'ws';
import { Clock, TimerHandle } from '@app/clock';
import { AudioCodec, synthesize } from './audio-codec';
import { CallWebhooks } from './call-webhooks';
import { SimCall } from './call.registry';
import { parseClientFrame } from './client-frame.parser';
import { MarkQueue } from './mark-queue';
import * as frames from './media-frames';
import { newStreamId } from './telnyx-ids';

/**
 * Telnyx's side of media streaming: it connects to our `stream_url`, sends `connected` and `start`,
 * then a caller frame every 20 ms, and plays what we send back through the call's ear. Our frames are
 * honoured only in a bidirectional mode (without `stream_bidirectional_mode` Telnyx drops them
 * silently); only rtp payloads are timed (mp3 payloads are counted and dropped: not simulated).
 */
/** Packetisation time of the caller's leg: Telnyx sends one 20 ms RTP payload per media frame. */
export const MEDIA_FRAME_MS = 20;
/** Line noise of a quiet handset, about −63 dBFS: below the ear's audibility threshold on purpose. */
export const CALLER_NOISE_AMPLITUDE = 24;

export enum MediaStreamState {
  Connecting = 'connecting',
  Open = 'open',
  Stopped = 'stopped',
  Failed = 'failed',
}

export type StreamTrack = 'inbound_track' | 'outbound_track' | 'both_tracks';

export interface MediaStreamParams {
  url: string;
  track: StreamTrack;
  inboundCodec: AudioCodec;
  outboundCodec: AudioCodec;
  bidirectionalMode?: 'rtp' | 'mp3';
  authToken?: string;
  customParameters: Record<string, string>;
}

export interface MediaStreamDeps {
  clock: Clock;
  webhooks: CallWebhooks;
  userId: string;
  callerAudio: 'silence' | 'noise';
  random: () => number;
  connectDelayMs: number;
}

export interface MediaStreamStats {
  mediaReceived: number;
  mediaDropped: number;
  marksReceived: number;
  clearsReceived: number;
  inboundFramesSent: number;
  errorsSent: Array<{ code: number; detail: string }>;
}

export class MediaStreamClient {
  readonly streamId = newStreamId();
  state = MediaStreamState.Connecting;
  readonly stats: MediaStreamStats = { mediaReceived: 0, mediaDropped: 0, marksReceived: 0, clearsReceived: 0, inboundFramesSent: 0, errorsSent: [] };
  readonly marks: MarkQueue;
  private ws?: WebSocket;
  private sequence = 0;
  private chunk = 0;
  private ticker?: TimerHandle;

  constructor(
    private readonly call: SimCall,
    readonly params: MediaStreamParams,
    private readonly deps: MediaStreamDeps,
  ) {
    this.marks = new MarkQueue(deps.clock, (name) => this.send(frames.markEchoFrame(this.nextSeq(), this.streamId, name)));
  }

  async connect(): Promise<void> {
    if (this.deps.connectDelayMs > 0) await this.deps.clock.sleep(this.deps.connectDelayMs).catch(() => undefined);
    if (this.state !== MediaStreamState.Connecting) return;
    const headers = this.params.authToken ? { 'x-telnyx-streaming-auth-token': this.params.authToken } : undefined;
    const ws = new WebSocket(this.params.url, { headers });
    this.ws = ws;
    ws.on('open', () => this.onOpen());
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (error) => this.fail(error.message));
    ws.on('close', () => this.onClose());
  }

  /** streaming_stop or hangup: `stop` frame, close, `streaming.stopped`. */
  stop(): void {
    if (this.state === MediaStreamState.Open) this.send(frames.stopFrame(this.nextSeq(), this.streamId, this.deps.userId, this.call.callControlId));
    const wasOpen = this.state === MediaStreamState.Open;
    this.finish(MediaStreamState.Stopped);
    this.ws?.close(1000);
    if (wasOpen) this.deps.webhooks.streaming(this.call, 'streaming.stopped', this.params.url);
  }

  sendDtmf(digit: string): void {
    if (this.state !== MediaStreamState.Open) return;
    this.send(frames.dtmfFrame(this.nextSeq(), this.streamId, digit, new Date(this.deps.clock.epochNow()).toISOString()));
  }

  private onOpen(): void {
    if (this.state !== MediaStreamState.Connecting) {
      this.ws?.close(1000);
      return;
    }
    this.state = MediaStreamState.Open;
    this.send(frames.connectedFrame(this.params.authToken));
    const codec = this.params.inboundCodec;
    this.send(
      frames.startFrame(this.nextSeq(), {
        streamId: this.streamId,
        userId: this.deps.userId,
        callControlId: this.call.callControlId,
        callSessionId: this.call.callSessionId,
        from: this.call.from,
        to: this.call.to,
        clientState: this.call.clientState,
        customParameters: this.params.customParameters,
        mediaFormat: { encoding: codec.name, sample_rate: codec.sampleRate, channels: 1 },
      }),
    );
    this.ticker = this.deps.clock.setInterval(() => this.tick(), MEDIA_FRAME_MS);
    this.deps.webhooks.streaming(this.call, 'streaming.started', this.params.url);
    this.call.changes.fire();
  }

  private tick(): void {
    this.chunk += 1;
    const timestamp = this.chunk * MEDIA_FRAME_MS;
    const amplitude = this.deps.callerAudio === 'noise' ? CALLER_NOISE_AMPLITUDE : 0;
    const tracks: frames.MediaTrack[] =
      this.params.track === 'both_tracks' ? ['inbound', 'outbound'] : this.params.track === 'outbound_track' ? ['outbound'] : ['inbound'];
    for (const track of tracks) {
      const level = track === 'inbound' ? amplitude : 0;
      const payload = synthesize(this.params.inboundCodec, MEDIA_FRAME_MS, () => (this.deps.random() * 2 - 1) * level);
      this.send(frames.mediaFrame(this.nextSeq(), this.streamId, track, this.chunk, timestamp, payload));
      this.stats.inboundFramesSent += 1;
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.state !== MediaStreamState.Open) return;
    const mode = this.params.bidirectionalMode;
    if (!mode) {
      this.stats.mediaDropped += 1;
      return;
    }
    const frame = parseClientFrame(data, isBinary, mode, this.params.outboundCodec);
    switch (frame.kind) {
      case 'media':
        this.stats.mediaReceived += 1;
        this.call.ear.hearFrame(frame.bytes, this.params.outboundCodec);
        return;
      case 'mp3':
        this.stats.mediaReceived += 1;
        this.stats.mediaDropped += 1;
        return;
      case 'mark':
        this.stats.marksReceived += 1;
        this.marks.add(frame.name, this.call.ear.streamPlayoutEnd());
        return;
      case 'clear':
        this.stats.clearsReceived += 1;
        this.call.ear.clear();
        this.marks.flush();
        return;
      case 'error':
        if (frame.media) this.stats.mediaReceived += 1;
        this.error(frame.error, frame.detail);
    }
  }

  private error(error: { code: number; title: string }, detail: string): void {
    this.stats.errorsSent.push({ code: error.code, detail });
    this.send(frames.errorFrame(this.nextSeq(), this.streamId, error, detail));
  }

  private fail(reason: string): void {
    if (this.state !== MediaStreamState.Connecting) return;
    this.finish(MediaStreamState.Failed);
    this.deps.webhooks.streamingFailed(this.call, this.streamId, this.params.url, this.params.track, reason);
  }

  private onClose(): void {
    if (this.state !== MediaStreamState.Open) return;
    this.finish(MediaStreamState.Stopped);
    this.deps.webhooks.streaming(this.call, 'streaming.stopped', this.params.url);
  }

  private finish(state: MediaStreamState): void {
    this.state = state;
    this.deps.clock.clearInterval(this.ticker);
    this.ticker = undefined;
    this.marks.cancel();
    this.call.changes.fire();
  }

  private send(frame: object): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private nextSeq(): number {
    this.sequence += 1;
    return this.sequence;
  }
}
