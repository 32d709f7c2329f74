import { Clock, TimerHandle } from '@app/clock';
import { FRAME_MS } from '../audio/frame-slicer';
import { CallPlayhead, EPSILON_MS } from './call-playhead';
import { PacerCallStats, PacerOutput } from './pacer.types';

export type { PacerCallStats, PacerOutput } from './pacer.types';

/**
 * How far ahead of real time audio may be sent: 120 ms, 6 frames. Telnyx plays what it receives in
 * order, so audio sent ahead is the buffer that hides our own hiccups (event-loop stalls, GC pauses, the
 * tick's granularity) and network jitter; too little and the caller hears holes. More buys nothing:
 * the first frame goes out at once whatever the lead, and every millisecond of lead is audio already
 * in flight when the caller barges in, which makes the heard position (and marks) less exact. Others
 * use 100–200 ms. With DEFAULT_TICK_MS below, the queue never drains as long as a tick is no more than
 * lead − frame − tick = 80 ms late.
 */
export const DEFAULT_LEAD_MS = 120;
/**
 * One tick for all calls every 20 ms: a call gains exactly one frame of room per tick in steady state,
 * and the whole process wakes 50 times a second whatever the number of calls (a timer per call would
 * be 25,000 wake-ups a second at 500 calls).
 */
export const DEFAULT_TICK_MS = FRAME_MS;

export interface FramePacerOptions {
  leadMs?: number;
  frameMs?: number;
  tickMs?: number;
}

/**
 * Sends every call's 20 ms frames at real-time rate plus a bounded lead, from one scheduler.
 * - A frame goes out while, once sent, the call's playhead is at most `leadMs` ahead of now, so the
 *   lead is never exceeded, even by a tick that lands between two frame edges.
 * - Audio for a call with nothing queued is sent synchronously in `enqueue` (first-audio latency); the
 *   rest on a tick whose deadlines lie on a fixed grid computed from the clock (a late timer does not
 *   push the later ones back), armed only while some call has queued audio.
 * - When a playhead falls behind now it restarts at now: a gap, counted as an underrun if audio was
 *   waiting (our fault) or as starved if none existed yet, and not at all between turns.
 */
export class FramePacer {
  readonly leadMs: number;
  readonly frameMs: number;
  readonly tickMs: number;
  private readonly calls = new Map<string, CallPlayhead>();
  /** Calls with something queued: the only ones a tick looks at. */
  private readonly active = new Set<CallPlayhead>();
  private timer: TimerHandle | undefined;
  private deadline = 0;
  /** Inside a tick: the tick re-arms itself on its grid when it ends. */
  private ticking = false;

  constructor(
    private readonly clock: Clock,
    private readonly output: PacerOutput,
    options: FramePacerOptions = {},
  ) {
    this.frameMs = options.frameMs ?? FRAME_MS;
    this.leadMs = options.leadMs ?? DEFAULT_LEAD_MS;
    this.tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    if (!(this.frameMs > 0 && this.tickMs > 0 && this.leadMs - this.frameMs - this.tickMs > 0)) {
      throw new RangeError(
        `pacer needs lead > frame + tick, got lead ${this.leadMs} ms, frame ${this.frameMs} ms, tick ${this.tickMs} ms`,
      );
    }
  }

  /** Queues one frame; sent at once when the call had nothing waiting and the lead allows. */
  enqueue(callId: string, frame: Buffer): void {
    const call = this.callFor(callId);
    const idle = !call.hasQueued;
    // One reading of the clock: a second, later one would make the frame look as if it had waited.
    const now = this.clock.now();
    call.enqueueFrame(frame, now);
    if (idle) this.pump(call, now);
  }

  /** Queues a mark, emitted right after the frame before it is sent. `endOfStream`: silence follows. */
  enqueueMark(callId: string, name: string, endOfStream = false): void {
    const call = this.callFor(callId);
    const idle = !call.hasQueued;
    call.enqueueMark(name, endOfStream);
    if (idle) this.pump(call, this.clock.now());
  }

  /** Barge-in: drops the call's queued frames and marks, resets its playhead; returns the heard position. */
  clear(callId: string): number {
    const call = this.calls.get(callId);
    if (!call) return 0;
    this.active.delete(call);
    this.disarmIfIdle();
    return call.clear(this.clock.now());
  }

  /** Forgets the call (hangup): nothing of it is sent afterwards. */
  remove(callId: string): void {
    const call = this.calls.get(callId);
    if (!call) return;
    call.clear(this.clock.now());
    this.calls.delete(callId);
    this.active.delete(call);
    this.disarmIfIdle();
  }

  /** Frames of the call heard so far (position in its stream of enqueued frames). */
  heardPosition(callId: string): number {
    return this.calls.get(callId)?.heardPosition(this.clock.now()) ?? 0;
  }

  stats(callId: string): PacerCallStats | undefined {
    return this.calls.get(callId)?.stats(this.clock.now());
  }

  get callCount(): number {
    return this.calls.size;
  }

  /** Stops the tick and forgets every call (shutdown). */
  close(): void {
    for (const callId of [...this.calls.keys()]) this.remove(callId);
  }

  private callFor(callId: string): CallPlayhead {
    let call = this.calls.get(callId);
    if (!call) {
      call = new CallPlayhead(callId, this.frameMs);
      this.calls.set(callId, call);
    }
    return call;
  }

  private pump(call: CallPlayhead, now: number): void {
    try {
      call.pump(now, this.leadMs, this.output);
    } catch (error) {
      this.output.error?.(call.callId, error);
    }
    if (call.hasQueued && this.calls.get(call.callId) === call) {
      this.active.add(call);
      if (this.timer === undefined && !this.ticking) this.arm(now + this.tickMs, now);
    } else {
      this.active.delete(call);
    }
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    this.ticking = true;
    try {
      for (const call of this.active) this.pump(call, now);
    } finally {
      this.ticking = false;
    }
    if (this.active.size === 0) return;
    // Next grid point after now, from the previous deadline: lateness does not accumulate.
    const missed = Math.max(0, Math.floor((now - this.deadline) / this.tickMs + EPSILON_MS));
    this.arm(this.deadline + (missed + 1) * this.tickMs, now);
  };

  private arm(deadline: number, now: number): void {
    this.deadline = deadline;
    this.timer = this.clock.setTimeout(this.tick, Math.max(0, deadline - now));
  }

  private disarmIfIdle(): void {
    if (this.active.size > 0 || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
