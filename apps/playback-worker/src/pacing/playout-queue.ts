import { AudioChunkMessage, AudioEndMessage, compareTurnIds, sentenceMarkName } from '@app/contracts';
import { isConvertibleFormat } from '../audio/audio-converter';
import { CallAudioFramer } from '../audio/call-audio-framer';
import { CallCodec } from '../audio/g711.codec';
import {
  AudioChunkInput,
  AudioEndInput,
  DropReason,
  PlayoutItem,
  PlayoutResult,
  SentencePlayout,
  TurnPlayout,
} from './turn-playout';

/** Sentences are numbered from 0 within a turn (the gateway's one-line turns are seq 0). */
export const FIRST_SEQ = 0;
/** Turn records kept for the heard-text report: the current one and the one it replaced. */
const TURN_RECORDS_KEPT = 2;

interface PendingSentence {
  readonly chunks: Map<number, AudioChunkInput>;
  end?: AudioEndInput;
}

/**
 * One call's outbound audio put back in order. Chunks are keyed (turnId, seq, chunk): a key seen again
 * is ignored; chunk k+1 waits for chunk k, sentence n+1 for sentence n's `audio.end`. A newer turn
 * replaces the current one (its unreleased audio is dropped); older or cancelled turns, and audio whose
 * fence is older than the call's highest, are dropped. When the fence rises (a new TTS shard owner),
 * the old owner's unreleased chunks are forgotten so the new owner's copies take their place; what was
 * already released stays released. Released audio comes out as 20 ms frames in the call's codec, with a
 * mark after each sentence's last frame.
 */
export class PlayoutQueue {
  private readonly framer: CallAudioFramer;
  private current: string | undefined;
  private highestFence = -Infinity;
  private readonly cancelled = new Set<string>();
  private readonly pending = new Map<number, PendingSentence>();
  /** `${seq}:${chunk}` keys of the current turn, and the seqs whose end was seen. */
  private readonly seen = new Set<string>();
  private readonly endsSeen = new Set<number>();
  private nextSeq = FIRST_SEQ;
  private nextChunk = 0;
  private lastSeq: number | undefined;
  private released = 0;
  private readonly turns = new Map<string, TurnPlayout>();
  private sentence: SentencePlayout | undefined;

  constructor(codec: CallCodec) {
    this.framer = new CallAudioFramer(codec);
  }

  get currentTurn(): string | undefined {
    return this.current;
  }

  /** Frames released so far for the call: the position the next frame will have. */
  get framesReleased(): number {
    return this.released;
  }

  /** The current turn's record, or the one it replaced. */
  turn(turnId: string): Readonly<TurnPlayout> | undefined {
    return this.turns.get(turnId);
  }

  /** The chunk the queue is waiting for while later ones are held, if any. */
  waitingFor(): { turnId: string; seq: number; chunk: number } | undefined {
    if (this.current === undefined || this.pending.size === 0) return undefined;
    return { turnId: this.current, seq: this.nextSeq, chunk: this.nextChunk };
  }

  push(message: AudioChunkMessage | AudioEndMessage): PlayoutResult {
    return message.type === 'audio' ? this.pushAudio(message) : this.pushEnd(message);
  }

  pushAudio(input: AudioChunkInput): PlayoutResult {
    const refused = this.admit(input.turnId, input.fence);
    if (refused) return { items: [], dropped: refused };
    const { seq, chunk } = input;
    const key = `${seq}:${chunk}`;
    if (this.seen.has(key) || seq < this.nextSeq || (seq === this.nextSeq && chunk < this.nextChunk)) {
      return { items: [], dropped: seq < FIRST_SEQ ? 'out-of-range' : 'duplicate' };
    }
    const sentence = this.pendingSentence(seq);
    if ((this.lastSeq !== undefined && seq > this.lastSeq) || (sentence.end && chunk >= sentence.end.chunks)) {
      return { items: [], dropped: 'out-of-range' };
    }
    this.seen.add(key);
    sentence.chunks.set(chunk, input);
    return { items: this.release(), dropped: isConvertibleFormat(input.format) ? undefined : 'unsupported-format' };
  }

  pushEnd(input: AudioEndInput): PlayoutResult {
    const refused = this.admit(input.turnId, input.fence);
    if (refused) return { items: [], dropped: refused };
    const { seq } = input;
    if (this.endsSeen.has(seq) || seq < this.nextSeq) return { items: [], dropped: 'duplicate' };
    if (this.lastSeq !== undefined && seq > this.lastSeq) return { items: [], dropped: 'out-of-range' };
    this.endsSeen.add(seq);
    const sentence = this.pendingSentence(seq);
    sentence.end = input;
    for (const index of sentence.chunks.keys()) if (index >= input.chunks) sentence.chunks.delete(index);
    if (input.last) {
      this.lastSeq = seq;
      for (const later of this.pending.keys()) if (later > seq) this.pending.delete(later);
    }
    return { items: this.release() };
  }

