/**
 * Character timing of a generation, as the service reports it with each audio chunk: the characters
 * spoken in that chunk with `charStartTimesMs` / `charDurationsMs` "relative to the returned chunk
 * from the model, and not the full audio response" (AsyncAPI `Alignment`). Every character (spaces
 * and punctuation included, as the spec notes) gets an equal share of the audio.
 */
export interface Alignment {
  chars: string[];
  charStartTimesMs: number[];
  charDurationsMs: number[];
}

export interface CharTiming {
  char: string;
  startMs: number;
  durationMs: number;
}

export function timeCharacters(text: string, durationMs: number): CharTiming[] {
  const chars = Array.from(text);
  const each = chars.length > 0 ? durationMs / chars.length : 0;
  return chars.map((char, i) => ({ char, startMs: i * each, durationMs: each }));
}

/** The characters whose start falls in [startMs, endMs), timed from the chunk's start. */
export function alignmentForRange(timings: CharTiming[], startMs: number, endMs: number): Alignment {
  const alignment: Alignment = { chars: [], charStartTimesMs: [], charDurationsMs: [] };
  let lo = 0;
  let hi = timings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timings[mid].startMs < startMs) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < timings.length && timings[i].startMs < endMs; i++) {
    const t = timings[i];
    alignment.chars.push(t.char);
    alignment.charStartTimesMs.push(Math.round(t.startMs - startMs));
    alignment.charDurationsMs.push(Math.max(1, Math.round(t.durationMs)));
  }
  return alignment;
}

/** All characters of the generation, timed from its start (what a non-synced first chunk carries). */
export function alignmentOfAll(timings: CharTiming[]): Alignment {
  return alignmentForRange(timings, 0, Number.POSITIVE_INFINITY);
}
