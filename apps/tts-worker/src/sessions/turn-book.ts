import { compareTurnIds } from '@app/contracts';

/** One turn as far as the call's speech is concerned. */
export interface TurnProgress {
  readonly turnId: string;
  /** Sentences accepted (a redelivered one is recognised by its seq and dropped). */
  readonly seqs: Set<number>;
  maxSeq: number;
  /** The `audio.end` with `last` has been published: the turn's audio is complete. */
  lastEndPublished: boolean;
  /** Batch-then-play (the seed system's way, kept as the benchmark's baseline): the turn's whole text. */
  readonly batchText: string[];
}

/**
 * The turns of one call: which is current, which were cancelled, which sentences each has accepted.
 * Fencing by turn: a sentence of an older or cancelled turn is refused, and so is one already seen.
 */
export class TurnBook {
  private readonly turns = new Map<string, TurnProgress>();
  private readonly cancelled = new Set<string>();
  private current = '0';

  /** The turn's progress if `seq` is news for a live turn; undefined for a stale, cancelled or repeated sentence. */
  admit(turnId: string, seq: number): TurnProgress | undefined {
    if (this.isDead(turnId)) return undefined;
    const progress = this.progress(turnId);
    if (progress.seqs.has(seq)) return undefined;
    progress.seqs.add(seq);
    progress.maxSeq = Math.max(progress.maxSeq, seq);
    return progress;
  }

  get(turnId: string): TurnProgress | undefined {
    return this.turns.get(turnId);
  }

  /** Cancelled, or older than the current turn. */
  isDead(turnId: string): boolean {
    return this.cancelled.has(turnId) || compareTurnIds(turnId, this.current) < 0;
  }

  cancel(turnId: string): void {
    this.cancelled.add(turnId);
    this.turns.delete(turnId);
  }

  /** A turn whose audio is not complete yet (its shard is then not handed to another worker). */
  busy(): boolean {
    for (const progress of this.turns.values()) if (!progress.lastEndPublished) return true;
    return false;
  }

  clear(): void {
    this.turns.clear();
  }

  private progress(turnId: string): TurnProgress {
    let progress = this.turns.get(turnId);
    if (progress) return progress;
    progress = { turnId, seqs: new Set(), maxSeq: -1, lastEndPublished: false, batchText: [] };
    this.turns.set(turnId, progress);
    this.current = turnId;
    for (const old of [...this.turns.keys()]) if (compareTurnIds(old, turnId) < 0) this.turns.delete(old);
    for (const old of [...this.cancelled]) if (compareTurnIds(old, turnId) < 0) this.cancelled.delete(old);
    return progress;
  }
}
