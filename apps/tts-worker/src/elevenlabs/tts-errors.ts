/**
 * Errors of the ElevenLabs adapter, classified once at the edge (close code + reason text, server error
 * payload, HTTP status) into data the rest of the code branches on: `category` and `retryable`.
 * Nothing past this file looks at message text.
 */
export type TtsErrorCategory =
  /** 1008 "Have not received a new text input within the timeout": harmless, reconnect at once. */
  | 'idle_timeout'
  | 'auth'
  | 'quota'
  | 'rate_limit'
  /** 1008 max_active_conversations: a sixth context on one socket. */
  | 'context_limit'
  /** Other 1008 policy violations (bad settings, rejected context opening ...). */
  | 'policy'
  | 'bad_request'
  | 'message_too_large'
  /** 1012: the service restarts. */
  | 'service_restart'
  | 'server'
  /** 1006, refused or reset connections, DNS. */
  | 'network'
  | 'timeout'
  /** A context produced no audio in time. */
  | 'no_audio'
  | 'aborted'
  | 'unknown';

export interface TtsErrorDetails {
  status?: number;
  turnId?: string;
  contextId?: string;
  requestId?: string;
  /** Milliseconds the server asked us to wait (HTTP Retry-After). */
  retryAfterMs?: number;
}

export class TtsError extends Error {
  constructor(
    readonly category: TtsErrorCategory,
    readonly retryable: boolean,
    /** WebSocket close code, HTTP status, or a short symbolic code. */
    readonly code: number | string,
    readonly reason: string,
    readonly details: TtsErrorDetails = {},
  ) {
    super(`elevenlabs ${category} (${code}): ${reason}`);
    this.name = 'TtsError';
  }

  /** Fields for a log line (never a key: none is ever put in an error). */
  toLog(): Record<string, unknown> {
    return { category: this.category, retryable: this.retryable, code: this.code, reason: this.reason, ...this.details };
  }
}

/** What the service sends before closing on an error: `{"message","error","code"}`. */
export interface ServerErrorPayload {
  message?: string;
  error?: string;
  code?: number | string;
}

const IDLE_TEXT = [/have not received a new text input/i, /input[ _]timeout/i, /inactivity/i];
const CONTEXT_LIMIT_TEXT = [/max_active_conversations/i, /maximum simultaneous contexts/i];
const QUOTA_TEXT = [/quota/i, /credits?/i];
const AUTH_TEXT = [/api[ _-]?key/i, /unauthori[sz]ed/i, /authentication/i, /invalid_auth/i, /permission/i];
const RATE_TEXT = [/too_many_concurrent_requests/i, /system_busy/i, /rate[ _]limit/i];

const matches = (text: string, patterns: RegExp[]) => patterns.some((p) => p.test(text));

/** Classifies a WebSocket close (with the error payload the server sent just before, if any). */
export function classifyClose(code: number, reason: string, serverError?: ServerErrorPayload): TtsError {
  const text = [reason, serverError?.error, serverError?.message].filter((s) => !!s).join(' | ');
  const said = text || `closed with ${code}`;
  switch (code) {
    case 1006:
      return new TtsError('network', true, code, said || 'connection lost without a close frame');
    case 1008:
      if (matches(text, IDLE_TEXT)) return new TtsError('idle_timeout', true, code, said);
      if (matches(text, CONTEXT_LIMIT_TEXT)) return new TtsError('context_limit', true, code, said);
      if (matches(text, QUOTA_TEXT)) return new TtsError('quota', false, code, said);
      if (matches(text, AUTH_TEXT)) return new TtsError('auth', false, code, said);
      if (matches(text, RATE_TEXT)) return new TtsError('rate_limit', true, code, said);
      // Unknown policy failures may be transient; the consecutive-failure limit bounds the retries.
      return new TtsError('policy', true, code, said);
    case 1009:
      return new TtsError('message_too_large', false, code, said);
    case 1011:
      return new TtsError('server', true, code, said);
    case 1012:
    case 1013:
      return new TtsError('service_restart', true, code, said);
    case 1000:
    case 1001:
      // A close we did not ask for: unexpected, so reconnect.
      return new TtsError('server', true, code, said || 'server closed the socket');
    default:
      return new TtsError('unknown', true, code, said);
  }
}

/** Classifies an HTTP status (REST responses and refused WebSocket upgrades) with its body text. */
export function classifyHttpStatus(status: number, body = '', details: TtsErrorDetails = {}): TtsError {
  const reason = body.slice(0, 300) || `HTTP ${status}`;
  const d = { ...details, status };
  if (status === 429) return new TtsError('rate_limit', true, status, reason, d);
  if (status >= 500) return new TtsError('server', true, status, reason, d);
  if (matches(body, QUOTA_TEXT) && (status === 401 || status === 402 || status === 403)) {
    return new TtsError('quota', false, status, reason, d);
  }
  if (status === 401 || status === 403) return new TtsError('auth', false, status, reason, d);
  if (status === 408) return new TtsError('timeout', true, status, reason, d);
  return new TtsError('bad_request', false, status, reason, d);
}

/** Classifies anything thrown while connecting or fetching (socket errors, aborts, timeouts). */
export function classifyThrown(thrown: unknown, details: TtsErrorDetails = {}): TtsError {
  if (thrown instanceof TtsError) return thrown;
  const err = thrown as { name?: string; code?: string; message?: string; statusCode?: number; cause?: unknown };
  if (typeof err?.statusCode === 'number') return classifyHttpStatus(err.statusCode, err.message ?? '', details);
  if (err?.name === 'AbortError' || err?.code === 'ABORT_ERR') {
    return new TtsError('aborted', false, 'aborted', err.message ?? 'aborted', details);
  }
  if (err?.name === 'TimeoutError') return new TtsError('timeout', true, 'timeout', err.message ?? 'timed out', details);
  const cause = err?.cause as { code?: string; message?: string } | undefined;
  const code = err?.code ?? cause?.code ?? 'network';
  return new TtsError('network', true, code, cause?.message ?? err?.message ?? String(thrown), details);
}
