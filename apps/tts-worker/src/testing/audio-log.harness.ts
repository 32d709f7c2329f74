import type { Redis } from 'ioredis';
import { AudioChunkMessage, AudioEndMessage, compareTurnIds, decodeMessage } from '@app/contracts';
import { speakableText } from '../elevenlabs';
import { planSpeech } from '../../../sandbox/src/elevenlabs/speech-plan';
import { parseOutputFormat } from '../../../sandbox/src/elevenlabs/output-format';
import { DEFAULT_AUDIO_CHUNK_MS, DEFAULT_CHARS_PER_SECOND } from '../../../sandbox/src/elevenlabs';

/** One sentence as the caller gets it: the chunks the playback-worker keeps, in order, and its end. */
export interface HeardSentence {
  seq: number;
  audio: Buffer;
  /** Chunk numbers kept (0..n-1 when nothing is missing). */
  chunks: number[];
  end?: AudioEndMessage;
}

/**
 * A call's `audio:{callId}` stream, read as the playback-worker reads it: entries whose fence is older
 * than one already seen are dropped, a (turnId, seq, chunk) already kept is dropped (dedupe), and each
 * sentence's first `audio.end` ends it. `heard()` is then exactly what the caller hears of a turn.
 */
export class AudioLog {
  constructor(readonly entries: Array<AudioChunkMessage | AudioEndMessage>) {}

  /** What was published of a turn, before dedupe: each (seq, chunk) key with how often it came. */
  published(turnId: string): Map<string, number> {
    const keys = new Map<string, number>();
    for (const e of this.entries) if (e.type === 'audio' && e.turnId === turnId) keys.set(`${e.seq}/${e.chunk}`, (keys.get(`${e.seq}/${e.chunk}`) ?? 0) + 1);
    return keys;
  }

  turnComplete(turnId: string): boolean {
    return this.entries.some((e) => e.type === 'audio.end' && e.turnId === turnId && e.last);
  }

  heard(turnId: string): HeardSentence[] {
    let highestFence = -Infinity;
    const sentences = new Map<number, { chunks: Map<number, Buffer>; end?: AudioEndMessage }>();
    for (const e of this.entries) {
      if (e.turnId !== turnId || e.fence < highestFence) continue;
      if (e.fence > highestFence) highestFence = e.fence;
      let s = sentences.get(e.seq);
      if (!s) sentences.set(e.seq, (s = { chunks: new Map() }));
      if (e.type === 'audio' && !s.chunks.has(e.chunk) && (s.end === undefined || e.chunk < s.end.chunks)) s.chunks.set(e.chunk, Buffer.from(e.payload, 'base64'));
      if (e.type === 'audio.end' && !s.end) {
        s.end = e;
        for (const n of [...s.chunks.keys()]) if (n >= e.chunks) s.chunks.delete(n);
      }
    }
    return [...sentences.entries()]
      .sort(([a], [b]) => a - b)
      .map(([seq, s]) => {
        const numbers = [...s.chunks.keys()].sort((a, b) => a - b);
        return { seq, chunks: numbers, audio: Buffer.concat(numbers.map((n) => s.chunks.get(n)!)), end: s.end };
      });
  }

  /** Turns that have any audio, oldest first. */
  turns(): string[] {
    return [...new Set(this.entries.map((e) => e.turnId))].sort(compareTurnIds);
  }
}

export async function readAudioLog(redis: Redis, stream: string): Promise<AudioLog> {
  const raw = await redis.xrange(stream, '-', '+');
  const entries: Array<AudioChunkMessage | AudioEndMessage> = [];
  for (const [, fields] of raw) {
    const decoded = decodeMessage(fields);
    if (decoded.ok && (decoded.message.type === 'audio' || decoded.message.type === 'audio.end')) entries.push(decoded.message);
  }
  return new AudioLog(entries);
}

/** The simulator's audio of one whole generation of `text` as we send it. */
export function expectedAudio(text: string, format = 'ulaw_8000', chunkMs = DEFAULT_AUDIO_CHUNK_MS): Buffer {
  const plan = planSpeech(text, parseOutputFormat(format)!, { charsPerSecond: DEFAULT_CHARS_PER_SECOND, chunkMs });
  return Buffer.concat(plan.chunks.map((c) => c.audio()));
}

/**
 * The simulator's renderings of a sentence: as sent over REST or mid-context, and as the first text of
 * a context (the context's opening " " is still in its buffer, so one more character is spoken).
 */
export function renderingsOf(text: string): Buffer[] {
  let renderings = RENDERINGS.get(text);
  if (!renderings) RENDERINGS.set(text, (renderings = [expectedAudio(speakableText(text)), expectedAudio(` ${speakableText(text)}`)]));
  return renderings;
}
const RENDERINGS = new Map<string, Buffer[]>();

/**
 * Whether `heard` is one generation, or the start of one generation continued by another from the
 * same byte on (a sentence resumed on a new socket, over REST, or by a new worker): `A[0:k] + B[k:]`.
 * A repeated or a lost piece, however short, breaks this.
 */
export function isSpliceOf(heard: Buffer, renderings: Buffer[]): boolean {
  for (const a of renderings) {
    let k = 0;
    while (k < heard.length && k < a.length && heard[k] === a[k]) k++;
    for (const b of renderings) if (heard.length === b.length && heard.subarray(k).equals(b.subarray(k))) return true;
  }
  return false;
}

/**
 * Every sentence of the turn heard exactly once and complete: chunks 0..n-1 with none missing, its
 * end published, and its bytes exactly one generation of its text (or one continued by another from
 * the byte where it stopped). Returns the problems found, [] when none.
 */
export function problemsOf(log: AudioLog, turnId: string, texts: string[]): string[] {
  const problems: string[] = [];
  const heard = log.heard(turnId);
  texts.forEach((text, seq) => {
    const s = heard.find((h) => h.seq === seq);
    if (!text.trim()) {
      // The empty sentence an answer may end with: no audio; its end, or the sentence before it, ends the turn.
      if (s && (s.chunks.length > 0 || (s.end !== undefined && s.end.chunks !== 0))) problems.push(`seq ${seq}: an empty sentence has audio`);
      return;
    }
    if (!s) return void problems.push(`seq ${seq}: nothing heard`);
    if (!s.end) problems.push(`seq ${seq}: no audio.end`);
    if (s.chunks.some((n, i) => n !== i)) problems.push(`seq ${seq}: chunks ${s.chunks.join(',')} have holes`);
    if (s.end && s.end.chunks !== s.chunks.length) problems.push(`seq ${seq}: end says ${s.end.chunks} chunks, ${s.chunks.length} kept`);
    const renderings = renderingsOf(text);
    if (!isSpliceOf(s.audio, renderings)) {
      problems.push(`seq ${seq}: ${s.audio.length} bytes heard, not one generation (${renderings.map((r) => r.length).join(' or ')} bytes)`);
    }
  });
  const lastEnds = heard.filter((h) => h.end?.last).map((h) => h.seq);
  const finalSeqs = texts[texts.length - 1].trim() ? [texts.length - 1] : [texts.length - 1, texts.length - 2];
  if (lastEnds.length !== 1 || !finalSeqs.includes(lastEnds[0])) problems.push(`last end on seqs [${lastEnds.join(',')}]`);
  const extra = heard.filter((h) => h.seq >= texts.length).map((h) => h.seq);
  if (extra.length > 0) problems.push(`unexpected seqs ${extra.join(',')}`);
  return problems;
}
