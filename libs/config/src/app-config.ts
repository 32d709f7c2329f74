import { z } from 'zod';
import { DEFAULT_TTS_SHARDS } from '@app/contracts';

/**
 * Process configuration, read from the environment once at start and validated: a bad value stops the
 * process with the variable named. Nothing else in the code base reads `process.env`.
 */
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Comma-separated host:port seed nodes; when set, every app uses ioredis' cluster client. */
  REDIS_CLUSTER_NODES: z.string().optional(),
  /** Instance name for consumer names and logs (pod name in Kubernetes). */
  INSTANCE_ID: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AGENTS_FILE: z.string().optional(),
  TTS_SHARDS: positiveInt(DEFAULT_TTS_SHARDS),

  GATEWAY_PORT: port(3000),
  PLAYBACK_PORT: port(3002),
  LLM_HEALTH_PORT: port(3001),
  TTS_HEALTH_PORT: port(3003),
  /** Where Telnyx reaches us: the media stream_url is built on it (http→ws, https→wss). */
  PUBLIC_URL: z.string().url().optional(),
  /** Base of the media stream_url when the media path is served elsewhere than PUBLIC_URL (ws:// or wss://). */
  MEDIA_PUBLIC_URL: z.string().url().optional(),
  /** Secret for the per-call token in the media stream_url. */
  MEDIA_TOKEN_SECRET: z.string().min(16).default('dev-only-media-token-secret-change-me'),

  TELNYX_BASE_URL: z.string().url().default('https://api.telnyx.com/v2'),
  TELNYX_API_KEY: z.string().optional(),
  TELNYX_PUBLIC_KEY: z.string().optional(),
  TELNYX_CONNECTION_ID: z.string().optional(),
  WEBHOOK_SIGNATURE_CHECK: bool(true),
  WEBHOOK_TOLERANCE_S: positiveInt(300),
  WEBHOOK_MAX_BYTES: positiveInt(256 * 1024),
  OUTBOUND_API_TOKEN: z.string().optional(),

  OPENAI_BASE_URL: z.string().url().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().optional(),
  ELEVENLABS_BASE_URL: z.string().url().default('https://api.elevenlabs.io'),
  ELEVENLABS_API_KEY: z.string().optional(),

  /** Pacing lead of the media stream: how far ahead of real time we may send audio. */
  PLAYBACK_LEAD_MS: positiveInt(120),
  LLM_CONCURRENCY: positiveInt(256),
});

export type AppConfig = Readonly<
  z.output<typeof envSchema> & {
    /** Every variable, so that an agent's `apiKeyEnv` can name its own key. */
    secrets: Readonly<Record<string, string | undefined>>;
  }
>;

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`config: ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable means "not set" (compose passes `${VAR:-}` through as ''), not an invalid value.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(String(issue.path[0] ?? '(env)'), issue.message);
  }
  return Object.freeze({ ...parsed.data, secrets: Object.freeze({ ...env }) });
}

/** ws(s) URL of the same host as an http(s) base URL. */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//i, (_m, s: string) => `ws${s}://`);
}
