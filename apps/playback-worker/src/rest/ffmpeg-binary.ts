import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian/Ubuntu's ffmpeg package (and our container image) puts the binary. */
export const DEFAULT_FFMPEG_PATH = '/usr/bin/ffmpeg';
const FFMPEG_BINARY_NAME = 'ffmpeg';
const ANY_EXECUTE_BIT = 0o111;

export interface FfmpegBinaryLookup {
  /** FFMPEG_PATH from the app's config: used as given, never replaced by a guess when it is wrong. */
  readonly configured?: string;
  /** The OS search path (PATH), searched when nothing is configured and the default is absent. */
  readonly searchPath?: string;
  readonly defaultPath?: string;
}

export type FfmpegBinary = { readonly found: true; readonly path: string } | { readonly found: false; readonly reason: string };

/**
 * The ffmpeg to run: the configured path if set (a misconfiguration must fail loudly, not silently run
 * another build), else /usr/bin/ffmpeg, else the first `ffmpeg` on the search path. Checked once, when
 * the encoder is built, so a missing binary is reported before a call needs it.
 */
export function resolveFfmpegBinary(lookup: FfmpegBinaryLookup): FfmpegBinary {
  if (lookup.configured) {
    return isExecutableFile(lookup.configured)
      ? { found: true, path: lookup.configured }
      : { found: false, reason: `configured ffmpeg path ${lookup.configured} is not an executable file` };
  }
  const defaultPath = lookup.defaultPath ?? DEFAULT_FFMPEG_PATH;
  if (isExecutableFile(defaultPath)) return { found: true, path: defaultPath };
  for (const dir of (lookup.searchPath ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, FFMPEG_BINARY_NAME);
    if (isExecutableFile(candidate)) return { found: true, path: candidate };
  }
  return { found: false, reason: `no ffmpeg at ${defaultPath} or on the search path` };
}

/** A regular file we may execute (checked again before every encode: see Mp3Encoder). */
export function isExecutableFile(path: string): boolean {
  try {
    const stat = statSync(path);
    // The mode bits as well: for root, access(X_OK) also passes on files no one may execute.
    if (!stat.isFile() || (stat.mode & ANY_EXECUTE_BIT) === 0) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
