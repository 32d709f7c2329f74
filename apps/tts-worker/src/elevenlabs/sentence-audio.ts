import type { Clock } from '@app/clock';
import type { LiveContext } from './context-registry';
import { TRAILING_AUDIO_WAIT_MS } from './elevenlabs.constants';
import type { ChunkAlignment } from './elevenlabs.wire';
import type { SessionEmit } from './tts-session.types';
import type { SentenceRecord, TurnLedger, TurnRecord } from './turn-ledger';

export interface SentenceAudioDeps {
  callId: string;
  clock: Clock;
  ledger: TurnLedger;
  emit: SessionEmit;
}

/**
 * The audio side of a session's turns: each chunk that comes back on a context is attributed to its
 * sentence (AlignmentAttributor), numbered per sentence (what an earlier attempt or owner already
 * emitted is skipped by bytes), and each sentence ends exactly once, when its audio is complete.
 */
export class SentenceAudio {
  constructor(private readonly deps: SentenceAudioDeps) {}

  /** A chunk for a live context of `turn`. */
  receive(turn: TurnRecord, context: LiveContext, audio: Buffer, alignment: ChunkAlignment | undefined): void {
    const { owner, completed } = context.attributor.attribute(alignment);
    let target = owner === undefined ? undefined : this.deps.ledger.sentence(turn, owner);
    if (!target) {
      // Every flushed sentence is covered: a trailing chunk belongs to the last one if it has not ended yet.
      const lastOnContext = [...turn.sentences].reverse().find((s) => s.sentOn === context.contextId);
      target = lastOnContext && !lastOnContext.ended ? lastOnContext : undefined;
    }
    if (target) this.endCoveredBefore(turn, target.seq);
    if (target && !target.ended) this.emitChunk(turn, target, audio);
    else turn.carry.push(audio);
    this.covered(turn, completed);
  }

  /** isFinal on a context: every sentence flushed on it is complete and ends. */
  final(turn: TurnRecord, context: LiveContext): void {
    this.covered(turn, context.attributor.finishAll());
    for (const sentence of turn.sentences) {
      if (sentence.sentOn !== context.contextId) continue;
      sentence.covered = true;
      this.endSentence(turn, sentence);
    }
  }

  /**
   * Sentences whose characters are all attributed are covered; they end (sentenceEnd) once audio of a
   * later sentence arrives or TRAILING_AUDIO_WAIT_MS passes, so that their trailing audio (". ",
   * silence) is still theirs. The turn's final sentence ends at isFinal.
   */
  covered(turn: TurnRecord, seqs: number[]): void {
    const { ledger, clock } = this.deps;
    for (const seq of seqs) {
      const sentence = ledger.sentence(turn, seq);
      if (!sentence) continue;
      sentence.covered = true;
      if (!ledger.isFinalSentence(turn, sentence) && turn.trailTimer === undefined) {
        turn.trailTimer = clock.setTimeout(() => {
          turn.trailTimer = undefined;
          this.endCoveredBefore(turn, Infinity);
        }, TRAILING_AUDIO_WAIT_MS);
      }
    }
  }

  /** The covered sentences end now, the final one included (the turn is handed over). */
  endCovered(turn: TurnRecord): void {
    this.deps.clock.clearTimeout(turn.trailTimer);
    for (const sentence of turn.sentences) if (sentence.covered) this.endSentence(turn, sentence);
  }

  /** Every sentence ends now (the turn is finished). */
  endAll(turn: TurnRecord): void {
    this.deps.clock.clearTimeout(turn.trailTimer);
    for (const sentence of turn.sentences) this.endSentence(turn, sentence);
  }

  /** Ends the covered sentences before `seq` (their audio is complete), except the turn's final one. */
  private endCoveredBefore(turn: TurnRecord, seq: number): void {
    for (const sentence of turn.sentences) {
      if (sentence.seq >= seq) break;
      if (sentence.covered && !sentence.ended && !this.deps.ledger.isFinalSentence(turn, sentence)) this.endSentence(turn, sentence);
    }
  }

  private endSentence(turn: TurnRecord, sentence: SentenceRecord): void {
    if (sentence.ended) return;
    sentence.ended = true;
    this.deps.emit('sentenceEnd', {
      callId: this.deps.callId,
      turnId: turn.turnId,
      seq: sentence.seq,
      chunks: sentence.chunksEmitted,
      last: this.deps.ledger.isFinalSentence(turn, sentence),
    });
  }

  private emitChunk(turn: TurnRecord, sentence: SentenceRecord, audio: Buffer): void {
    const { clock, emit, callId } = this.deps;
    if (!sentence.ttfbLogged && sentence.sentAt !== undefined) {
      sentence.ttfbLogged = true;
      emit('ttfb', { callId, turnId: turn.turnId, seq: sentence.seq, ttfbMs: clock.now() - sentence.sentAt });
    }
    let payload = audio;
    if (sentence.skipBytes > 0) {
      // Emitted already (before the context was lost, or by the call's previous owner).
      const skipped = Math.min(sentence.skipBytes, payload.length);
      sentence.skipBytes -= skipped;
      payload = payload.subarray(skipped);
      if (payload.length === 0) return;
    }
    const chunk = sentence.chunksEmitted++;
    if (chunk === 0 && turn.carry.length > 0) {
      payload = Buffer.concat([...turn.carry, payload]);
      turn.carry = [];
    }
    sentence.bytesEmitted += payload.length;
    emit('audio', {
      callId,
      turnId: turn.turnId,
      seq: sentence.seq,
      chunk,
      audio: payload,
      text: chunk === 0 ? sentence.text : undefined,
      receivedAt: clock.epochNow(),
    });
  }
}
