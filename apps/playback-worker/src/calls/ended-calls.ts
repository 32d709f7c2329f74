/**
 * Calls ended recently that this instance was not playing: a media stream or REST assignment for one of
 * them that is still being set up (its Redis reads in flight when `call.ended` arrived) must not start a
 * session that nothing would ever end. Bounded: older ids are forgotten first.
 */
export const ENDED_CALLS_KEPT = 1024;

export class EndedCalls {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = ENDED_CALLS_KEPT) {}

  add(callId: string): void {
    this.ids.delete(callId);
    this.ids.add(callId);
    if (this.ids.size <= this.capacity) return;
    const oldest = this.ids.values().next().value;
    if (oldest !== undefined) this.ids.delete(oldest);
  }

  has(callId: string): boolean {
    return this.ids.has(callId);
  }
}
