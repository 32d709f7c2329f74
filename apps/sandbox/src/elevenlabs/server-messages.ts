import { Alignment } from './alignment.builder';

/**
 * Server → client messages of the TTS sockets. The documented schema (AsyncAPI `AudioOutputMulti` /
 * `FinalOutputMulti`) spells `contextId`, `isFinal`, `charStartTimesMs`, `charDurationsMs`; the same
 * docs' own examples use `is_final` (and the older spec `charsDurationsMs`), and clients report
 * `context_id` too. The spelling is configurable so clients are tested against every variant.
 */
export interface MessageSpelling {
  contextId: 'contextId' | 'context_id';
  isFinal: 'isFinal' | 'is_final';
  charDurations: 'charDurationsMs' | 'charsDurationsMs';
}

export const DOCUMENTED_SPELLING: MessageSpelling = {
  contextId: 'contextId',
  isFinal: 'isFinal',
  charDurations: 'charDurationsMs',
};

export interface ServerError {
  message: string;
  error: string;
  code: number;
}

type Json = Record<string, unknown>;

function alignmentJson(alignment: Alignment | null, spelling: MessageSpelling): Json | null {
  if (!alignment) return null;
  return {
    chars: alignment.chars,
    charStartTimesMs: alignment.charStartTimesMs,
    [spelling.charDurations]: alignment.charDurationsMs,
  };
}

export interface AudioMessageParts {
  audio: Buffer;
  alignment: Alignment | null;
  normalizedAlignment: Alignment | null;
  /** Multi-stream-input only. */
  contextId?: string;
  /** stream-input carries `isFinal: false` on audio (the reference's example); multi-stream-input does not. */
  finalFlag?: boolean;
}

export function audioMessage(parts: AudioMessageParts, spelling: MessageSpelling): Json {
  const message: Json = { audio: parts.audio.toString('base64') };
  if (parts.finalFlag !== undefined) message[spelling.isFinal] = parts.finalFlag;
  message.normalizedAlignment = alignmentJson(parts.normalizedAlignment, spelling);
  message.alignment = alignmentJson(parts.alignment, spelling);
  if (parts.contextId !== undefined) message[spelling.contextId] = parts.contextId;
  return message;
}

/** `{"isFinal": true, "contextId": ...}`: the context (or the single stream) is done. */
export function finalMessage(spelling: MessageSpelling, contextId?: string): Json {
  const message: Json = { [spelling.isFinal]: true };
  if (contextId !== undefined) message[spelling.contextId] = contextId;
  return message;
}

/** Errors arrive as `{"message","error","code"}` and are followed by a close (providers.md, issue logs). */
export function errorMessage(error: ServerError): Json {
  return { message: error.message, error: error.error, code: error.code };
}
