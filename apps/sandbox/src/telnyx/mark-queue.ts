import { Clock, TimerHandle } from '@app/clock';

/**
 * Marks we sent on the media stream, echoed the way Telnyx documents it: when the audio before the
 * mark has finished playing, at once if nothing is playing or queued, and all pending ones at once on
 * `clear`. Times are epoch ms (the ear's timeline).
 */
export interface EchoedMark {
  name: string;
  receivedAt: number;
  echoedAt: number;
  cleared: boolean;
}

interface PendingMark {
  name: string;
  receivedAt: number;
  timer: TimerHandle;
}

export class MarkQueue {
  private pending: PendingMark[] = [];
  readonly echoed: EchoedMark[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly echo: (name: string) => void,
  ) {}

  /** A mark arrived; `playoutEnd` is when the audio queued before it stops playing. */
  add(name: string, playoutEnd: number): void {
    const receivedAt = this.clock.epochNow();
    const waitMs = playoutEnd - receivedAt;
    if (waitMs <= 0) {
      this.send(name, receivedAt, false);
      return;
    }
    const mark: PendingMark = {
      name,
      receivedAt,
      timer: this.clock.setTimeout(() => {
        this.pending = this.pending.filter((p) => p !== mark);
        this.send(name, receivedAt, false);
      }, waitMs),
    };
    this.pending.push(mark);
  }

  /** `clear`: every pending mark comes back now, in the order they were sent. */
  flush(): void {
    const flushed = this.pending;
    this.pending = [];
    for (const mark of flushed) {
      this.clock.clearTimeout(mark.timer);
      this.send(mark.name, mark.receivedAt, true);
    }
  }

  /** The stream ended: pending marks are dropped with it. */
  cancel(): void {
    for (const mark of this.pending) this.clock.clearTimeout(mark.timer);
    this.pending = [];
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private send(name: string, receivedAt: number, cleared: boolean): void {
    this.echoed.push({ name, receivedAt, echoedAt: this.clock.epochNow(), cleared });
    this.echo(name);
  }
}
