/**
 * What the simulated providers did and when, per call and turn, recorded in the sandbox process so
 * that the ear can split each turn's first-audio time into the providers' share and ours:
 *
 *   providers = (LLM: request received → chunk that completed the first text TTS got)
 *             + (TTS: that text received → first audio byte sent)
 *
 * A TTS connection handshake on the turn's path is not counted as the providers': opening a connection
 * per turn is the design choice the persistent socket removes, so it shows as the baseline's overhead.
 *   ours      = first audio heard − final transcript sent − providers
 *
 * The simulators learn the call and turn from what our clients send anyway: the OpenAI request's
 * `x-call-id` / `x-turn-id` headers, the ElevenLabs `context_id` (= turn id) and `x-call-id` header.
 * All times are epoch milliseconds (performance.timeOrigin + performance.now()).
 */
export interface LlmChunkRecord {
  text: string;
  at: number;
}

export interface TurnTimeline {
  callId: string;
  turnId: string;
  llmRequestAt?: number;
  llmChunks: LlmChunkRecord[];
  ttsFirstTextAt?: number;
  ttsFirstText?: string;
  ttsFirstAudioAt?: number;
  ttsAudioBytes: number;
}

export interface ProviderStages {
  llmRequestAt?: number;
  /** When the LLM sent the chunk that completed the first text TTS received. */
  llmFirstTextDoneAt?: number;
  ttsFirstTextAt: number;
  ttsFirstAudioAt: number;
}

export interface ConnectionRecord {
  callId: string;
  startedAt: number;
  openedAt?: number;
}

export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Letters and digits only, lower case: what survives our markdown and whitespace clean-up. */
export function speakableKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * Letters, digits and the punctuation that ends a sentence or clause: the text TTS got is complete
 * only once the LLM has sent its final '.', ',' or '?' too, so that token's time is the provider's.
 */
export function punctuatedKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}.,!?;:]+/gu, '');
}

/** The time of the chunk whose text completes `wanted` under `key`, if any does. */
function completionTime(chunks: LlmChunkRecord[], wanted: string, key: (text: string) => string): number | undefined {
  const target = key(wanted);
  let produced = '';
  for (const chunk of chunks) {
    produced += key(chunk.text);
    if (produced.length >= target.length && produced.startsWith(target)) return chunk.at;
  }
  return undefined;
}

export class ProviderTimeline {
  private readonly turns = new Map<string, TurnTimeline>();
  private readonly connections: ConnectionRecord[] = [];

  private turn(callId: string, turnId: string): TurnTimeline {
    const key = `${callId}\u0000${turnId}`;
    let t = this.turns.get(key);
    if (!t) {
      t = { callId, turnId, llmChunks: [], ttsAudioBytes: 0 };
      this.turns.set(key, t);
    }
    return t;
  }

  llmRequest(callId: string, turnId: string, at = epochNow()): void {
    const t = this.turn(callId, turnId);
    t.llmRequestAt ??= at;
  }

  llmChunk(callId: string, turnId: string, text: string, at = epochNow()): void {
    this.turn(callId, turnId).llmChunks.push({ text, at });
  }

  ttsText(callId: string, turnId: string, text: string, at = epochNow()): void {
    const t = this.turn(callId, turnId);
    if (t.ttsFirstTextAt === undefined && text.trim() !== '') {
      t.ttsFirstTextAt = at;
      t.ttsFirstText = text;
    }
  }

  ttsAudio(callId: string, turnId: string, bytes: number, at = epochNow()): void {
    const t = this.turn(callId, turnId);
    t.ttsFirstAudioAt ??= at;
    t.ttsAudioBytes += bytes;
  }

  /** A TTS connection (WebSocket handshake or REST request) began / opened for a call. */
  ttsConnectStarted(callId: string, at = epochNow()): ConnectionRecord {
    const record: ConnectionRecord = { callId, startedAt: at };
    this.connections.push(record);
    return record;
  }

  ttsConnectOpened(record: ConnectionRecord, at = epochNow()): void {
    record.openedAt = at;
  }

  get(callId: string, turnId: string): TurnTimeline | undefined {
    return this.turns.get(`${callId}\u0000${turnId}`);
  }

  /** The turn whose LLM request was the first one for this call at or after `since`. */
  turnAfter(callId: string, since: number): TurnTimeline | undefined {
    let best: TurnTimeline | undefined;
    for (const t of this.turns.values()) {
      if (t.callId !== callId || t.llmRequestAt === undefined || t.llmRequestAt < since) continue;
      if (!best || t.llmRequestAt < best.llmRequestAt!) best = t;
    }
    return best;
  }

  /**
   * The providers' share of a turn's first audio, in ms; undefined until the turn has reached audio.
   * The LLM part ends at the chunk that completed the first text TTS received (compared on letters
   * and digits, since our side strips markdown and spacing).
   */
  providerMs(callId: string, turnId: string): number | undefined {
    const stages = this.stages(callId, turnId);
    if (!stages) return undefined;
    const llm = stages.llmRequestAt !== undefined && stages.llmFirstTextDoneAt !== undefined ? Math.max(0, stages.llmFirstTextDoneAt - stages.llmRequestAt) : 0;
    return llm + Math.max(0, stages.ttsFirstAudioAt - stages.ttsFirstTextAt);
  }

  /** The provider-side moments of a turn's path to first audio (epoch ms), for the waterfall. */
  stages(callId: string, turnId: string): ProviderStages | undefined {
    const t = this.get(callId, turnId);
    if (!t || t.ttsFirstTextAt === undefined || t.ttsFirstAudioAt === undefined) return undefined;
    let llmFirstTextDoneAt: number | undefined;
    if (t.llmRequestAt !== undefined && t.llmChunks.length > 0) {
      // With punctuation first; markdown our side removed (list numbers, symbols) can break that match,
      // then letters and digits alone; never the last chunk, which would hide our time in the provider's.
      const wanted = t.ttsFirstText ?? '';
      llmFirstTextDoneAt =
        completionTime(t.llmChunks, wanted, punctuatedKey) ?? completionTime(t.llmChunks, wanted, speakableKey) ?? t.llmRequestAt;
    }
    return { llmRequestAt: t.llmRequestAt, llmFirstTextDoneAt, ttsFirstTextAt: t.ttsFirstTextAt, ttsFirstAudioAt: t.ttsFirstAudioAt };
  }

  forget(callId: string): void {
    for (const [key, t] of this.turns) if (t.callId === callId) this.turns.delete(key);
    for (let i = this.connections.length - 1; i >= 0; i--) if (this.connections[i].callId === callId) this.connections.splice(i, 1);
  }
}
