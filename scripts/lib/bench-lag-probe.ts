/**
 * How late the sandbox answers while a level runs: the round trip of its trivial health endpoint,
 * asked again and again. On loopback that is well under a millisecond when the process is free; when it
 * grows, the simulators' single event loop is busy, and so is everything it stamps (the caller's final
 * transcript, the frames the ear hears, the providers' tokens and audio): its delay shows up in the
 * figures as ours. The benchmark reports it per level so a saturated sandbox is never mistaken for a
 * slow system.
 */
/** Between two probes: 10 a second costs the sandbox nothing and catches 100-ms stalls. */
export const LAG_PROBE_INTERVAL_MS = 100;
/** A probe that takes longer than this is abandoned (counted with the time it took) and the next starts. */
export const LAG_PROBE_TIMEOUT_MS = 5_000;

export type HealthCall = (signal: AbortSignal) => Promise<void>;

export function sandboxHealthCall(controlUrl: string): HealthCall {
  return async (signal) => {
    const res = await fetch(`${controlUrl}/sandbox/health`, { signal });
    await res.arrayBuffer();
  };
}

export class LagProbe {
  private readonly samples: number[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly health: HealthCall,
    private readonly intervalMs = LAG_PROBE_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** The round trips measured, in ms. */
  async stop(): Promise<number[]> {
    this.running = false;
    await this.loop;
    return [...this.samples];
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = this.now();
      // A failed probe counts too: a refused or timed-out health check is a late answer, not no answer.
      await this.health(AbortSignal.timeout(LAG_PROBE_TIMEOUT_MS)).catch(() => undefined);
      this.samples.push(this.now() - started);
      const waitMs = started + this.intervalMs - this.now();
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
