/**
 * Why a sentence could not be turned into MP3, classified once where ffmpeg is run (from error codes
 * and our own timers, never from message text), so callers branch on `category` / `retryable`.
 */
export const MP3_ENCODE_ERROR_CATEGORIES = [
  /** No executable ffmpeg at the configured path, /usr/bin/ffmpeg or on PATH (ENOENT / EACCES). */
  'binary-missing',
  /** ffmpeg runs but has no MP3 encoder (libmp3lame): a build without it. */
  'codec-missing',
  /** Nothing we could encode: empty audio, half a PCM sample, an unsupported format. */
  'invalid-input',
  /** The process could not be started for lack of resources (EAGAIN, EMFILE, ENOMEM...). */
  'spawn-failed',
  /** ffmpeg exited non-zero or produced no MP3: the same input would fail again. */
  'process-failed',
  /** ffmpeg took longer than the encode timeout and was killed. */
  'timeout',
  /** The caller gave up (barge-in, hangup): not a failure. */
  'aborted',
] as const;
export type Mp3EncodeErrorCategory = (typeof MP3_ENCODE_ERROR_CATEGORIES)[number];

const RETRYABLE: Readonly<Record<Mp3EncodeErrorCategory, boolean>> = {
  'binary-missing': false,
  'codec-missing': false,
  'invalid-input': false,
  'spawn-failed': true,
  'process-failed': false,
  timeout: true,
  aborted: false,
};

/** Spawn error codes that mean "this binary cannot be run at all". */
const MISSING_BINARY_CODES: ReadonlySet<string> = new Set(['ENOENT', 'EACCES', 'ENOTDIR']);
/** The last bytes of ffmpeg's stderr kept on an error: enough for its one-line reason. */
const STDERR_TAIL_CHARS = 500;

export interface Mp3EncodeErrorDetails {
  readonly binary?: string;
  /** System error code of a spawn failure (ENOENT, EAGAIN...). */
  readonly code?: string;
  readonly stderrTail?: string;
  readonly cause?: unknown;
}

export class Mp3EncodeError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly category: Mp3EncodeErrorCategory,
    message: string,
    readonly details: Mp3EncodeErrorDetails = {},
  ) {
    super(`mp3 encode ${category}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'Mp3EncodeError';
    this.retryable = RETRYABLE[category];
  }
}

/** An error fluent-ffmpeg reported (spawn failure or non-zero exit), with the stderr it captured. */
export function classifyFfmpegFailure(error: unknown, binary: string, stderr?: string | null): Mp3EncodeError {
  if (error instanceof Mp3EncodeError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const stderrTail = stderr ? stderr.slice(-STDERR_TAIL_CHARS) : undefined;
  const details = { binary, code, stderrTail, cause: error };
  if (code && MISSING_BINARY_CODES.has(code)) return new Mp3EncodeError('binary-missing', `cannot run ${binary} (${code})`, details);
  if (code) return new Mp3EncodeError('spawn-failed', `cannot start ${binary} (${code})`, details);
  return new Mp3EncodeError('process-failed', 'ffmpeg failed', details);
}
