import { RingQueue } from './ring-queue';

/** Float tolerance on times: `performance.now()` is fractional and the playhead adds up 20 ms steps. */
export const EPSILON_MS = 1e-6;

/** Where the pacer's output goes: Telnyx media and mark frames for one call. */
export interface PacerOutput {
  send(callId: string, frame: Buffer): void;
  mark(callId: string, name: string): void;
  /** A `send` or `mark` callback threw; the pacer carries on with the other calls. */
  error?(callId: string, error: unknown): void;
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

interface QueuedMark {
  readonly name: string;
  /** Silence is expected after it (end of a turn): the next audio starts a stream, it does not end a gap. */
  readonly endOfStream: boolean;
}

/**
 * One call's outbound audio inside the pacer: its queue of frames and marks, and its playhead, the
 * monotonic time at which everything sent so far will have finished playing. Positions count frames in
 * the order they were enqueued, cleared ones included, so that a turn's frames occupy a known range.
 */
export class CallPlayhead {
  private readonly queue = new RingQueue<Buffer | QueuedMark>();
  private playhead = -Infinity;
  /** A stream is playing: a hole now is a gap, not the pause between two turns. */
  private streaming = false;
  /** Since when frames have been queued without interruption (valid while `queued > 0`). */
  private waitingSince = 0;
  private queued = 0;
  private enqueued = 0;
  private sent = 0;
  private cleared = 0;
  /** Position of the next frame to send (skips cleared frames). */
  private sendPosition = 0;
  /** A run is frames played back to back since the playhead last restarted from idle. */
  private runStart = 0;
  private sentInRun = 0;
  private heardBeforeRun = 0;
  private underruns = 0;
  private underrunMs = 0;
  private starvedGaps = 0;
  private starvedMs = 0;

  constructor(
    readonly callId: string,
    private readonly frameMs: number,
  ) {}

  get hasQueued(): boolean {
    return this.queue.size > 0;
  }

  enqueueFrame(frame: Buffer, now: number): void {
    if (this.queued === 0) this.waitingSince = now;
    this.queue.push(frame);
    this.queued++;
    this.enqueued++;
  }

  enqueueMark(name: string, endOfStream: boolean): void {
    this.queue.push({ name, endOfStream });
  }

  /** Sends every queued frame the lead allows at `now` (marks go as soon as the frames before them). */
  pump(now: number, leadMs: number, output: PacerOutput): void {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined) return;
      if (!Buffer.isBuffer(head)) {
        this.queue.shift();
        if (head.endOfStream) this.streaming = false;
        output.mark(this.callId, head.name);
        continue;
      }
      // Sent now, this frame would finish playing at playhead + frame: never more than the lead ahead.
      if (Math.max(this.playhead, now) + this.frameMs - now > leadMs + EPSILON_MS) return;
      this.queue.shift();
      this.queued--;
      this.advance(now);
      output.send(this.callId, head);
    }
  }

  /** Drops everything queued and restarts the playhead: nothing old is sent after this. */
  clear(now: number): number {
    const heard = this.heardPosition(now);
    this.cleared += this.queued;
    this.queue.clear();
    this.queued = 0;
    this.heardBeforeRun = heard;
    this.sendPosition = this.enqueued;
    this.runStart = this.sendPosition;
    this.sentInRun = 0;
    this.playhead = now; // Telnyx's `clear` empties its buffer too: new audio plays at once
    this.streaming = false;
    return heard;
  }

  /** Frames heard so far: those sent whose play time (back to back from their run's start) has passed. */
  heardPosition(now: number): number {
    const unplayedMs = this.playhead - now;
    const unplayed = unplayedMs > 0 ? Math.min(this.sentInRun, Math.ceil(unplayedMs / this.frameMs - EPSILON_MS)) : 0;
    const played = this.sentInRun - unplayed;
    return played > 0 ? this.runStart + played : this.heardBeforeRun;
  }

  stats(now: number): PacerCallStats {
    return {
      framesEnqueued: this.enqueued,
      framesSent: this.sent,
      framesQueued: this.queued,
      framesCleared: this.cleared,
      underruns: this.underruns,
      underrunMs: this.underrunMs,
      starvedGaps: this.starvedGaps,
      starvedMs: this.starvedMs,
      heardPosition: this.heardPosition(now),
      aheadMs: Math.max(0, this.playhead - now),
    };
  }

  /** Accounts for one frame sent at `now`. */
  private advance(now: number): void {
    if (this.playhead <= now + EPSILON_MS) {
      // Everything sent before has played: a new run starts now (after a gap when a stream was on).
      if (this.streaming && this.playhead < now - EPSILON_MS) this.countGap(now);
      this.heardBeforeRun = this.heardPosition(now);
      this.runStart = this.sendPosition;
      this.sentInRun = 0;
      this.playhead = now;
    }
    this.playhead += this.frameMs;
    this.sendPosition++;
    this.sentInRun++;
    this.sent++;
    this.streaming = true;
  }

  /** Splits the hole [playhead, now) into the part with no audio yet and the part where audio waited. */
  private countGap(now: number): void {
    const audioFrom = Math.max(this.playhead, this.waitingSince);
    const starved = audioFrom - this.playhead;
    const ours = now - audioFrom;
    if (starved > EPSILON_MS) {
      this.starvedGaps++;
      this.starvedMs += starved;
    }
    if (ours > EPSILON_MS) {
      this.underruns++;
      this.underrunMs += ours;
    }
  }
}
