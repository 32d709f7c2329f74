/**
 * Every default of the ElevenLabs simulator, with its unit and where the value comes from.
 * "AsyncAPI" = ElevenLabs' published AsyncAPI spec of the stream-input / multi-stream-input sockets
 * (elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-multi-stream-input);
 * "OpenAPI" = their OpenAPI spec of the REST endpoints; "guide" = the multi-context WebSocket guide.
 */

/**
 * WebSocket handshake (TCP + TLS + upgrade), applied before the upgrade completes. The seed system
 * measured 316-386 ms per connection (shared/docs/providers.md); 350 ms sits inside that band.
 */
export const DEFAULT_HANDSHAKE_LATENCY_MS = 350;

/**
 * From a flushed text to its first audio byte. ElevenLabs quotes ~75 ms model latency for Flash v2.5
 * and 150-200 ms time to first byte over WebSocket in the US; we take the low end of the latter.
 */
export const DEFAULT_FIRST_BYTE_LATENCY_MS = 150;

/** Audio generated per wall-clock second once the first byte is out: 4 s of speech per second. */
export const DEFAULT_GENERATION_SPEED = 4;

/** Speaking rate: ~15 characters per second is ordinary conversational English (~150 words/min). */
export const DEFAULT_CHARS_PER_SECOND = 15;

/**
 * Audio per server message. 250 ms keeps several messages per sentence (a 60-character sentence is
 * 4 s = 16 messages), as the real service streams a sentence in several pieces.
 */
export const DEFAULT_AUDIO_CHUNK_MS = 250;

/** "Each connection is limited to 5 concurrent contexts" (guide). */
export const MAX_CONTEXTS_PER_SOCKET = 5;

/** `inactivity_timeout` query parameter: default 20, "can be up to 180 seconds" (AsyncAPI). */
export const DEFAULT_INACTIVITY_TIMEOUT_S = 20;
export const MAX_INACTIVITY_TIMEOUT_S = 180;

/**
 * Largest client message. The guide's own example connects with `max_size=16 * 1024 * 1024` and the
 * service closes 1009 above it (providers.md); `ws` enforces it the same way.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** `generation_config.chunk_length_schedule` default "[120, 160, 250, 290]" (AsyncAPI). */
export const DEFAULT_CHUNK_LENGTH_SCHEDULE: readonly number[] = [120, 160, 250, 290];

/** `output_format` default of every TTS endpoint (OpenAPI / AsyncAPI). */
export const DEFAULT_OUTPUT_FORMAT = 'mp3_44100_128';

/**
 * Concurrent REST generations before 429 `too_many_concurrent_requests`. Plans allow 4 (free) to 30
 * (business) for Flash (providers.md); the business figure keeps ordinary sandbox traffic under it.
 */
export const DEFAULT_MAX_REST_CONCURRENCY = 30;

/** Characters per REST request: Flash v2.5's documented limit is 40,000. */
export const MAX_REST_TEXT_CHARS = 40_000;

/** The key the simulator accepts unless told otherwise. */
export const DEFAULT_ELEVENLABS_API_KEY = 'sim-elevenlabs-key';

/**
 * A close frame carries at most 125 payload bytes, 2 of them the code (RFC 6455 §5.5), so a reason is
 * cut to 123 bytes. The service's long messages arrive cut short exactly this way (elevenlabs-docs
 * issue #426 shows the idle-timeout reason ending mid-word).
 */
export const WS_CLOSE_REASON_MAX_BYTES = 123;

/** Close codes (RFC 6455 §7.4.1) the service uses. */
export const CLOSE_NORMAL = 1000;
export const CLOSE_POLICY_VIOLATION = 1008;

/** Context id for multi-stream-input messages that carry none ("a default context will be used", AsyncAPI). */
export const DEFAULT_CONTEXT_ID = 'default';

/** Largest REST body read (larger → 413): 40,000 characters of JSON text fit with room to spare. */
export const MAX_REST_BODY_BYTES = 1024 * 1024;
