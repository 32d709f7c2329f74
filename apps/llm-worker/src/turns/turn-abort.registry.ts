/**
 * One AbortController per turn in generation. A cancel (barge-in, merge, hangup) aborts the HTTP
 * stream at once; everything downstream of the signal checks it before publishing.
 */
export class TurnAbortRegistry {
  private readonly live = new Map<string, { turnId: string; controller: AbortController }>();

  /** Starts a turn; a newer turn of the same call aborts the older one. */
  begin(callId: string, turnId: string): AbortController {
    this.abort(callId, undefined, 'superseded');
    const controller = new AbortController();
    this.live.set(callId, { turnId, controller });
    return controller;
  }

  /** Aborts the call's turn in generation (only `turnId`'s when given). Returns whether one was aborted. */
  abort(callId: string, turnId: string | undefined, reason: string): boolean {
    const entry = this.live.get(callId);
    if (!entry || (turnId !== undefined && entry.turnId !== turnId)) return false;
    entry.controller.abort(new TurnCancelledError(callId, entry.turnId, reason));
    this.live.delete(callId);
    return true;
  }

  finish(callId: string, turnId: string): void {
    if (this.live.get(callId)?.turnId === turnId) this.live.delete(callId);
  }

  size(): number {
    return this.live.size;
  }
}

export class TurnCancelledError extends Error {
  constructor(
    readonly callId: string,
    readonly turnId: string,
    readonly reason: string,
  ) {
    super(`turn ${turnId} of ${callId} cancelled: ${reason}`);
    this.name = 'TurnCancelledError';
  }
}
