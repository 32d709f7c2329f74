/**
 * The objects of a chat completion, field for field as the API sends them (and as the `openai` SDK
 * types them): `chat.completion.chunk` for streams — first a delta with the role and empty content,
 * then content deltas, then an empty delta with `finish_reason`, then (with
 * `stream_options.include_usage`) a chunk with `choices: []` and the usage, every earlier chunk
 * carrying `usage: null` — and `chat.completion` for a non-streamed answer. Chunks also carry the
 * `obfuscation` padding field unless `stream_options.include_obfuscation` is false.
 */
export type FinishReason = 'stop' | 'length';

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  includeUsage: boolean;
  includeObfuscation: boolean;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

type Json = Record<string, unknown>;

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const OBFUSCATION_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic padding so every chunk's size says nothing about its content (1-16 characters). */
function obfuscation(seed: number): string {
  let h = (seed * 2654435761) >>> 0;
  const length = 1 + (h % 16);
  let out = '';
  for (let i = 0; i < length; i++) {
    h = (Math.imul(h, 1664525) + 1013904223) >>> 0;
    out += OBFUSCATION_ALPHABET[h % OBFUSCATION_ALPHABET.length];
  }
  return out;
}

function chunk(identity: CompletionIdentity, choices: Json[], seq: number, usage?: Usage): Json {
  const message: Json = {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    service_tier: 'default',
    system_fingerprint: identity.systemFingerprint,
    choices,
  };
  if (identity.includeUsage) message.usage = usage ?? null;
  if (identity.includeObfuscation) message.obfuscation = obfuscation(seq + 1);
  return message;
}

export function roleChunk(identity: CompletionIdentity): Json {
  const delta = { role: 'assistant', content: '', refusal: null };
  return chunk(identity, [{ index: 0, delta, logprobs: null, finish_reason: null }], 0);
}

export function contentChunk(identity: CompletionIdentity, content: string, seq: number): Json {
  return chunk(identity, [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }], seq);
}

export function finishChunk(identity: CompletionIdentity, reason: FinishReason, seq: number): Json {
  return chunk(identity, [{ index: 0, delta: {}, logprobs: null, finish_reason: reason }], seq);
}

export function usageChunk(identity: CompletionIdentity, usage: Usage, seq: number): Json {
  return chunk(identity, [], seq, usage);
}

export function completionObject(identity: CompletionIdentity, content: string, reason: FinishReason, usage: Usage): Json {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: reason,
      },
    ],
    usage,
    service_tier: 'default',
    system_fingerprint: identity.systemFingerprint,
  };
}
