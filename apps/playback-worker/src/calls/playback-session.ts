import { AudioChunkMessage, AudioEndMessage, TelnyxPlaybackMessage } from '@app/contracts';
import type { SentenceRef } from '../rest/rest-playback.ports';

export type { SentenceRef } from '../rest/rest-playback.ports';

/** How this instance plays a call: paced frames on Telnyx's media stream, or REST `playback_start`. */
export type PlaybackMode = 'stream' | 'rest';

/**
 * One call played by this instance, whatever the mode: the registry routes the call's bus entries to
 * it (audio, Telnyx playback events, cancels) and closes it when the call ends or moves.
 */
export interface PlaybackSession {
  readonly callId: string;
  readonly mode: PlaybackMode;
  onAudio(entry: AudioChunkMessage | AudioEndMessage): void;
  /** Telnyx's call.playback.started / ended, forwarded by the gateway into the call's audio stream. */
  onTelnyxPlayback(event: TelnyxPlaybackMessage): void;
  /** Barge-in: silence now, and report what the caller heard of the turn. */
  cancel(turnId: string): void;
  /** The last sentence the caller heard whole, if this mode knows (where another mode would resume). */
  heardThrough(): SentenceRef | undefined;
  /** Frees everything of the call here: nothing is sent or reported afterwards. */
  close(): void;
}

/** The later of two sentence positions (a newer turn, or a later sentence of the same turn). */
export function laterSentence(a: SentenceRef | undefined, b: SentenceRef | undefined): SentenceRef | undefined {
  if (!a || !b) return a ?? b;
  const byTurn = Number(a.turnId) - Number(b.turnId);
  if (byTurn !== 0) return byTurn > 0 ? a : b;
  return a.seq >= b.seq ? a : b;
}
