import { AudioChunkMessage, AudioEndMessage, AudioFormat } from '@app/contracts';
import { FakeClock, TimerHandle } from '@app/clock';
import { createLogger } from '@app/telemetry';
import { CallCodec } from '../audio/g711.codec';
import { FramePacer } from '../pacing';
import { MediaConnection } from '../media/media-connection';
import { FakeReports } from '../rest/rest-playback.harness';
import { CallPlayback } from './call-playback';
import { SentenceRef } from './playback-session';

/*
 * Harness for CallPlayback on a fake clock: bus entries in; what a Telnyx media stream would receive and
 * play out, marks echoed when the audio before them has played (at once, all of them, on `clear`).
 */
export const CALL = 'v3:stream-1';
export const FRAME_MS = 20;

/** Telnyx's side of one call: plays frames back to back in real time, echoes marks at playout. */
export class FakeTelnyxStream {
  readonly frames: Array<{ at: number; bytes: Buffer }> = [];
  readonly events: string[] = [];
  readonly gaps: number[] = [];
  maxAheadMs = 0;
  private playoutEnd = -Infinity;
  /** Nothing is expected to play (before the first frame, after a turn's end mark or a clear). */
  private idle = true;
  private pendingMarks: Array<{ name: string; timer: TimerHandle }> = [];
  onMarkPlayed: (name: string) => void = () => undefined;

  constructor(private readonly clock: FakeClock) {}

  frame(bytes: Buffer): void {
    const now = this.clock.now();
    if (this.playoutEnd > -Infinity && this.playoutEnd < now - 1e-6 && !this.idle) this.gaps.push(now - this.playoutEnd);
    this.idle = false;
    this.playoutEnd = Math.max(this.playoutEnd, now) + FRAME_MS;
    this.maxAheadMs = Math.max(this.maxAheadMs, this.playoutEnd - now);
    this.frames.push({ at: now, bytes });
    this.events.push('frame');
  }

  mark(name: string): void {
    this.events.push(`mark ${name}`);
    if (name.endsWith(':end')) this.idle = true; // silence after a turn is no gap
    const wait = Math.max(0, this.playoutEnd - this.clock.now());
    const pending = { name, timer: this.clock.setTimeout(() => this.echo(pending), wait) };
    this.pendingMarks.push(pending);
  }

  clear(): void {
    this.events.push('clear');
    this.playoutEnd = this.clock.now();
    this.idle = true;
    for (const pending of [...this.pendingMarks]) {
      this.clock.clearTimeout(pending.timer);
      this.echo(pending);
    }
  }

  private echo(pending: { name: string; timer: TimerHandle }): void {
    this.pendingMarks = this.pendingMarks.filter((p) => p !== pending);
    this.onMarkPlayed(pending.name);
  }
}

export interface StreamingHarness {
  readonly clock: FakeClock;
  readonly telnyx: FakeTelnyxStream;
  readonly reports: FakeReports;
  readonly pacer: FramePacer;
  readonly playback: CallPlayback;
  readonly pacerGaps: number[];
  readonly heard: SentenceRef[];
  readonly stamps: string[];
  feed(...entries: Array<AudioChunkMessage | AudioEndMessage>): void;
}

export function createStreamingHarness(options: { codec?: CallCodec; turnId?: string; cancelledTurn?: string } = {}): StreamingHarness {
  const clock = new FakeClock();
  const telnyx = new FakeTelnyxStream(clock);
  const reports = new FakeReports();
  const pacerGaps: number[] = [];
  const heard: SentenceRef[] = [];
  const stamps: string[] = [];
  const pacer = new FramePacer(clock, {
    send: (_callId, frame) => telnyx.frame(frame),
    mark: (_callId, name) => telnyx.mark(name),
    gap: (_callId, ms) => pacerGaps.push(ms),
  });
  const connection = { open: true, sendClear: () => telnyx.clear(), close: () => undefined } as unknown as MediaConnection;
  const marks = { stamp: (_callId: string, turnId: string, mark: string) => void stamps.push(`${turnId} ${mark}`), publish: async () => undefined };
  const playback = new CallPlayback(
    CALL,
    options.codec ?? 'PCMU',
    connection,
    { pacer, reports, marks, logger: createLogger('test', 'silent'), sentenceHeard: (_callId, sentence) => heard.push(sentence) },
    options.turnId ?? '1',
    options.cancelledTurn,
  );
  telnyx.onMarkPlayed = (name) => playback.markPlayed(name);
  return { clock, telnyx, reports, pacer, playback, pacerGaps, heard, stamps, feed: (...entries) => entries.forEach((e) => playback.onAudio(e)) };
}

export interface SentenceSpec {
  turnId: string;
  seq: number;
  text: string;
  audio: Buffer;
  format?: AudioFormat;
  /** Bytes per chunk (the whole sentence in one chunk when absent). */
  chunkBytes?: number;
  last?: boolean;
  fence?: number;
}

/** A sentence as the tts-worker publishes it: chunks (text on chunk 0), then its `audio.end`. */
export function sentenceEntries(spec: SentenceSpec): Array<AudioChunkMessage | AudioEndMessage> {
  const size = spec.chunkBytes ?? spec.audio.length;
  const base = { callId: CALL, turnId: spec.turnId, seq: spec.seq, fence: spec.fence ?? 1, at: 0 };
  const chunks: AudioChunkMessage[] = [];
  for (let offset = 0, index = 0; offset < spec.audio.length; offset += size, index++) {
    const payload = spec.audio.subarray(offset, offset + size).toString('base64');
    chunks.push({ ...base, type: 'audio', chunk: index, format: spec.format ?? 'ulaw_8000', payload, text: index === 0 ? spec.text : undefined });
  }
  return [...chunks, { ...base, type: 'audio.end', chunks: chunks.length, last: spec.last ?? false }];
}
