import { Alignment, alignmentForRange, alignmentOfAll, timeCharacters } from './alignment.builder';
import { renderAudio } from './audio.renderer';
import { OutputFormat } from './output-format';
import { seedOf } from './tone.generator';

/**
 * What one generation will send: its audio, cut into chunks of `chunkMs` of speech, each with the
 * alignment of the characters it speaks. Duration is proportional to the text (`charsPerSecond`).
 */
export interface PlannedChunk {
  index: number;
  startMs: number;
  endMs: number;
  /** Byte length of the chunk's audio. */
  bytes: number;
  /** Renders the chunk's audio (done as it is sent, so a long text never sits in memory whole). */
  audio(): Buffer;
  alignment: Alignment;
  /** Without `sync_alignment`: the whole generation's timing on the first chunk, none on the others. */
  unsyncedAlignment: Alignment | null;
  last: boolean;
}

export interface SpeechPlan {
  text: string;
  durationMs: number;
  chunks: PlannedChunk[];
}

export interface PlanOptions {
  charsPerSecond: number;
  chunkMs: number;
}

/** Shortest generation: one character still produces a short, audible blip. */
const MIN_SPEECH_MS = 100;

export function planSpeech(text: string, format: OutputFormat, options: PlanOptions): SpeechPlan {
  const durationMs = Math.max(MIN_SPEECH_MS, Math.round((Array.from(text).length / options.charsPerSecond) * 1000));
  const audio = renderAudio(format, durationMs, seedOf(text));
  const timings = timeCharacters(text, durationMs);
  const chunks: PlannedChunk[] = [];
  let rangeStart = 0;
  for (let endMs = Math.min(durationMs, options.chunkMs); rangeStart < durationMs; endMs = Math.min(durationMs, endMs + options.chunkMs)) {
    const bytes = audio.sizeOf(rangeStart, endMs);
    // An MP3 frame longer than the chunk leaves a range without a frame boundary: the next chunk carries it.
    if (bytes === 0 && endMs < durationMs) continue;
    const [from, to] = [rangeStart, endMs];
    const alignment = alignmentForRange(timings, from, to);
    const unsyncedAlignment = chunks.length === 0 ? alignmentOfAll(timings) : null;
    chunks.push({ index: chunks.length, startMs: from, endMs: to, bytes, audio: () => audio.slice(from, to), alignment, unsyncedAlignment, last: false });
    rangeStart = endMs;
  }
  if (chunks.length > 0) chunks[chunks.length - 1].last = true;
  return { text, durationMs, chunks };
}
