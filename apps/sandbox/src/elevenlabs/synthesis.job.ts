import { Clock, TimerHandle } from '@app/clock';
import { PlannedChunk, SpeechPlan } from './speech-plan';

/**
 * Sends one generation's chunks on the service's schedule: the first `firstByteMs` after the job may
 * start, then each chunk as soon as it "exists" at `speed` times real time. Deadlines come from the
 * start time (not from the previous timer firing), so timer lateness never accumulates.
 */
export interface SynthesisTiming {
  firstByteMs: number;
  speed: number;
}

/** What the job reports for each chunk; returning false stops the job (socket gone, fault fired). */
export type ChunkSink = (chunk: PlannedChunk) => boolean;

export class SynthesisJob {
  private timer?: TimerHandle;
  private next = 0;
  private stopped = false;

  constructor(
    private readonly plan: SpeechPlan,
    private readonly timing: SynthesisTiming,
    private readonly clock: Clock,
    private readonly sink: ChunkSink,
    private readonly onDone: () => void,
  ) {}

  /** `startAt` (clock.now() scale) is when the text reached the service or the context became free. */
  start(startAt: number): void {
    this.schedule(startAt);
  }

  cancel(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  private schedule(startAt: number): void {
    const chunk = this.plan.chunks[this.next];
    if (this.stopped) return;
    if (!chunk) {
      this.stopped = true;
      this.onDone();
      return;
    }
    const deadline = startAt + this.timing.firstByteMs + chunk.startMs / this.timing.speed;
    this.timer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.next++;
      if (!this.sink(chunk)) {
        this.stopped = true;
        return;
      }
      this.schedule(startAt);
    }, Math.max(0, deadline - this.clock.now()));
  }
}
