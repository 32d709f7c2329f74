import { CLOSE_POLICY_VIOLATION, WS_CLOSE_REASON_MAX_BYTES } from './elevenlabs.constants';
import { ServerError } from './server-messages';

/**
 * The service's error payloads, word for word where a public source shows them. Each one is sent as
 * a message and then as the close reason (cut to 123 bytes), with close code 1008.
 */

/**
 * Idle timeout. Text as quoted by an ElevenLabs engineer (elevenlabs-docs issue #426) and logged by
 * livekit/agents issue #218, which also shows `error: "input_timeout_exceeded", code: 1008`.
 */
export function inputTimeoutError(timeoutSeconds: number): ServerError {
  return {
    message:
      `Have not received a new text input within the timeout of ${timeoutSeconds} seconds. Streaming input terminated. ` +
      'Please make sure to either feed the input in the timely manner, or to send the end of input text (empty string "") when done.',
    error: 'input_timeout_exceeded',
    code: CLOSE_POLICY_VIOLATION,
  };
}

/** A sixth context (livekit/agents-js issue #1985, pipecat issue #4114 quote this payload). */
export function maxContextsError(limit: number): ServerError {
  return {
    message: `Maximum simultaneous contexts per WebSocket connection exceeded (${limit}). Please close an existing context before opening a new one.`,
    error: 'max_active_conversations',
    code: CLOSE_POLICY_VIOLATION,
  };
}

/**
 * `voice_settings` (or `generation_config`) after a context's first message, different from it: the
 * 1008 reason pipecat issues #4520 / #4541 quote. A keepalive sent before the opening becomes the
 * first message (without settings), so the real opening then fails with exactly this.
 * The `error` code is not shown in any public log: unconfirmed.
 */
export function settingsChangedError(field: 'voice_settings' | 'generation_config'): ServerError {
  return {
    message: `${field} field must be provided in the first message and then either be not provided or not change.`,
    error: 'invalid_request',
    code: CLOSE_POLICY_VIOLATION,
  };
}

/** Wrong or missing key. REST answers 401 `invalid_api_key` / "Invalid API key" (documented code); the
 * socket's exact payload is unconfirmed, so the REST wording is reused. */
export function invalidApiKeyError(): ServerError {
  return { message: 'Invalid API key', error: 'invalid_api_key', code: CLOSE_POLICY_VIOLATION };
}

/** Query or message the service would refuse (bad output_format, inactivity_timeout, JSON). Unconfirmed wording. */
export function invalidRequestError(message: string): ServerError {
  return { message, error: 'invalid_request', code: CLOSE_POLICY_VIOLATION };
}

/** The close reason: the message, cut to what a close frame can carry without splitting a character. */
export function closeReasonOf(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= WS_CLOSE_REASON_MAX_BYTES) return message;
  let end = WS_CLOSE_REASON_MAX_BYTES;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back off a UTF-8 continuation byte
  return bytes.subarray(0, end).toString('utf8');
}
