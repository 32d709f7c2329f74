import { Clock } from '@app/clock';
import { PlannedChunk, SpeechPlan } from './speech-plan';
import { SynthesisJob, SynthesisTiming } from './synthesis.job';

/**
 * The generations of one context, strictly in order: a flushed text starts at once if the context is
 * free, else right after the previous generation's last chunk (a context speaks one thing at a time).
 * Time to first byte is counted from the later of the two.
 */
export interface SpeakerHooks {
  plan(text: string): SpeechPlan;
  /** Timing for the next generation (faults may slow one first byte). */
  timing(): SynthesisTiming;
  /** Sends a chunk; false means the socket is gone and everything stops. */
  emit(chunk: PlannedChunk): boolean;
}

interface Pending {
  text: string;
  receivedAt: number;
}

export class ContextSpeaker {
  private readonly queue: Pending[] = [];
  private job?: SynthesisJob;
  private idleWaiters: (() => void)[] = [];
  private cancelled = false;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: SpeakerHooks,
  ) {}

  get busy(): boolean {
    return this.job !== undefined || this.queue.length > 0;
  }

  enqueue(text: string, receivedAt = this.clock.now()): void {
    if (this.cancelled) return;
    this.queue.push({ text, receivedAt });
    if (!this.job) this.startNext();
  }

  /** Runs `callback` once everything queued so far has been sent (at once when idle). */
  onceIdle(callback: () => void): void {
    if (!this.busy) callback();
    else this.idleWaiters.push(callback);
  }

  cancel(): void {
    this.cancelled = true;
    this.queue.length = 0;
    this.idleWaiters = [];
    this.job?.cancel();
    this.job = undefined;
  }

  private startNext(): void {
    const pending = this.queue.shift();
    if (!pending) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
      return;
    }
    const job = new SynthesisJob(
      this.hooks.plan(pending.text),
      this.hooks.timing(),
      this.clock,
      (chunk) => {
        if (this.hooks.emit(chunk)) return true;
        this.cancel();
        return false;
      },
      () => {
        this.job = undefined;
        this.startNext();
      },
    );
    this.job = job;
    job.start(Math.max(pending.receivedAt, this.clock.now()));
  }
}