  /** Drops everything queued of the turn and refuses its audio from now on (barge-in, merge). */
  cancelTurn(turnId: string): void {
    if (this.current !== undefined && compareTurnIds(turnId, this.current) < 0) return; // dropped by age anyway
    this.cancelled.add(turnId);
    if (this.current === undefined || compareTurnIds(turnId, this.current) !== 0) return;
    this.pending.clear();
    this.framer.reset();
    this.sentence = undefined;
    const record = this.turns.get(this.current);
    if (record) record.cancelled = true;
  }

  /** Turn and fence checks shared by chunks and ends; starts a newer turn. */
  private admit(turnId: string, fence: number): DropReason | undefined {
    if (this.current !== undefined && compareTurnIds(turnId, this.current) < 0) return 'old-turn';
    if (this.cancelled.has(turnId)) return 'cancelled';
    if (fence < this.highestFence) return 'stale-fence';
    if (fence > this.highestFence) {
      this.highestFence = fence;
      this.forgetStaleFences();
    }
    if (this.current === undefined || compareTurnIds(turnId, this.current) > 0) this.startTurn(turnId);
    return undefined;
  }

  private startTurn(turnId: string): void {
    this.pending.clear();
    this.seen.clear();
    this.endsSeen.clear();
    this.framer.reset();
    this.sentence = undefined;
    this.current = turnId;
    this.nextSeq = FIRST_SEQ;
    this.nextChunk = 0;
    this.lastSeq = undefined;
    this.turns.set(turnId, { turnId, startFrame: this.released, frames: 0, sentences: [], complete: false, cancelled: false });
    for (const old of this.turns.keys()) if (this.turns.size > TURN_RECORDS_KEPT) this.turns.delete(old);
    for (const old of this.cancelled) if (compareTurnIds(old, turnId) < 0) this.cancelled.delete(old);
  }

  private forgetStaleFences(): void {
    for (const [seq, sentence] of this.pending) {
      for (const [index, chunk] of sentence.chunks) {
        if (chunk.fence >= this.highestFence) continue;
        sentence.chunks.delete(index);
        this.seen.delete(`${seq}:${index}`);
      }
      if (sentence.end && sentence.end.fence < this.highestFence) {
        if (sentence.end.last) this.lastSeq = undefined;
        sentence.end = undefined;
        this.endsSeen.delete(seq);
      }
      if (sentence.chunks.size === 0 && !sentence.end) this.pending.delete(seq);
    }
  }

  private pendingSentence(seq: number): PendingSentence {
    let sentence = this.pending.get(seq);
    if (!sentence) this.pending.set(seq, (sentence = { chunks: new Map() }));
    return sentence;
  }

  /** Releases everything now in order: chunks into frames, ends into marks. */
  private release(): PlayoutItem[] {
    const items: PlayoutItem[] = [];
    for (let sentence = this.pending.get(this.nextSeq); sentence; sentence = this.pending.get(this.nextSeq)) {
      const chunk = sentence.chunks.get(this.nextChunk);
      if (chunk) {
        sentence.chunks.delete(this.nextChunk++);
        this.emit(this.framesOf(chunk), this.record(chunk.seq, chunk.text), items);
        continue;
      }
      const end = sentence.end;
      if (!end || this.nextChunk < end.chunks) break;
      const record = this.record(end.seq, undefined);
      this.emit(this.framer.end(), record, items);
      record.complete = true;
      this.sentence = undefined;
      items.push({ turnId: end.turnId, seq: end.seq, last: end.last, name: sentenceMarkName(end.turnId, end.seq, end.last) });
      this.pending.delete(this.nextSeq++);
      this.nextChunk = 0;
      if (end.last) this.turns.get(end.turnId)!.complete = true;
    }
    return items;
  }

  private framesOf(chunk: AudioChunkInput): Buffer[] {
    if (!isConvertibleFormat(chunk.format)) return []; // plays as nothing; its sentence still completes
    return this.framer.push(chunk.format, Buffer.from(chunk.payload, 'base64'));
  }

  private emit(frames: Buffer[], record: SentencePlayout, items: PlayoutItem[]): void {
    for (const frame of frames) items.push(frame);
    record.frames += frames.length;
    this.turns.get(this.current!)!.frames += frames.length;
    this.released += frames.length;
  }

  /** The released sentence's record, opened on its first released chunk (text comes with chunk 0). */
  private record(seq: number, text: string | undefined): SentencePlayout {
    if (this.sentence?.seq !== seq) {
      this.sentence = { seq, text: '', frames: 0, complete: false };
      this.turns.get(this.current!)!.sentences.push(this.sentence);
    }
    if (text && !this.sentence.text) this.sentence.text = text;
    return this.sentence;
  }
}
