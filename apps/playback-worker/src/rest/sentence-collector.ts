import { AudioChunkMessage, AudioEndMessage } from '@app/contracts';
import { CallCodec } from '../audio/g711.codec';
import { PlayoutQueue, isPlayoutMark } from '../pacing';

/**
 * The codec sentences are assembled in: μ-law 8 kHz, what the phone leg carries anyway, so nothing
 * audible is lost before MP3 (Telnyx decodes the MP3 back to the call's 8 kHz G.711).
 */
export const SENTENCE_CODEC: CallCodec = 'PCMU';
export const SENTENCE_FORMAT = 'ulaw_8000' as const;
/** 20 ms at 8 kHz, one byte per μ-law sample. */
export const SENTENCE_BYTES_PER_MS = 8;

/** One sentence whose audio is complete, in SENTENCE_FORMAT. */
export interface CompletedSentence {
  readonly turnId: string;
  readonly seq: number;
  /** The turn's last sentence. */
  readonly last: boolean;
  readonly text: string;
  /** μ-law 8 kHz; empty when the sentence had no playable audio. */
  readonly audio: Buffer;
}

/**
 * One call's `audio` / `audio.end` entries → whole sentences, in order. The ordering, dedupe on
 * (turnId, seq, chunk), fencing, and dropping of old or cancelled turns are the streaming path's
 * PlayoutQueue; this only gathers its 20 ms frames between sentence marks into one buffer per sentence.
 */
export class SentenceCollector {
  private readonly queue = new PlayoutQueue(SENTENCE_CODEC);
  private frames: Buffer[] = [];
  private framesTurn: string | undefined;

  push(entry: AudioChunkMessage | AudioEndMessage): CompletedSentence[] {
    const { items } = this.queue.push(entry);
    if (this.queue.currentTurn !== this.framesTurn) {
      this.frames = []; // a newer turn replaced the one whose sentence was being gathered
      this.framesTurn = this.queue.currentTurn;
    }
    const completed: CompletedSentence[] = [];
    for (const item of items) {
      if (!isPlayoutMark(item)) {
        this.frames.push(item);
        continue;
      }
      const record = this.queue.turn(item.turnId)?.sentences.find((sentence) => sentence.seq === item.seq);
      completed.push({ turnId: item.turnId, seq: item.seq, last: item.last, text: record?.text ?? '', audio: Buffer.concat(this.frames) });
      this.frames = [];
    }
    return completed;
  }

  /** Drops what is gathered of the turn and refuses its audio from now on. */
  cancelTurn(turnId: string): void {
    this.queue.cancelTurn(turnId);
    if (this.framesTurn === turnId) this.frames = [];
  }
}
