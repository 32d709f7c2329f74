import { audioStream, compareTurnIds, decodeMessage } from '@app/contracts';
import type { RedisClient } from '@app/bus';

/** Entries read per XREVRANGE page: a sentence is ~16 chunks, so one page covers most turns. */
export const AUDIO_SCAN_PAGE = 200;
/** Pages read at most (a turn of ~2,000 chunks, minutes of speech); older entries are not this turn's. */
export const AUDIO_SCAN_MAX_PAGES = 10;

/** What the caller can have heard of one sentence: its first `chunks` chunks (`bytes` bytes), and whether it ended. */
export interface PublishedSentence {
  chunks: number;
  bytes: number;
  done: boolean;
}

interface Seen {
  fence: number;
  chunks: Map<number, number>;
  end?: number;
}

/**
 * Reads what was already published of a turn from the call's audio stream, the one record that cannot
 * disagree with what the playback-worker got. It applies the playback-worker's rules: entries whose
 * fence is older than one seen before them are dropped, and only a sentence's chunks 0..n-1 without
 * a hole count (a later chunk waits for the missing one and is replaced by the new owner's copy).
 */
export async function readPublishedAudio(redis: RedisClient, callId: string, turnId: string): Promise<Map<number, PublishedSentence>> {
  const entries: string[][] = [];
  let end = '+';
  for (let page = 0; page < AUDIO_SCAN_MAX_PAGES; page++) {
    const batch = await redis.xrevrange(audioStream(callId), end, '-', 'COUNT', AUDIO_SCAN_PAGE);
    let ours = false;
    let older = false;
    for (const [id, fields] of batch) {
      const turn = fieldValue(fields, 'turnId');
      if (turn === turnId) ours = true;
      else if (turn !== undefined && compareTurnIds(turn, turnId) < 0) older = true;
      entries.push(fields);
      end = `(${id}`;
    }
    // A page with older turns and none of ours: everything before it is older still.
    if (batch.length < AUDIO_SCAN_PAGE || (older && !ours)) break;
  }
  return summarise(entries.reverse(), turnId);
}

function summarise(entries: string[][], turnId: string): Map<number, PublishedSentence> {
  const seen = new Map<number, Seen>();
  let highestFence = -Infinity;
  for (const fields of entries) {
    const decoded = decodeMessage(fields);
    if (!decoded.ok) continue;
    const m = decoded.message;
    if ((m.type !== 'audio' && m.type !== 'audio.end') || m.turnId !== turnId) continue;
    if (m.fence < highestFence) continue;
    highestFence = m.fence;
    let sentence = seen.get(m.seq);
    if (!sentence) seen.set(m.seq, (sentence = { fence: m.fence, chunks: new Map() }));
    if (m.fence > sentence.fence) {
      // A newer owner: the old owner's chunks beyond the first hole are forgotten downstream.
      sentence.fence = m.fence;
      sentence.chunks = contiguous(sentence.chunks);
    }
    if (m.type === 'audio' && !sentence.chunks.has(m.chunk)) sentence.chunks.set(m.chunk, Buffer.byteLength(m.payload, 'base64'));
    if (m.type === 'audio.end' && sentence.end === undefined) sentence.end = m.chunks;
  }
  const result = new Map<number, PublishedSentence>();
  for (const [seq, sentence] of seen) {
    const chunks = contiguous(sentence.chunks);
    let bytes = 0;
    for (const size of chunks.values()) bytes += size;
    result.set(seq, { chunks: chunks.size, bytes, done: sentence.end !== undefined });
  }
  return result;
}

function contiguous(chunks: Map<number, number>): Map<number, number> {
  const kept = new Map<number, number>();
  for (let i = 0; chunks.has(i); i++) kept.set(i, chunks.get(i)!);
  return kept;
}

function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
