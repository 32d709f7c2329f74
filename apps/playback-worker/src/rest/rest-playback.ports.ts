import type { TelnyxCommands } from '@app/telnyx';
import type { ConvertibleFormat } from '../audio/audio-converter';

/**
 * What REST playback tells the others — the same three reports as the streaming path, so the lead can
 * hand it the existing PlaybackReporter unchanged. Returned promises are awaited only for their errors.
 */
export interface PlaybackReports {
  /** The caller started hearing this turn. */
  started(callId: string, turnId: string): Promise<unknown> | void;
  /** The turn's audio has been played out completely (or every sentence of it was settled). */
  finished(callId: string, turnId: string): Promise<unknown> | void;
  /** The text the caller actually heard of the turn: all of it, or up to a barge-in. */
  heard(callId: string, turnId: string, text: string, complete: boolean): Promise<unknown> | void;
}

/** The two Telnyx commands REST playback sends (our SDK wrapper: 90018 comes back as 'call-ended'). */
export type PlaybackCommands = Pick<TelnyxCommands, 'startPlayback' | 'stopPlayback'>;

/** One sentence's raw audio → MP3 (Mp3Encoder; a fake in tests). Rejects with Mp3EncodeError. */
export interface Mp3Encoding {
  encode(audio: Buffer, format: ConvertibleFormat, signal?: AbortSignal): Promise<Buffer>;
}

/** A sentence of a turn: (turnId, seq). */
export interface SentenceRef {
  readonly turnId: string;
  readonly seq: number;
}

export interface RestCallPlaybackOptions {
  /**
   * The last sentence the caller already heard whole (over media streaming, before it failed): it and
   * the earlier sentences of its turn are counted as heard and not played again.
   */
  readonly resumeAfter?: SentenceRef;
}
