import type { Clock } from '@app/clock';
import type { BackoffOptions } from './backoff-policy';
import type { ElevenLabsVoiceSettings } from './elevenlabs.wire';
import type { TtsError } from './tts-errors';
import type { CreateSocket } from './tts-socket';

/** Connection state of a call's TTS session. */
export enum TtsConnectionState {
  Idle = 'idle',
  Connecting = 'connecting',
  Open = 'open',
  Reconnecting = 'reconnecting',
  Failed = 'failed',
  Closed = 'closed',
}

/** A pino-like logger: a fixed message, values in fields. */
export interface TtsLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export interface ElevenLabsSessionOptions {
  callId: string;
  /** http(s) base of the service (ELEVENLABS_BASE_URL or the agent's); the ws(s) URL is derived from it. */
  baseUrl: string;
  apiKey: string;
  voiceId: string;
  modelId: string;
  outputFormat: string;
  voiceSettings: ElevenLabsVoiceSettings;
  /** `inactivity_timeout` query parameter, seconds (the service allows up to 180). */
  inactivityTimeoutS: number;
  autoMode: boolean;
  clock: Clock;
  logger: TtsLogger;
  connectTimeoutMs?: number;
  /** Reconnect backoff, over RECONNECT_BACKOFF. */
  backoff?: Partial<BackoffOptions>;
  /** Consecutive failures before `failed` + `fallback` (DEFAULT_MAX_CONSECUTIVE_FAILURES). */
  maxConsecutiveFailures?: number;
  /** How long a flushed sentence may wait for its first audio (NO_AUDIO_TIMEOUT_MS). */
  noAudioTimeoutMs?: number;
  /** WebSocket factory (default: `ws`). */
  createSocket?: CreateSocket;
  /** Jitter source, 0..1 (default Math.random). */
  random?: () => number;
}

export interface SentenceInput {
  turnId: string;
  seq: number;
  text: string;
  /** The turn's last sentence: its text ends the turn (implies `endTurn`). */
  last: boolean;
  /** What an earlier owner of the call already published of this sentence (takeover): see SentenceResume. */
  resume?: SentenceResume;
}

/**
 * A sentence taken over from another worker (or session): its first `chunks` chunks, `bytes` bytes in
 * all, are already published. The sentence is generated again and those bytes are skipped, numbering
 * continues at `chunks`; a `done` sentence (its end published) is not spoken again at all.
 */
export interface SentenceResume {
  chunks: number;
  bytes: number;
  done: boolean;
}

export interface TtsAudioEvent {
  callId: string;
  turnId: string;
  seq: number;
  /** 0, 1, 2 ... per (turnId, seq): never repeated, also across reconnects. */
  chunk: number;
  audio: Buffer;
  /** The sentence's text, on its first chunk only. */
  text?: string;
  /** Epoch ms (Clock.epochNow) when the chunk reached us. */
  receivedAt: number;
}

export interface TtsSentenceEndEvent {
  callId: string;
  turnId: string;
  seq: number;
  /** Chunks emitted for the sentence (its last chunk number + 1). */
  chunks: number;
  last: boolean;
}

/** A sentence's first audio byte (per attempt): text flushed → first chunk, on the session's clock. */
export interface TtsTtfbEvent {
  callId: string;
  turnId: string;
  seq: number;
  ttfbMs: number;
}

export interface TtsTurnEndEvent {
  callId: string;
  turnId: string;
}

export interface TtsStateChangeEvent {
  callId: string;
  from: TtsConnectionState;
  to: TtsConnectionState;
  reason?: string;
}

/** A sentence the session could not finish: the caller speaks it another way (REST). */
export interface PendingSentence {
  seq: number;
  text: string;
  last: boolean;
  /**
   * Chunks of it already emitted. Number the fallback's chunks from 0 too and drop those below this
   * (downstream dedupe on (turnId, seq, chunk) does exactly that), so nothing is said twice.
   */
  chunksEmitted: number;
  bytesEmitted: number;
}

export interface TtsFallbackEvent {
  callId: string;
  turnId: string;
  /** Unsent and unfinished sentences, in order. */
  pending: PendingSentence[];
  /** Whether the turn's text was complete (its last sentence or endTurn arrived). */
  turnComplete: boolean;
  error?: TtsError;
}

export interface ElevenLabsSessionEvents {
  audio: (event: TtsAudioEvent) => void;
  sentenceEnd: (event: TtsSentenceEndEvent) => void;
  ttfb: (event: TtsTtfbEvent) => void;
  turnEnd: (event: TtsTurnEndEvent) => void;
  stateChange: (event: TtsStateChangeEvent) => void;
  error: (error: TtsError) => void;
  fallback: (event: TtsFallbackEvent) => void;
}

/** How the session's parts emit the session's events. */
export type SessionEmit = <K extends keyof ElevenLabsSessionEvents>(event: K, ...args: Parameters<ElevenLabsSessionEvents[K]>) => void;
