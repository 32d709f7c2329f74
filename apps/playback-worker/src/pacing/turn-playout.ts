import { AudioChunkMessage, AudioEndMessage } from '@app/contracts';

/** The fields of an `audio` bus message the playout queue uses. */
export type AudioChunkInput = Pick<AudioChunkMessage, 'turnId' | 'seq' | 'chunk' | 'format' | 'payload' | 'fence' | 'text'>;
/** The fields of an `audio.end` bus message the playout queue uses. */
export type AudioEndInput = Pick<AudioEndMessage, 'turnId' | 'seq' | 'chunks' | 'last' | 'fence'>;

/** Goes right after a sentence's last frame; `name` is the Telnyx mark name (`sentenceMarkName`). */
export interface PlayoutMark {
  readonly turnId: string;
  readonly seq: number;
  readonly last: boolean;
  readonly name: string;
}

/** What the queue releases, in order: 20 ms frames in the call's codec, and marks. */
export type PlayoutItem = Buffer | PlayoutMark;

export const isPlayoutMark = (item: PlayoutItem): item is PlayoutMark => !Buffer.isBuffer(item);

/** Why an input was not queued (for a metric or a debug log; none of these is an error). */
export type DropReason =
  | 'duplicate'
  | 'old-turn'
  | 'cancelled'
  | 'stale-fence'
  | 'out-of-range'
  /** Kept as a silent chunk so its sentence still completes, but it has no audio we can play. */
  | 'unsupported-format';

export interface PlayoutResult {
  /** Frames and marks now ready, in play order (empty while waiting for an earlier chunk). */
  readonly items: PlayoutItem[];
  readonly dropped?: DropReason;
}

/** One sentence as released: its text (from its chunk 0) and its length in frames so far. */
export interface SentencePlayout {
  readonly seq: number;
  text: string;
  frames: number;
  /** Its `audio.end` has been reached: `frames` is final. */
  complete: boolean;
}

/** What the heard-text report needs about one turn. */
export interface TurnPlayout {
  readonly turnId: string;
  /**
   * Position of the turn's first frame in the call's stream of released frames (the count released
   * before it). The pacer's heard position counts the same frames when every released frame is
   * enqueued into it, so `heardPosition − startFrame` is how much of this turn was played.
   */
  readonly startFrame: number;
  frames: number;
  readonly sentences: SentencePlayout[];
  /** The turn's last sentence has been released. */
  complete: boolean;
  cancelled: boolean;
}
