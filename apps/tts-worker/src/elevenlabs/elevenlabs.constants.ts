import type { BackoffOptions } from './backoff-policy';

/**
 * Every timeout and threshold of the ElevenLabs adapter, with its unit and why it has that value.
 * The service's own limits come first; ours are derived from them.
 */

/** The service refuses a sixth live context on one multi-stream-input socket (1008 max_active_conversations). */
export const MAX_CONTEXTS_PER_SOCKET = 5;

/** The service closes a context that has received no text for 20 s (documented default). */
export const CONTEXT_IDLE_TIMEOUT_MS = 20_000;

/**
 * An open context that has been sent nothing for this long gets a keepalive (`{"text":""}`): half the
 * service's 20 s idle timeout, so one lost or late keepalive still leaves time for the next.
 */
export const KEEPALIVE_AFTER_IDLE_MS = 10_000;

/**
 * How often the keepalive scheduler looks. Worst case a keepalive leaves KEEPALIVE_AFTER_IDLE_MS +
 * KEEPALIVE_TICK_MS = 15 s after the last message: 5 s before CONTEXT_IDLE_TIMEOUT_MS.
 */
export const KEEPALIVE_TICK_MS = 5_000;

/** `inactivity_timeout` query parameter: the service accepts at most 180 s. */
export const MAX_INACTIVITY_TIMEOUT_S = 180;
export const DEFAULT_INACTIVITY_TIMEOUT_S = 180;

/**
 * A socket with no live context is replaced (make-before-break) this long before the service's
 * `inactivity_timeout` would close it. Larger than DEFAULT_CONNECT_TIMEOUT_MS so that the new socket is
 * open before the old one's deadline even when the handshake is slow.
 */
export const SOCKET_REFRESH_MARGIN_MS = 15_000;

/**
 * Longest wait for the WebSocket handshake. Handshakes measure 316-386 ms; at ~8x that a sentence would
 * already be dead air, so we give up and retry rather than wait longer.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;

/**
 * A flushed sentence whose context sends no audio for this long is reported and re-sent once. Time to
 * first byte is 150-400 ms (US); 3 s is ~10x that, still short enough to leave room for the retry.
 */
export const NO_AUDIO_TIMEOUT_MS = 3_000;

/**
 * A connection that has stayed open this long (or delivered audio) counts as healthy: the consecutive
 * failure counter is reset. Resetting on `open` alone would let a socket that the service accepts and
 * then drops at once reconnect forever without ever reaching the fallback.
 */
export const STABLE_CONNECTION_MS = 10_000;

/**
 * A 1008 "idle" close counts as harmless (reconnect at once, no failure) only from a socket open at least
 * this long: our config's smallest inactivity_timeout is 5 s, so an earlier "idle" close is not one, and
 * treating it as harmless could reconnect in a tight loop.
 */
export const IDLE_CLOSE_MIN_OPEN_MS = 5_000;

/**
 * A sentence whose characters have all been heard still gets the chunks that follow with no character
 * (its trailing ". " and silence) until audio of a later sentence comes, or this long. The chunks of
 * one generation are tens of ms apart, but a loaded provider (or process) can stretch that to hundreds;
 * waiting longer costs nothing audible: audio of the next sentence ends it at once, and only its end
 * mark (heard-text bookkeeping) waits when the next sentence is slow to come.
 */
export const TRAILING_AUDIO_WAIT_MS = 1_000;

/** After `close_socket` and our close frame, wait this long for the server's close frame, then terminate. */
export const CLOSE_HANDSHAKE_TIMEOUT_MS = 1_000;

/**
 * Consecutive connect failures or drops before the session gives up (state `failed`, `fallback` event).
 * With RECONNECT_BACKOFF that is ~0.25 + 0.5 s of backoff plus the attempts themselves: about as long as
 * a caller tolerates silence mid-answer before REST must take over.
 */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 3;

/** Reconnect backoff of the persistent socket: 250 ms, 500 ms, 1 s, ... capped at 4 s; up to half of it jittered away. */
export const RECONNECT_BACKOFF: BackoffOptions = {
  initialDelayMs: 250,
  maxDelayMs: 4_000,
  multiplier: 2,
  jitterRatio: 0.5,
};

/**
 * REST fallback retries (429 too_many_concurrent_requests / system_busy, 5xx): concurrency queues drain
 * in ~50 ms, so a short first delay; three attempts in all so that a sentence is never later than ~1 s.
 */
export const REST_BACKOFF: BackoffOptions = {
  initialDelayMs: 200,
  maxDelayMs: 2_000,
  multiplier: 2,
  jitterRatio: 0.5,
};
export const REST_MAX_ATTEMPTS = 3;

/** Longest wait for REST response headers (not for the whole body, which streams as long as it speaks). */
export const REST_HEADERS_TIMEOUT_MS = 5_000;

/** Cap on a server-sent Retry-After honoured by the REST client: beyond this the turn is lost anyway. */
export const REST_MAX_RETRY_AFTER_MS = 2_000;
