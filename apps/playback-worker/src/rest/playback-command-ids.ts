/**
 * Telnyx command ids of REST playback. Deterministic, so a retried command repeats its id and Telnyx
 * ignores the duplicate (its 60 s window), and a reader of the call's logs sees which sentence it was.
 */
export const playCommandId = (callId: string, turnId: string, seq: number): string => `${callId}:${turnId}:${seq}:play`;

/** The barge-in's `stop: all`. */
export const stopCommandId = (callId: string, turnId: string): string => `${callId}:${turnId}:stop`;

/** The second stop, for a sentence whose play command was in flight when its turn was cancelled. */
export const raceStopCommandId = (callId: string, turnId: string, seq: number): string => `${callId}:${turnId}:${seq}:stop`;
