import { DEFAULT_INACTIVITY_TIMEOUT_S, DEFAULT_OUTPUT_FORMAT, MAX_INACTIVITY_TIMEOUT_S } from './elevenlabs.constants';
import { OutputFormat, isSimulatedFormat, parseOutputFormat } from './output-format';

/**
 * The query parameters of both TTS sockets (AsyncAPI `bindings.ws.query`): `model_id`,
 * `output_format` (default mp3_44100_128), `inactivity_timeout` (default 20, "can be up to 180"),
 * `sync_alignment` and `auto_mode` (default false). `language_code`, `enable_logging`,
 * `enable_ssml_parsing`, `apply_text_normalization` and `seed` are accepted and have no effect here.
 */
export interface SessionQuery {
  voiceId: string;
  modelId?: string;
  format: OutputFormat;
  inactivityTimeoutS: number;
  syncAlignment: boolean;
  autoMode: boolean;
}

export type QueryResult = { ok: true; query: SessionQuery } | { ok: false; message: string };

function flag(value: string | null): boolean {
  return value !== null && value.toLowerCase() === 'true';
}

export function parseSessionQuery(voiceId: string, params: URLSearchParams): QueryResult {
  const formatName = params.get('output_format') ?? DEFAULT_OUTPUT_FORMAT;
  const format = parseOutputFormat(formatName);
  if (!format) return { ok: false, message: `Invalid output_format '${formatName}'.` };
  if (!isSimulatedFormat(format)) {
    return { ok: false, message: `output_format '${formatName}' is not supported by the simulator (no encoder); use ulaw, alaw, pcm or mp3.` };
  }
  const rawTimeout = params.get('inactivity_timeout');
  const inactivityTimeoutS = rawTimeout === null ? DEFAULT_INACTIVITY_TIMEOUT_S : Number(rawTimeout);
  // Out-of-range values are refused rather than clamped: the service's reaction is undocumented, and a
  // refusal surfaces a client bug that clamping would hide.
  if (!Number.isInteger(inactivityTimeoutS) || inactivityTimeoutS < 1 || inactivityTimeoutS > MAX_INACTIVITY_TIMEOUT_S) {
    return { ok: false, message: `inactivity_timeout must be an integer between 1 and ${MAX_INACTIVITY_TIMEOUT_S}, got '${rawTimeout}'.` };
  }
  return {
    ok: true,
    query: {
      voiceId,
      modelId: params.get('model_id') ?? undefined,
      format,
      inactivityTimeoutS,
      syncAlignment: flag(params.get('sync_alignment')),
      autoMode: flag(params.get('auto_mode')),
    },
  };
}
