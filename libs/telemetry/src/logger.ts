import pino, { Logger } from 'pino';

/**
 * JSON logs, one line per event: a fixed message, values in fields, `callId`/`turnId` on every line
 * of a call. Transcripts and phone numbers go under `pii`, which production can redact with
 * LOG_REDACT_PII; keys never reach a log (the redact paths below are a second line of defence).
 */
export type AppLogger = Logger;

export function createLogger(app: string, level = 'info', redactPii = false): AppLogger {
  return pino({
    name: app,
    level,
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        '*.apiKey',
        '*.api_key',
        '*.xi_api_key',
        'headers["xi-api-key"]',
        'headers.authorization',
        ...(redactPii ? ['pii'] : []),
      ],
      censor: '[redacted]',
    },
  });
}
