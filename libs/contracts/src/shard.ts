/**
 * Call-affinity sharding: a call's shard is a pure function of its id, so every producer (gateway,
 * llm-worker) sends a call's TTS work to the same shard stream without asking anybody.
 */
export const DEFAULT_TTS_SHARDS = 64;

/** FNV-1a, 32 bit: stable across processes and languages, and cheap. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function shardOf(callId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new RangeError(`shardCount must be a positive integer, got ${shardCount}`);
  }
  return fnv1a32(callId) % shardCount;
}
