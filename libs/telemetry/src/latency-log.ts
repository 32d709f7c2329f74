import type { BusLogger } from '@app/bus';

/**
 * The latency markers operators grep for in the logs, with the exact text they know. The number is in
 * the message because that is what they search for; it is in the fields too, with `callId`/`turnId`,
 * for log queries that aggregate.
 */
export type LatencyLogger = Pick<BusLogger, 'info'>;

const wholeMs = (ms: number): number => Math.round(ms);

/** `FIRST AUDIO STARTED: <n>ms from user stop`: the caller's final transcript to our first audio, for one turn. */
export function logFirstAudioStarted(logger: LatencyLogger, callId: string, turnId: string, firstAudioMs: number): void {
  const ms = wholeMs(firstAudioMs);
  logger.info({ callId, turnId, firstAudioMs: ms }, `FIRST AUDIO STARTED: ${ms}ms from user stop`);
}

/**
 * `Sentence #<n> TTFB: <n>ms`: one sentence's text sent to TTS until its first audio byte. `seq` is the
 * bus's 0-based sentence seq; the marker counts sentences from 1 as people do (seq 0 is "Sentence #1").
 */
export function logSentenceTtfb(logger: LatencyLogger, callId: string, turnId: string, seq: number, ttfbMs: number): void {
  const ms = wholeMs(ttfbMs);
  const sentence = seq + 1;
  logger.info({ callId, turnId, seq, sentence, ttfbMs: ms }, `Sentence #${sentence} TTFB: ${ms}ms`);
}
