/**
 * Faults injected into the Call Control API for resilience tests: the next N requests fail with a 5xx
 * (no effect, as when Telnyx itself failed), or are executed at once but answered late (the case that
 * makes a client retry a command that already took effect, which `command_id` dedupes).
 */
export const DEFAULT_FAULT_STATUS = 500;

export class FaultInjector {
  private readonly failures: number[] = [];
  private readonly delays: number[] = [];

  failNext(count: number, status = DEFAULT_FAULT_STATUS): void {
    for (let i = 0; i < count; i++) this.failures.push(status);
  }

  delayNext(count: number, ms: number): void {
    for (let i = 0; i < count; i++) this.delays.push(ms);
  }

  reset(): void {
    this.failures.length = 0;
    this.delays.length = 0;
  }

  /** The status to fail this request with, if a failure is pending. */
  takeFailure(): number | undefined {
    return this.failures.shift();
  }

  /** Extra ms before answering this request. */
  takeDelay(): number {
    return this.delays.shift() ?? 0;
  }
}
