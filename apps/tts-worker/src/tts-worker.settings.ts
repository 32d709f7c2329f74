import { z } from 'zod';
import { AppConfig, ConfigError } from '@app/config';
import { DEFAULT_LEASE_TTL_MS } from './sharding/shard-lease.manager';

/**
 * SIGTERM: how long turns in progress may take to finish before the shards are released anyway. Half
 * of the 10 s the bootstrap gives a whole shutdown (SHUTDOWN_TIMEOUT_MS), leaving the rest for the
 * release and the bus close; at 4x real-time generation 5 s covers the rest of any ordinary answer.
 */
export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
/** Shortest lease: renewals every TTL/3 must survive a GC pause and a Redis round trip or two. */
const MIN_LEASE_TTL_MS = 300;

export const TTS_WORKER_SETTINGS = Symbol('TTS_WORKER_SETTINGS');

export interface TtsWorkerSettings {
  /** TTS_LEASE_TTL_MS: how long a crashed worker's calls wait for a new owner. */
  leaseTtlMs: number;
  /** TTS_DRAIN_TIMEOUT_MS: the bound on SIGTERM's wait for turns in progress. */
  drainTimeoutMs: number;
}

const schema = z.object({
  TTS_LEASE_TTL_MS: z.coerce.number().int().min(MIN_LEASE_TTL_MS).default(DEFAULT_LEASE_TTL_MS),
  TTS_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).default(DEFAULT_DRAIN_TIMEOUT_MS),
});

/**
 * The tts-worker's own variables, validated once at start like the shared config (a bad value stops the
 * process with the variable named). They are read from the config's snapshot of the environment until
 * libs/config's schema carries them.
 */
export function loadTtsWorkerSettings(config: AppConfig): TtsWorkerSettings {
  const given = Object.fromEntries(
    Object.entries({ TTS_LEASE_TTL_MS: config.secrets.TTS_LEASE_TTL_MS, TTS_DRAIN_TIMEOUT_MS: config.secrets.TTS_DRAIN_TIMEOUT_MS }).filter(
      ([, value]) => value !== undefined && value !== '',
    ),
  );
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  return { leaseTtlMs: parsed.data.TTS_LEASE_TTL_MS, drainTimeoutMs: parsed.data.TTS_DRAIN_TIMEOUT_MS };
}
