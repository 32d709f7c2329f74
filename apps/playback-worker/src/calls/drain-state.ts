/**
 * Whether this instance is draining (SIGTERM received): it keeps playing the calls it holds, takes no
 * new ones, and reports not-ready so the orchestrator routes nothing new to it.
 */
export class DrainState {
  private since: number | undefined;

  get draining(): boolean {
    return this.since !== undefined;
  }

  /** Monotonic time the drain began, if it has. */
  get startedAt(): number | undefined {
    return this.since;
  }

  begin(now: number): void {
    this.since ??= now;
  }

  /** The readiness check's answer: a reason to be unready, or undefined. */
  readonly readiness = (): string | undefined => (this.draining ? 'draining: finishing the calls it holds' : undefined);
}
