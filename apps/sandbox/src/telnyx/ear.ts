import { Clock } from '@app/clock';
import { AudioCodec, durationMs, isAudible } from './audio-codec';

/**
 * What the caller hears, played the way a phone plays it: each frame we send starts at
 * max(its arrival, the end of the frame before), so a frame that arrives late opens a silence and a
 * burst queues up ahead of real time. Times are epoch ms from the injected clock
 * (`performance.timeOrigin + performance.now()` with the system clock), so they compare directly with
 * the ProviderTimeline. Scheduling is computed on arrival, not with timers: a frame's heard time is
 * known the moment it arrives, and queries only count what has started playing by "now".
 *
 * Turns: audio is attributed to the agent turn that was current when it ARRIVED. The scripted caller
 * opens turn i when it sends utterance i's final transcript; before that everything is the greeting.
 */
export const GREETING_TURN = -1;

/**
 * Queued-ahead audio above which a frame counts as a burst: a well-paced sender keeps 100–200 ms of
 * lead (providers.md); one 20 ms frame plus timer jitter on top of 200 ms stays under 300 ms.
 */
export const DEFAULT_BURST_LEAD_MS = 300;
/**
 * Holes shorter than this are not reported as gaps: sub-millisecond scheduling noise on loopback is
 * not an audible dropout, while a real underrun is at least a few ms.
 */
export const DEFAULT_MIN_GAP_MS = 1;
/** One-way network delay from Telnyx's media edge to the phone; zero keeps the measure about our code. */
export const DEFAULT_EAR_LATENCY_MS = 0;

export type HeardSource = 'stream' | 'playback' | 'speak';

export interface HeardSegment {
  readonly arrivedAt: number;
  readonly start: number;
  /** Cut short by `clear` or a stopped playback. */
  end: number;
  readonly audible: boolean;
  readonly turn: number;
  readonly source: HeardSource;
  /** How far ahead of real time the queue reached once this frame was added. */
  readonly aheadMs: number;
  /** Discarded by `clear` before it started: never heard. */
  discarded: boolean;
}

export interface EarOptions {
  burstLeadMs: number;
  minGapMs: number;
  latencyMs: number;
}

export const DEFAULT_EAR_OPTIONS: EarOptions = {
  burstLeadMs: DEFAULT_BURST_LEAD_MS,
  minGapMs: DEFAULT_MIN_GAP_MS,
  latencyMs: DEFAULT_EAR_LATENCY_MS,
};

export interface BurstRecord {
  at: number;
  aheadMs: number;
  turn: number;
}

export interface ClearRecord {
  at: number;
  discardedMs: number;
  turn: number;
}

export class Ear {
  private readonly segments: HeardSegment[] = [];
  private streamEnd = Number.NEGATIVE_INFINITY;
  private turn = GREETING_TURN;
  private readonly listeners = new Set<() => void>();
  readonly bursts: BurstRecord[] = [];
  readonly clears: ClearRecord[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly options: EarOptions = DEFAULT_EAR_OPTIONS,
  ) {}

  get currentTurn(): number {
    return this.turn;
  }

  beginTurn(turn: number): void {
    this.turn = turn;
  }

  /** One media frame of ours arrived now. */
  hearFrame(payload: Buffer, codec: AudioCodec): HeardSegment {
    const at = this.arrival();
    const start = Math.max(at, this.streamEnd);
    const end = start + durationMs(payload, codec);
    this.streamEnd = end;
    const segment = this.add({ arrivedAt: at, start, end, audible: isAudible(payload, codec), source: 'stream', aheadMs: end - at });
    if (segment.aheadMs > this.options.burstLeadMs) this.bursts.push({ at, aheadMs: segment.aheadMs, turn: this.turn });
    return segment;
  }

  /** Playback or speak audio: Telnyx mixes it with the stream, so it does not queue behind frames. */
  hearSegment(lengthMs: number, source: Exclude<HeardSource, 'stream'>): HeardSegment {
    const at = this.arrival();
    return this.add({ arrivedAt: at, start: at, end: at + lengthMs, audible: true, source, aheadMs: lengthMs });
  }

