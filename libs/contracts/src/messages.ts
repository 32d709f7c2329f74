import { z } from 'zod';
import { base64, flag, id, int, millis, text } from './wire-fields';

/**
 * The closed vocabulary of bus messages. Each is flat (one Redis field per property) so that
 * `redis-cli XRANGE` reads as the call's story. `at` is always the publisher's epoch time in ms.
 * Turn ids are decimal counters per call ("1", "2", ...) minted by the gateway; a larger number is a
 * newer turn, which is what fencing by turn compares.
 */

export const CALL_STATES = ['initiated', 'answering', 'answered', 'listening', 'speaking', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

export const AUDIO_FORMATS = [
  'ulaw_8000',
  'alaw_8000',
  'pcm_8000',
  'pcm_16000',
  'pcm_22050',
  'pcm_24000',
  'mp3_44100_128',
] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

export const CANCEL_REASONS = ['barge-in', 'merge', 'hangup', 'dead-air', 'error'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

export const TURN_KINDS = ['user', 'greeting', 'reprompt', 'apology'] as const;
export type TurnKind = (typeof TURN_KINDS)[number];

export const schemas = {
  /** gateway:inbox — a verified Telnyx webhook, stored raw before it is acknowledged. */
  webhook: z.object({
    type: z.literal('webhook'),
    eventId: id(),
    /** The call_control_id: the bus handles one call's events in order. */
    callId: id(),
    eventType: z.string().min(1).max(100),
    body: text(256 * 1024),
    at: millis(),
  }),

  /** calls:lifecycle — every state transition of a call. */
  'call.lifecycle': z.object({
    type: z.literal('call.lifecycle'),
    callId: id(),
    state: z.enum(CALL_STATES),
    agentId: id(),
    detail: text(500).optional(),
    at: millis(),
  }),

  /** turns — what the caller said, for the llm-worker. `finalAt`: when the final transcript reached us. */
  turn: z.object({
    type: z.literal('turn'),
    callId: id(),
    turnId: id(),
    agentId: id(),
    text: text(),
    finalAt: millis(),
    at: millis(),
  }),

  /** tts shard stream — open the call's persistent TTS session (the call was answered). */
  'tts.open': z.object({
    type: z.literal('tts.open'),
    callId: id(),
    agentId: id(),
    at: millis(),
  }),

  /** tts shard stream — one speakable sentence of a turn; `last` ends the turn's text. */
  sentence: z.object({
    type: z.literal('sentence'),
    callId: id(),
    turnId: id(),
    seq: int(),
    text: text(),
    last: flag(),
    kind: z.enum(TURN_KINDS),
    at: millis(),
  }),

  /** tts shard stream — the call ended: close its socket. */
  'tts.close': z.object({
    type: z.literal('tts.close'),
    callId: id(),
    at: millis(),
  }),

  /**
   * audio:{callId} — one chunk of a sentence's audio. (turnId, seq, chunk) identifies it for dedupe;
   * `fence` is the TTS shard lease's fencing token: audio with an older token than one already seen
   * for the call comes from a stale owner and is dropped. The first chunk of a sentence carries its text.
   */
  audio: z.object({
    type: z.literal('audio'),
    callId: id(),
    turnId: id(),
    seq: int(),
    chunk: int(),
    format: z.enum(AUDIO_FORMATS),
    payload: base64(),
    fence: int(),
    text: text().optional(),
    at: millis(),
  }),

  /** audio:{callId} — the sentence's audio is complete; `last` marks the turn's last sentence. */
  'audio.end': z.object({
    type: z.literal('audio.end'),
    callId: id(),
    turnId: id(),
    seq: int(),
    chunks: int(),
    last: flag(),
    fence: int(),
    at: millis(),
  }),

  /** playback:rest — play this call with REST playback_start from now on (its audio stream from the start). */
  'playback.assign': z.object({
    type: z.literal('playback.assign'),
    callId: id(),
    agentId: id(),
    reason: z.enum(['agent-setting', 'streaming-failed']),
    at: millis(),
  }),

  /** audio:{callId} — Telnyx's call.playback.started / ended, forwarded in order with the call's audio. */
  'telnyx.playback': z.object({
    type: z.literal('telnyx.playback'),
    callId: id(),
    event: z.enum(['started', 'ended']),
    status: z.string().max(64).optional(),
    at: millis(),
  }),

  /** calls:control — stop everything of this turn, in every stage, now. */
  'turn.cancel': z.object({
    type: z.literal('turn.cancel'),
    callId: id(),
    turnId: id(),
    reason: z.enum(CANCEL_REASONS),
    at: millis(),
  }),

  /** calls:control — the call is over: free every resource it holds. */
  'call.ended': z.object({
    type: z.literal('call.ended'),
    callId: id(),
    reason: z.string().max(100),
    at: millis(),
  }),

  /** playback:events — the caller started hearing this turn. */
  'playback.started': z.object({
    type: z.literal('playback.started'),
    callId: id(),
    turnId: id(),
    at: millis(),
  }),

  /** playback:events — the turn's audio has been played out completely (dead-air timing starts here). */
  'playback.finished': z.object({
    type: z.literal('playback.finished'),
    callId: id(),
    turnId: id(),
    at: millis(),
  }),

  /** playback:events — the text the caller actually heard of a turn (all of it, or up to a barge-in). */
  'turn.heard': z.object({
    type: z.literal('turn.heard'),
    callId: id(),
    turnId: id(),
    text: text(),
    complete: flag(),
    at: millis(),
  }),

  /** metrics — one finished turn's waterfall: every stage's timestamp (epoch ms), absent if not reached. */
  'turn.metrics': z.object({
    type: z.literal('turn.metrics'),
    callId: id(),
    turnId: id(),
    finalAt: millis().optional(),
    turnPublishedAt: millis().optional(),
    llmFirstTokenAt: millis().optional(),
    firstSentenceAt: millis().optional(),
    ttsTextSentAt: millis().optional(),
    ttsFirstByteAt: millis().optional(),
    firstFrameSentAt: millis().optional(),
    firstHeardAt: millis().optional(),
    cancelled: flag().optional(),
    at: millis(),
  }),
} as const;

export type MessageType = keyof typeof schemas;
export type MessageOf<T extends MessageType> = z.output<(typeof schemas)[T]>;
export type BusMessage = { [T in MessageType]: MessageOf<T> }[MessageType];

export type WebhookMessage = MessageOf<'webhook'>;
export type CallLifecycleMessage = MessageOf<'call.lifecycle'>;
export type TurnMessage = MessageOf<'turn'>;
export type TtsOpenMessage = MessageOf<'tts.open'>;
export type SentenceMessage = MessageOf<'sentence'>;
export type TtsCloseMessage = MessageOf<'tts.close'>;
export type AudioChunkMessage = MessageOf<'audio'>;
export type AudioEndMessage = MessageOf<'audio.end'>;
export type TurnCancelMessage = MessageOf<'turn.cancel'>;
export type CallEndedMessage = MessageOf<'call.ended'>;
export type PlaybackStartedMessage = MessageOf<'playback.started'>;
export type PlaybackFinishedMessage = MessageOf<'playback.finished'>;
export type TurnHeardMessage = MessageOf<'turn.heard'>;
export type TurnMetricsMessage = MessageOf<'turn.metrics'>;
export type PlaybackAssignMessage = MessageOf<'playback.assign'>;
export type TelnyxPlaybackMessage = MessageOf<'telnyx.playback'>;

/** Turn ids are per-call counters; this compares them (negative: a is older). */
export function compareTurnIds(a: string, b: string): number {
  return Number(a) - Number(b);
}
