import { AudioChunkMessage, AudioEndMessage, TelnyxPlaybackMessage } from '@app/contracts';
import { RestCallPlayback } from '../rest/rest-call-playback';
import { PlaybackSession, SentenceRef } from './playback-session';

/**
 * Status assumed for a forwarded `call.playback.ended` without one: not `completed`, so a sentence is
 * never counted as heard on a guess (Telnyx always sends a status; this only guards a malformed event).
 */
export const UNKNOWN_PLAYBACK_STATUS = 'unknown';

/** A call played with REST `playback_start`, as the registry sees it. */
export class RestPlaybackSession implements PlaybackSession {
  readonly mode = 'rest';

  constructor(
    readonly playback: RestCallPlayback,
    /** Where it resumed after media streaming (for the logs). */
    readonly resumeAfter?: SentenceRef,
  ) {}

  get callId(): string {
    return this.playback.callId;
  }

  onAudio(entry: AudioChunkMessage | AudioEndMessage): void {
    this.playback.onAudio(entry);
  }

  onTelnyxPlayback(event: TelnyxPlaybackMessage): void {
    if (event.event === 'started') this.playback.onPlaybackStarted();
    else this.playback.onPlaybackEnded(event.status ?? UNKNOWN_PLAYBACK_STATUS);
  }

  cancel(turnId: string): void {
    this.playback.cancel(turnId);
  }

  heardThrough(): SentenceRef | undefined {
    return undefined; // Telnyx's playback events settle whole sentences; nothing resumes from REST
  }

  close(): void {
    this.playback.close();
  }
}
