import { AudioChunkMessage, AudioEndMessage } from '@app/contracts';
import { FakeClock } from '@app/clock';
import type { CommandOutcome, StartPlaybackBody, StopPlaybackBody } from '@app/telnyx';
import { createLogger } from '@app/telemetry';
import { ConvertibleFormat } from '../audio/audio-converter';
import { Mp3EncodeError } from './mp3-encode.error';
import { RestCallPlayback } from './rest-call-playback';
import { Mp3Encoding, PlaybackCommands, PlaybackReports, RestCallPlaybackOptions } from './rest-playback.ports';
import { PlaybackGap } from './playback-ledger';

/*
 * Test harness for RestCallPlayback: bus entries in; Telnyx commands, encodes and reports out; a fake
 * clock. The encoder and the commands answer only when a test says so, to stage any interleaving.
 */

/** A Telnyx call_control_id (it contains a colon, as real ones do). */
export const CALL = 'v3:call-1';
export const BYTES_PER_MS = 8; // μ-law 8 kHz

export function chunk(turnId: string, seq: number, index: number, ms: number, text?: string): AudioChunkMessage {
  const payload = Buffer.alloc(ms * BYTES_PER_MS, 0x55 + seq).toString('base64');
  return { type: 'audio', callId: CALL, turnId, seq, chunk: index, format: 'ulaw_8000', payload, fence: 1, text, at: 0 };
}
export function end(turnId: string, seq: number, chunks: number, last: boolean): AudioEndMessage {
  return { type: 'audio.end', callId: CALL, turnId, seq, chunks, last, fence: 1, at: 0 };
}
/** A whole sentence in one chunk, then its end. */
export const sentence = (turnId: string, seq: number, text: string, options: { ms?: number; last?: boolean } = {}) => [
  chunk(turnId, seq, 0, options.ms ?? 1000, text),
  end(turnId, seq, 1, options.last ?? false),
];

export interface EncodeJob {
  readonly audio: Buffer;
  readonly format: ConvertibleFormat;
  readonly signal?: AbortSignal;
  done(mp3?: Buffer): void;
  fail(error: Error): void;
}

/** Encodes finish when the test says so; an aborted signal rejects like the real encoder. */
export class FakeEncoder implements Mp3Encoding {
  readonly jobs: EncodeJob[] = [];
  encode(audio: Buffer, format: ConvertibleFormat, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const index = this.jobs.length;
      this.jobs.push({ audio, format, signal, done: (mp3) => resolve(mp3 ?? Buffer.from(`mp3 #${index}`)), fail: reject });
      signal?.addEventListener('abort', () => reject(new Mp3EncodeError('aborted', 'cancelled')), { once: true });
    });
  }
}

export interface SentCommand {
  readonly kind: 'play' | 'stop';
  readonly callId: string;
  readonly commandId: string;
  readonly body: StartPlaybackBody | StopPlaybackBody;
  answer(outcome?: CommandOutcome): void;
  fail(error: Error): void;
}

/** Records every command; answers at once unless `hold` is set, then when the test says so. */
export class FakeCommands implements PlaybackCommands {
  readonly sent: SentCommand[] = [];
  hold = false;
  startPlayback(callId: string, commandId: string, body: StartPlaybackBody): Promise<CommandOutcome> {
    return this.record('play', callId, commandId, body);
  }
  stopPlayback(callId: string, commandId: string, body: StopPlaybackBody = {}): Promise<CommandOutcome> {
    return this.record('stop', callId, commandId, body);
  }
  get ids(): string[] {
    return this.sent.map((command) => command.commandId);
  }
  private record(kind: SentCommand['kind'], callId: string, commandId: string, body: SentCommand['body']): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      this.sent.push({ kind, callId, commandId, body, answer: (outcome = 'ok') => resolve(outcome), fail: reject });
      if (!this.hold) resolve('ok');
    });
  }
}

export class FakeReports implements PlaybackReports {
  readonly log: string[] = [];
  started(callId: string, turnId: string): void {
    this.log.push(`started ${turnId}`);
  }
  finished(callId: string, turnId: string): void {
    this.log.push(`finished ${turnId}`);
  }
  heard(callId: string, turnId: string, text: string, complete: boolean): void {
    this.log.push(`heard ${turnId} "${text}"${complete ? ' complete' : ''}`);
  }
}

export interface Harness {
  readonly clock: FakeClock;
  readonly encoder: FakeEncoder;
  readonly commands: FakeCommands;
  readonly reports: FakeReports;
  readonly playback: RestCallPlayback;
  /** Gaps passed to the `onGap` callback, as they were measured. */
  readonly gaps: PlaybackGap[];
  feed(...entries: Array<AudioChunkMessage | AudioEndMessage>): void;
  /** The startPlayback commands sent so far. */
  plays(): SentCommand[];
}

export function createHarness(options: RestCallPlaybackOptions & { turnId?: string } = {}): Harness {
  const clock = new FakeClock();
  const encoder = new FakeEncoder();
  const commands = new FakeCommands();
  const reports = new FakeReports();
  const gaps: PlaybackGap[] = [];
  const deps = { commands, encoder, reports, clock, logger: createLogger('test', 'silent'), onGap: (gap: PlaybackGap) => void gaps.push(gap) };
  const playback = new RestCallPlayback(CALL, deps, options.turnId ?? '0', options);
  return {
    clock,
    gaps,
    encoder,
    commands,
    reports,
    playback,
    feed: (...entries) => entries.forEach((entry) => playback.onAudio(entry)),
    plays: () => commands.sent.filter((command) => command.kind === 'play'),
  };
}
