/**
 * Faults armed by tests, each consumed by the next connection / generation / REST call it applies to.
 * Kept apart from the handlers so that every fault is a plain counter a test can reason about.
 */

/** What happens to a socket mid-sentence: a dropped TCP connection (1006) or a close frame. */
export type MidSentenceFault = { kind: 'terminate' } | { kind: 'close'; code: number; reason: string };

interface ArmedMidSentence {
  fault: MidSentenceFault;
  /** Fires after this many chunks of one generation have been sent (and at least one remains). */
  afterChunks: number;
}

export interface Refusal {
  /** HTTP status answered instead of the upgrade; undefined = the TCP connection is reset. */
  status?: number;
}

export class ElevenLabsFaults {
  private refusals: Refusal[] = [];
  private slowFirstBytes: number[] = [];
  private midSentence: ArmedMidSentence[] = [];
  private rateLimitedRestCalls = 0;

  refuseConnections(count: number, refusal: Refusal): void {
    for (let i = 0; i < count; i++) this.refusals.push({ ...refusal });
  }

  takeRefusal(): Refusal | undefined {
    return this.refusals.shift();
  }

  slowFirstByte(count: number, extraMs: number): void {
    for (let i = 0; i < count; i++) this.slowFirstBytes.push(extraMs);
  }

  /** Extra time to first byte for the generation about to start (0 when none is armed). */
  takeFirstByteDelayMs(): number {
    return this.slowFirstBytes.shift() ?? 0;
  }

  armMidSentence(fault: MidSentenceFault, afterChunks: number): void {
    this.midSentence.push({ fault, afterChunks: Math.max(1, afterChunks) });
  }

  /** The armed fault, consumed, if this chunk is where it fires: mid-sentence, never on the last chunk. */
  takeMidSentence(chunkIndex: number, lastChunk: boolean): MidSentenceFault | undefined {
    const armed = this.midSentence[0];
    if (!armed || lastChunk || chunkIndex + 1 < armed.afterChunks) return undefined;
    this.midSentence.shift();
    return armed.fault;
  }

  rateLimitRest(count: number): void {
    this.rateLimitedRestCalls += count;
  }

  takeRestRateLimit(): boolean {
    if (this.rateLimitedRestCalls <= 0) return false;
    this.rateLimitedRestCalls--;
    return true;
  }

  clear(): void {
    this.refusals = [];
    this.slowFirstBytes = [];
    this.midSentence = [];
    this.rateLimitedRestCalls = 0;
  }
}
