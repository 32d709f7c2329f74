import { Clock } from '@app/clock';

/** A playback Telnyx was asked to queue, in the order Telnyx will play it. */
export interface QueuedPlayback {
  readonly turnId: string;
  readonly seq: number;
  /** Length of its audio, for the heard-text estimate at a barge-in. */
  readonly durationMs: number;
  /** Our clock's time of its `call.playback.started`, once seen. */
  startedAt?: number;
}

/** Silence between two sentences of a turn: sentence `seq − 1` ended → sentence `seq` started. */
export interface PlaybackGap {
  readonly turnId: string;
  readonly seq: number;
  readonly gapMs: number;
}

/** Status of a playback that played to its end (the others: cancelled, call_hangup, failed, ...). */
export const PLAYBACK_COMPLETED = 'completed';
const PLAYBACK_CANCELLED = 'cancelled';
/** Gaps kept for inspection and metrics: a few turns of sentences, bounded for a long call. */
export const GAPS_KEPT = 64;

/**
 * Which of our playbacks a `call.playback.started` / `call.playback.ended` is about. Those webhooks
 * name no playback (with `playback_content`, media_url is empty, and client_state is the call's latest,
 * not the playback's), but Telnyx plays its queue in order, so the n-th start and end are those of the
 * n-th playback queued. A `stop: all` breaks the count: its playbacks' events may or may not arrive
 * (unconfirmed whether queued ones each get a `cancelled`), so they are expected as strays: the one that
 * was playing may end with any status, the queued ones only `cancelled`. Strays are absorbed until a
 * later playback ends normally. Residual risk, from reordered webhooks only: a stray start may mark the
 * next turn's first playback started a little early.
 */
export class PlaybackLedger {
  private readonly queue: QueuedPlayback[] = [];
  private strayAnyStatus = 0;
  private strayCancelled = 0;
  private lastEnded: { readonly turnId: string; readonly seq: number; readonly at: number } | undefined;
  private readonly gapLog: PlaybackGap[] = [];

  constructor(
    private readonly clock: Clock,
    /** Told of each gap as it is measured (the app's gap histogram). */
    private readonly onGap?: (gap: PlaybackGap) => void,
  ) {}

  get size(): number {
    return this.queue.length;
  }

  /** Recorded gaps, oldest first (at most GAPS_KEPT). */
  gaps(): readonly PlaybackGap[] {
    return this.gapLog;
  }

  /** The playback Telnyx is playing now, if its start has been seen. */
  playing(): Readonly<QueuedPlayback> | undefined {
    const head = this.queue[0];
    return head?.startedAt !== undefined ? head : undefined;
  }

  /** Added before its startPlayback is sent: Telnyx may report its start before answering the command. */
  add(playback: Omit<QueuedPlayback, 'startedAt'>): QueuedPlayback {
    const entry: QueuedPlayback = { ...playback };
    this.queue.push(entry);
    return entry;
  }

  /** Its startPlayback failed: it never reached Telnyx's queue. */
  remove(playback: QueuedPlayback): void {
    const index = this.queue.indexOf(playback);
    if (index >= 0) this.queue.splice(index, 1);
  }

  /** A `call.playback.started`: the first playback not started yet (undefined for a stray). */
  started(): QueuedPlayback | undefined {
    const next = this.queue.find((playback) => playback.startedAt === undefined);
    if (!next) return undefined;
    next.startedAt = this.clock.now();
    const previous = this.lastEnded;
    if (previous && previous.turnId === next.turnId && previous.seq === next.seq - 1) {
      const gap = { turnId: next.turnId, seq: next.seq, gapMs: next.startedAt - previous.at };
      this.gapLog.push(gap);
      if (this.gapLog.length > GAPS_KEPT) this.gapLog.shift();
      this.onGap?.(gap);
    }
    return next;
  }

  /** A `call.playback.ended`: the playback at the head of the queue, or undefined when absorbed as a stray. */
  ended(status: string): QueuedPlayback | undefined {
    if (this.absorbStray(status)) return undefined;
    const head = this.queue.shift();
    if (!head) return undefined;
    this.strayCancelled = 0; // a playback queued after the stop has ended: the stop's events are behind us
    this.lastEnded = { turnId: head.turnId, seq: head.seq, at: this.clock.now() };
    return head;
  }

  /** `stopPlayback stop: all` was sent: Telnyx's queue is empty; returns what it held. */
  dropAll(): QueuedPlayback[] {
    const dropped = this.queue.splice(0, this.queue.length);
    for (const playback of dropped) {
      if (playback.startedAt !== undefined) this.strayAnyStatus++;
      else this.strayCancelled++;
    }
    this.lastEnded = undefined;
    return dropped;
  }

  private absorbStray(status: string): boolean {
    if (this.strayAnyStatus > 0) {
      this.strayAnyStatus--;
      return true;
    }
    if (status === PLAYBACK_CANCELLED && this.strayCancelled > 0) {
      this.strayCancelled--;
      return true;
    }
    return false;
  }
}
