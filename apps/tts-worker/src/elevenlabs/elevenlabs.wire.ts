import { toWebSocketUrl } from '@app/config';
import type { ServerErrorPayload } from './tts-errors';

/**
 * The multi-stream-input wire format: the URL, what we send, and a tolerant parser of what the service
 * sends (both `contextId`/`context_id` and `isFinal`/`is_final` are seen in practice).
 */
export interface ElevenLabsVoiceSettings {
  stability: number;
  similarity_boost: number;
  style?: number;
  use_speaker_boost?: boolean;
  speed?: number;
}

export interface MultiStreamUrlOptions {
  baseUrl: string;
  voiceId: string;
  modelId: string;
  outputFormat: string;
  inactivityTimeoutS: number;
  autoMode: boolean;
}

/**
 * `sync_alignment=true` asks for character timing with every audio chunk: the attributor needs it to
 * tell which sentence a chunk belongs to.
 */
export function multiStreamUrl(o: MultiStreamUrlOptions, endpoint = 'multi-stream-input'): string {
  const url = new URL(toWebSocketUrl(o.baseUrl));
  const base = url.pathname.replace(/\/+$/, '');
  url.pathname = `${base}/v1/text-to-speech/${encodeURIComponent(o.voiceId)}/${endpoint}`;
  url.search = new URLSearchParams({
    model_id: o.modelId,
    output_format: o.outputFormat,
    inactivity_timeout: String(o.inactivityTimeoutS),
    auto_mode: String(o.autoMode),
    sync_alignment: 'true',
  }).toString();
  return url.toString();
}

/**
 * A sentence as we send it to every endpoint: trailing whitespace replaced by one space (the service
 * wants text to end with a space). The socket and REST get the same text, so a sentence moved from one
 * to the other mid-way is the same speech, and the bytes already published can be skipped.
 */
export const speakableText = (text: string): string => `${text.trimEnd()} `;

/** Client → server packets, exactly as documented. */
export const outbound = {
  /** First message of a context: a single space, with the voice settings (only allowed here). */
  openContext: (contextId: string, voiceSettings: ElevenLabsVoiceSettings) => ({
    text: ' ',
    context_id: contextId,
    voice_settings: voiceSettings,
  }),
  /** One sentence, ending with a space, flushed at once (we only ever send whole sentences). */
  sentence: (contextId: string, text: string) => ({ text: speakableText(text), context_id: contextId, flush: true }),
  /** Resets an OPEN context's idle timer. Never for a context not yet opened (it would become its first message). */
  keepalive: (contextId: string) => ({ text: '', context_id: contextId }),
  closeContext: (contextId: string) => ({ context_id: contextId, close_context: true }),
  closeSocket: () => ({ close_socket: true }),
};

export type AlignmentSource = 'alignment' | 'normalized';

export interface ChunkAlignment {
  chars: string[];
  source: AlignmentSource;
}

export interface ServerMessage {
  contextId?: string;
  audio?: Buffer;
  alignment?: ChunkAlignment;
  isFinal: boolean;
  error?: ServerErrorPayload;
}

type Json = Record<string, unknown>;

function charsOf(value: unknown): string[] | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const chars = (value as Json).chars ?? (value as Json).characters;
  return Array.isArray(chars) && chars.every((c) => typeof c === 'string') ? (chars as string[]) : undefined;
}

/** Parses one text frame; undefined when it is not JSON we understand. */
export function parseServerMessage(raw: string): ServerMessage | undefined {
  let data: Json;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    data = parsed as Json;
  } catch {
    return undefined;
  }
  const ctx = data.contextId ?? data.context_id;
  const message: ServerMessage = {
    contextId: typeof ctx === 'string' ? ctx : undefined,
    isFinal: data.isFinal === true || data.is_final === true,
  };
  if (typeof data.audio === 'string' && data.audio.length > 0) {
    message.audio = Buffer.from(data.audio, 'base64');
    const original = charsOf(data.alignment);
    const normalized = charsOf(data.normalizedAlignment ?? data.normalized_alignment);
    if (original) message.alignment = { chars: original, source: 'alignment' };
    else if (normalized) message.alignment = { chars: normalized, source: 'normalized' };
  }
  if (typeof data.error === 'string' || (data.error && typeof data.error === 'object')) {
    const detail = typeof data.error === 'string' ? data.error : JSON.stringify(data.error);
    message.error = {
      error: detail,
      message: typeof data.message === 'string' ? data.message : undefined,
      code: typeof data.code === 'number' || typeof data.code === 'string' ? data.code : undefined,
    };
  }
  return message;
}
