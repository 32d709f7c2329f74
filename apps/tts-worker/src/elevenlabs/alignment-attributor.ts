import type { ChunkAlignment } from './elevenlabs.wire';

/**
 * Which sentence an audio chunk belongs to. One context carries several flushed sentences and the
 * service labels audio only with the context, so we count characters:
 *
 * - Each flushed sentence expects as many "speakable" characters (letters and digits, Unicode) as its
 *   text has; spaces and punctuation are ignored because the service may add, drop or move them.
 * - A chunk belongs to the first sentence not yet covered when it arrives; its alignment characters are
 *   then counted off that sentence and, past its end, off the following ones. A sentence is covered when
 *   all its characters have been counted.
 * - `alignment` (the text as sent) gives exact counts, so a surplus spills into the next sentence.
 *   `normalizedAlignment` (used only when `alignment` is absent) spells numbers and symbols out
 *   ("2" -> "two"), so its surplus is discarded at a sentence boundary instead of eating the next
 *   sentence (flush makes each sentence its own generation, so a chunk never straddles two flushes).
 * - A chunk with no alignment at all goes to the first uncovered sentence and covers nothing: sentences
 *   then end only at `isFinal`. We request `sync_alignment=true`, so this is the degenerate case.
 * - Sentences with no speakable characters ("...") are covered as soon as the count reaches them.
 * - A chunk whose alignment has no speakable character at all (the trailing ". " or silence of a
 *   generation) belongs to the sentence that had the previous chunk: it is that sentence's tail, not
 *   the start of the next one (which must not count as started before its own speech arrives).
 */
export function countSpeakable(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(/[\p{L}\p{N}]/gu)) n++;
  return n;
}

interface Slot {
  seq: number;
  expected: number;
  covered: number;
  /** Some audio of this sentence has arrived (or, without alignment, audio after it was flushed). */
  started: boolean;
}

export interface Attribution {
  /** The sentence the chunk belongs to; undefined when every flushed sentence is already covered. */
  owner?: number;
  /** Sentences this chunk finished covering, in order. */
  completed: number[];
}

export class AlignmentAttributor {
  private readonly slots: Slot[] = [];
  /** Index of the first sentence not yet covered. */
  private cursor = 0;
  /** Index of the sentence the previous chunk's last character belonged to. */
  private lastOwner?: number;

  /** Registers a flushed sentence; returns sentences covered at once (empty ones the count has reached). */
  add(seq: number, text: string): number[] {
    this.slots.push({ seq, expected: countSpeakable(text), covered: 0, started: false });
    return this.skipEmpty();
  }

  attribute(alignment: ChunkAlignment | undefined): Attribution {
    const completed = this.skipEmpty();
    const owner = this.slots[this.cursor];
    if (!owner) return { owner: this.lastOwner === undefined ? undefined : this.slots[this.lastOwner].seq, completed };
    if (!alignment) {
      for (const slot of this.slots) slot.started = true;
      return { owner: owner.seq, completed };
    }
    let remaining = countSpeakable(alignment.chars.join(''));
    if (remaining === 0 && this.lastOwner !== undefined && this.lastOwner < this.cursor) {
      return { owner: this.slots[this.lastOwner].seq, completed };
    }
    owner.started = true;
    this.lastOwner = this.cursor;
    while (remaining > 0 && this.cursor < this.slots.length) {
      const slot = this.slots[this.cursor];
      slot.started = true;
      this.lastOwner = this.cursor;
      const take = Math.min(remaining, slot.expected - slot.covered);
      slot.covered += take;
      remaining -= take;
      if (slot.covered < slot.expected) break;
      this.cursor++;
      completed.push(slot.seq, ...this.skipEmpty());
      if (alignment.source === 'normalized') break;
    }
    return { owner: owner.seq, completed };
  }

  /** `isFinal`: every sentence not yet covered is finished now. */
  finishAll(): number[] {
    const rest = this.slots.slice(this.cursor).map((s) => s.seq);
    this.cursor = this.slots.length;
    return rest;
  }

  isCovered(seq: number): boolean {
    const index = this.slots.findIndex((s) => s.seq === seq);
    return index >= 0 && index < this.cursor;
  }

  audioStarted(seq: number): boolean {
    const slot = this.slots.find((s) => s.seq === seq);
    return !!slot && (slot.started || slot.expected === 0 || this.isCovered(seq));
  }

  /** Whether a flushed sentence with something to say has had no audio yet (drives the no-audio timer). */
  awaitingAudio(): boolean {
    return this.slots.some((s, i) => i >= this.cursor && s.expected > 0 && !s.started);
  }

  private skipEmpty(): number[] {
    const done: number[] = [];
    while (this.cursor < this.slots.length && this.slots[this.cursor].expected === 0) {
      done.push(this.slots[this.cursor].seq);
      this.cursor++;
    }
    return done;
  }
}
