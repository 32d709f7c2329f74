/** Where the pacer's output goes: Telnyx media and mark frames for one call, and what it measured. */
export interface PacerOutput {
  send(callId: string, frame: Buffer): void;
  mark(callId: string, name: string): void;
  /** A `send` or `mark` callback threw; the pacer carries on with the other calls. */
  error?(callId: string, error: unknown): void;
  /**
   * Silence the caller hears inside a playing stream, in ms: a hole (> 0) wherever one opened, and 0
   * at a sentence join played back to back, so a histogram of it counts the good joins too.
   */
  gap?(callId: string, gapMs: number): void;
}

export interface PacerCallStats {
  framesEnqueued: number;
  framesSent: number;
  framesQueued: number;
  /** Frames dropped unsent by `clear` (barge-in). */
  framesCleared: number;
  /** Gaps we caused: audio was waiting while the playhead ran dry. Must stay 0. */
  underruns: number;
  underrunMs: number;
  /** Gaps in a playing stream because no audio existed yet (TTS late): counted, not our fault. */
  starvedGaps: number;
  starvedMs: number;
  /** Frames whose play time has passed, as an index into the call's stream of enqueued frames. */
  heardPosition: number;
  /** How far the playhead is ahead of now (ms); 0 when nothing is playing. */
  aheadMs: number;
}
