import { isTerminator } from './char-classes';
import { MarkdownSpeakable } from './markdown-speakable';

/**
 * Test support for the segmentation specs: feeding a text whole, split into seeded random deltas
 * or one code point at a time, and recording which push returned each sentence.
 */

export interface StreamSegmenter {
  push(delta: string): string[];
  end(): string[];
}

export interface Emission {
  sentence: string;
  /** Index of the delta whose push returned the sentence; `deltas.length` for `end()`. */
  delta: number;
}

/** Seeds for the random splits; each case is split once per seed. Three catch what one misses. */
export const SPLIT_SEEDS: readonly number[] = [1, 42, 20240611];

/** Random deltas of 1 to 5 code points, like an LLM stream cut at arbitrary points (often worse). */
export const MAX_DELTA_CODE_POINTS = 5;

/** mulberry32: a tiny deterministic PRNG, so a failing split can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits by code points (an LLM stream never splits one), 1..maxSize per delta. */
export function randomDeltas(text: string, seed: number, maxSize = MAX_DELTA_CODE_POINTS): string[] {
  const random = seededRandom(seed);
  const points = Array.from(text);
  const deltas: string[] = [];
  for (let i = 0; i < points.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    deltas.push(points.slice(i, i + size).join(''));
    i += size;
  }
  return deltas;
}

export function feedRecording(segmenter: StreamSegmenter, deltas: readonly string[]): Emission[] {
  const emissions: Emission[] = [];
  deltas.forEach((delta, index) => {
    for (const sentence of segmenter.push(delta)) emissions.push({ sentence, delta: index });
  });
  for (const sentence of segmenter.end()) emissions.push({ sentence, delta: deltas.length });
  return emissions;
}

export function feed(segmenter: StreamSegmenter, deltas: readonly string[]): string[] {
  return feedRecording(segmenter, deltas).map((e) => e.sentence);
}

/** Every way the specs feed a text: whole, one code point at a time, and split by each seed. */
export function deltaPlans(text: string): Array<{ label: string; deltas: string[] }> {
  return [
    { label: 'whole', deltas: [text] },
    { label: 'per code point', deltas: Array.from(text) },
    ...SPLIT_SEEDS.map((seed) => ({ label: `seed ${seed}`, deltas: randomDeltas(text, seed) })),
  ];
}

/** The marks the eager rules may confirm when the speakable text received so far ends with one. */
const EAGER_MARKS = /[,;:]$/;

/**
 * `deltas` with every delta boundary where an eager rule could fire joined to the next delta: the
 * boundaries after which the speakable text received so far ends in a terminator or `,;:` (with
 * only spaces after it). Computed on MarkdownSpeakable's output, which is what the segmenter sees,
 * so held-back markdown ("shipped.**") is accounted for. On the splits left, eager ends never
 * apply and the segmenter must give exactly what the strict rules give.
 */
export function withoutEagerBoundaries(deltas: readonly string[]): string[] {
  const markdown = new MarkdownSpeakable();
  const merged: string[] = [];
  let speakable = '';
  let current = '';
  for (const delta of deltas) {
    speakable += markdown.push(delta);
    current += delta;
    const tail = speakable.replace(/[ \t\u00a0]+$/, '');
    const last = tail[tail.length - 1] ?? '';
    if (isTerminator(last) || EAGER_MARKS.test(last)) continue;
    merged.push(current);
    current = '';
  }
  if (current !== '') merged.push(current);
  return merged;
}
