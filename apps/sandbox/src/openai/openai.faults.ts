/**
 * Faults for the next requests, first armed first served: each chat completion request takes at most
 * one. A plain queue keeps tests exact: "the next 2 requests get 429, the third a slow first token".
 */
export type OpenAiFault =
  | { kind: 'slow-first-token'; extraMs: number }
  | { kind: 'rate-limit'; retryAfterS: number }
  | { kind: 'server-error' }
  | { kind: 'cut-stream'; afterTokens: number };

export class OpenAiFaults {
  private readonly queue: OpenAiFault[] = [];

  arm(fault: OpenAiFault, count: number): void {
    for (let i = 0; i < count; i++) this.queue.push({ ...fault });
  }

  take(): OpenAiFault | undefined {
    return this.queue.shift();
  }

  get pending(): number {
    return this.queue.length;
  }

  clear(): void {
    this.queue.length = 0;
  }
}
