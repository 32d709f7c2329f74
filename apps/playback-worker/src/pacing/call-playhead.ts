import { PacerCallStats, PacerOutput } from './pacer.types';
import { RingQueue } from './ring-queue';

export type { PacerCallStats, PacerOutput } from './pacer.types';

/** Float tolerance on times: `performance.now()` is fractional and the playhead adds up 20 ms steps. */
export const EPSILON_MS = 1e-6;

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
  /** A sentence mark went out mid-stream: the next frame's hole (or none) is that join's gap. */
  private joinPending = false;
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
        this.joinPending = this.streaming;
        output.mark(this.callId, head.name);
        continue;
      }
      // Sent now, this frame would finish playing at playhead + frame: never more than the lead ahead.
      if (Math.max(this.playhead, now) + this.frameMs - now > leadMs + EPSILON_MS) return;
      this.queue.shift();
      this.queued--;
      const gapMs = this.advance(now);
      const join = this.joinPending;
      this.joinPending = false;
      output.send(this.callId, head);
      if (gapMs > 0 || join) output.gap?.(this.callId, gapMs); // after the frame: a metric never costs audio
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
    this.joinPending = false;
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

  /** Accounts for one frame sent at `now`; returns the hole (ms) it ends in a playing stream, else 0. */
  private advance(now: number): number {
    let gapMs = 0;
    if (this.playhead <= now + EPSILON_MS) {
      // Everything sent before has played: a new run starts now (after a gap when a stream was on).
      if (this.streaming && this.playhead < now - EPSILON_MS) gapMs = this.countGap(now);
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
    return gapMs;
  }

  /** Splits the hole [playhead, now) into the part with no audio yet and the part where audio waited. */
  private countGap(now: number): number {
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
    return now - this.playhead;
  }
}