  /** Stops a playback segment now (stopPlayback, hangup). */
  cut(segment: HeardSegment): void {
    this.truncate(segment, this.arrival());
  }

  /** `clear`: queued stream audio is dropped at once, the playing frame stops now. Returns ms discarded. */
  clear(): number {
    const at = this.arrival();
    let discardedMs = 0;
    for (const segment of this.segments) {
      if (segment.source !== 'stream' || segment.discarded || segment.end <= at) continue;
      discardedMs += segment.end - Math.max(segment.start, at);
      this.truncate(segment, at);
    }
    this.streamEnd = Math.min(this.streamEnd, at);
    this.clears.push({ at, discardedMs, turn: this.turn });
    this.notify();
    return discardedMs;
  }

  /** When the stream audio queued so far will have finished playing (now if nothing is queued). */
  streamPlayoutEnd(): number {
    return Math.max(this.streamEnd, this.arrival());
  }

  /** Everything that has started playing by `now`, in arrival order. */
  heard(now = this.clock.epochNow()): HeardSegment[] {
    return this.segments.filter((s) => !s.discarded && s.start <= now);
  }

  /** End of the last audible audio, including audio queued to play later. */
  lastAudibleEnd(): number | undefined {
    let last: number | undefined;
    for (const s of this.segments) if (!s.discarded && s.audible) last = Math.max(last ?? s.end, s.end);
    return last;
  }

  /** Start of a turn's first audible frame; `scheduled` also counts frames queued to play later. */
  firstAudibleAt(turn: number, now = this.clock.epochNow(), scheduled = false): number | undefined {
    let first: number | undefined;
    for (const s of this.segments) {
      if (s.discarded || !s.audible || s.turn !== turn || (!scheduled && s.start > now)) continue;
      first = Math.min(first ?? s.start, s.start);
    }
    return first;
  }

  /** End of the audible audio of every turn before `turn` (what a barge-in has to silence). */
  audibleEndBefore(turn: number): number | undefined {
    let last: number | undefined;
    for (const s of this.segments) if (!s.discarded && s.audible && s.turn < turn) last = Math.max(last ?? s.end, s.end);
    return last;
  }

  /**
   * Silences between heard frames of one turn, from its first to its last audible frame. The silence
   * after the last frame is the end of the turn, not a gap.
   */
  gapsMs(turn: number, now = this.clock.epochNow()): number[] {
    const frames = this.heard(now)
      .filter((s) => s.turn === turn)
      .sort((a, b) => a.start - b.start);
    const first = frames.findIndex((s) => s.audible);
    if (first < 0) return [];
    let last = frames.length - 1;
    while (!frames[last].audible) last--;
    const gaps: number[] = [];
    let playedUntil = frames[first].end;
    for (const frame of frames.slice(first + 1, last + 1)) {
      const hole = frame.start - playedUntil;
      if (hole > this.options.minGapMs) gaps.push(hole);
      playedUntil = Math.max(playedUntil, frame.end);
    }
    return gaps;
  }

  maxAheadMs(turn: number): number {
    return this.segments.reduce((max, s) => (s.turn === turn && s.source === 'stream' ? Math.max(max, s.aheadMs) : max), 0);
  }

  /** Called after every frame, segment or clear (waiters re-check their condition). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private arrival(): number {
    return this.clock.epochNow() + this.options.latencyMs;
  }

  private add(fields: Omit<HeardSegment, 'turn' | 'discarded'>): HeardSegment {
    const segment: HeardSegment = { ...fields, turn: this.turn, discarded: false };
    this.segments.push(segment);
    this.notify();
    return segment;
  }

  private truncate(segment: HeardSegment, at: number): void {
    if (at <= segment.start) segment.discarded = true;
    else segment.end = Math.min(segment.end, at);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
