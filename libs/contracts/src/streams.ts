/**
 * Every Redis stream and key name the system uses. Nothing outside this file spells one.
 *
 * Redis Cluster rule: per-call keys share the call's hash tag `{<callId>}` so that any command that
 * touches several keys of one call stays in one slot; shard keys carry the shard's own tag so that
 * the shards spread over the slots instead of piling onto one.
 */

/** Verified Telnyx webhooks, written before the webhook is acknowledged (the gateway's durable inbox). */
export const GATEWAY_INBOX_STREAM = 'gateway:inbox';
/** User turns (final transcripts) for the llm-workers, one consumer group shared by all instances. */
export const TURNS_STREAM = 'turns';
/**
 * Control lane, read by every instance of every app without a consumer group (broadcast): turn cancels
 * and call ends. It carries no text or audio, so a cancel never waits behind data.
 */
export const CONTROL_STREAM = 'calls:control';
/** Call lifecycle and state transitions: the call's story for operators and metrics. */
export const LIFECYCLE_STREAM = 'calls:lifecycle';
/** What the playback-workers observed: agent speaking started/finished, text actually heard. */
export const PLAYBACK_EVENTS_STREAM = 'playback:events';
/**
 * Calls whose audio is played with REST `playback_start` (agent setting, or media streaming failed):
 * one playback-worker of the group takes each call and reads its audio stream.
 */
export const PLAYBACK_REST_STREAM = 'playback:rest';
/** One readable waterfall entry per finished turn. */
export const METRICS_STREAM = 'metrics';

/** The dead-letter stream of a stream: malformed entries and entries over the delivery limit. */
export const deadLetterStream = (stream: string): string => `dlq:${stream}`;

/** Per-call keys. */
export const callKey = (callId: string): string => `call:{${callId}}`;
export const audioStream = (callId: string): string => `audio:{${callId}}`;
export const historyKey = (callId: string): string => `history:{${callId}}`;
export const turnMarksKey = (callId: string): string => `marks:{${callId}}`;
export const playbackClaimKey = (callId: string): string => `playback:claim:{${callId}}`;

/** Webhook dedupe marker, one per Telnyx event id (`data.id`). */
export const webhookSeenKey = (eventId: string): string => `webhook:seen:{${eventId}}`;

/** TTS shard keys: the stream the shard's holder consumes, its lease and its fencing counter. */
export const ttsShardStream = (shard: number): string => `tts:{s${shard}}:in`;
export const ttsShardLeaseKey = (shard: number): string => `tts:{s${shard}}:lease`;
export const ttsShardFenceKey = (shard: number): string => `tts:{s${shard}}:fence`;
/** The calls with a TTS session in a shard (set): a new holder rebuilds each of them after a takeover. */
export const ttsShardCallsKey = (shard: number): string => `tts:{s${shard}}:calls`;
/** A call's current TTS turn (hash: its sentences), so a new shard holder can finish the turn. */
export const ttsTurnKey = (callId: string): string => `tts:turn:{${callId}}`;

/** Live tts-workers (sorted set: instance → heartbeat expiry), for each worker's fair share of shards. */
export const TTS_WORKERS_KEY = 'tts:workers';

/** Consumer group names, one per app type reading a stream. */
export const GROUPS = {
  gateway: 'call-gateway',
  llm: 'llm-worker',
  tts: 'tts-worker',
  playback: 'playback-worker',
  metrics: 'metrics',
} as const;
