import type { PendingSentence, SentenceResume } from '../elevenlabs';

/**
 * Where every speaker of a call (the multi-stream socket, the per-turn stream-input socket, REST)
 * reports to: the call's session, which publishes the audio, tracks its turns and feeds the metrics.
 */
export interface SpeechOutput {
  chunk(turnId: string, seq: number, chunk: number, audio: Buffer, text?: string): void;
  sentenceEnd(turnId: string, seq: number, chunks: number, last: boolean): void;
  ttfb(turnId: string, seq: number, ttfbMs: number): void;
  /** A socket gave up on these sentences (with what it published of each): speak them over REST. */
  fallback(turnId: string, pending: PendingSentence[], turnComplete: boolean): void;
  socketOpened(): void;
  socketClosed(): void;
}

/** Process-wide observers of every call's speech (metrics, latency log markers). */
export interface SpeechHooks {
  ttfb(callId: string, turnId: string, seq: number, ttfbMs: number): void;
  socketOpened(): void;
  socketClosed(): void;
  reconnect(): void;
  fallback(): void;
}

export const NO_SPEECH_HOOKS: SpeechHooks = {
  ttfb: () => undefined,
  socketOpened: () => undefined,
  socketClosed: () => undefined,
  reconnect: () => undefined,
  fallback: () => undefined,
};
export interface SpeakSentence {
  turnId: string;
  seq: number;
  text: string;
  last: boolean;
}

/** A sentence of the turn a takeover resumes, with what the previous owner published of it. */
export interface ResumedSentence extends SpeakSentence {
  published: SentenceResume;
}

/** How a call is being spoken now. */
export type SpeechMode = 'socket' | 'stream-input' | 'rest' | 'batch';

