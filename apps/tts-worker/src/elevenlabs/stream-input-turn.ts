import type { Clock, TimerHandle } from '@app/clock';
import { AlignmentAttributor } from './alignment-attributor';
import { DEFAULT_CONNECT_TIMEOUT_MS, TRAILING_AUDIO_WAIT_MS } from './elevenlabs.constants';
import { multiStreamUrl, speakableText, type ElevenLabsVoiceSettings, type MultiStreamUrlOptions, type ServerMessage } from './elevenlabs.wire';
import { TtsConnection } from './tts-connection';
import type { TtsError } from './tts-errors';
import type { PendingSentence, SentenceResume, TtsLogger } from './tts-session.types';
import { createWsSocket, type CreateSocket } from './tts-socket';

/**
 * One turn on the older `stream-input` socket (one generation stream per socket, no contexts): the
 * socket is opened at the turn's first sentence, each sentence is sent with flush the moment it
 * arrives, `{"text":""}` ends the input, `isFinal` ends the turn, and the socket is dropped.
 * A failure hands the unfinished sentences (with what was published of them) to the caller's REST
 * fallback; there is no reconnect: the next turn simply opens a new socket.
 */
export interface StreamInputTurnOutput {
  audio(turnId: string, seq: number, chunk: number, audio: Buffer, text?: string): void;
  sentenceEnd(turnId: string, seq: number, chunks: number, last: boolean): void;
  ttfb(turnId: string, seq: number, ttfbMs: number): void;
  /** The socket failed: these sentences are the caller's now; `complete` when the turn's text was. */
  failed(turnId: string, pending: PendingSentence[], complete: boolean, error: TtsError): void;
  socketOpened(handshakeMs: number): void;
  socketClosed(): void;
}

export interface StreamInputTurnOptions extends MultiStreamUrlOptions {
  callId: string;
  turnId: string;
  apiKey: string;
  voiceSettings: ElevenLabsVoiceSettings;
  clock: Clock;
  logger: TtsLogger;
  output: StreamInputTurnOutput;
  createSocket?: CreateSocket;
}

interface Sentence extends PendingSentence {
  sentAt?: number;
  skipBytes: number;
  covered: boolean;
  ended: boolean;
}

export class StreamInputTurn {
  private readonly sentences: Sentence[] = [];
  private readonly attributor = new AlignmentAttributor();
  private readonly connection: TtsConnection;
  /** The empty sentence that ended the turn without text (its end is published at isFinal). */
  private endSeq?: number;
  private complete = false;
  private done = false;
  private trailTimer?: TimerHandle;

  constructor(private readonly o: StreamInputTurnOptions) {
    this.connection = new TtsConnection({
      url: multiStreamUrl(o, 'stream-input'),
      headers: { 'xi-api-key': o.apiKey, 'x-call-id': o.callId, 'x-turn-id': o.turnId },
      createSocket: o.createSocket ?? createWsSocket,
      clock: o.clock,
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
      handlers: {
        opened: (_c, handshakeMs) => this.onOpened(handshakeMs),
        message: (_c, message) => this.onMessage(message),
        failed: (_c, error) => this.onFailed(error),
      },
    });
    this.o.logger.info({ callId: o.callId, turnId: o.turnId }, 'TTS connection starting');
    this.connection.start();
  }

  get finished(): boolean {
    return this.done;
  }

  push(seq: number, text: string, last: boolean, resume?: SentenceResume): void {
    if (this.done || this.sentences.some((s) => s.seq === seq)) return;
    if (last) this.complete = true;
    if (!text.trim()) {
      if (last) this.endSeq = seq;
    } else if (!resume?.done) {
      const sentence: Sentence = { seq, text, last, chunksEmitted: resume?.chunks ?? 0, bytesEmitted: resume?.bytes ?? 0, skipBytes: resume?.bytes ?? 0, covered: false, ended: false };
      this.sentences.push(sentence);
      if (this.connection.isOpen) this.send(sentence);
    }
    if (this.complete && this.connection.isOpen) this.connection.send({ text: '' });
  }

  /** Barge-in or hangup: drop the socket now; whatever audio still comes is never seen. */
  cancel(): void {
    this.finish();
  }

  private onOpened(handshakeMs: number): void {
    this.o.logger.info({ callId: this.o.callId, turnId: this.o.turnId, handshakeMs }, 'TTS connection established');
    this.o.output.socketOpened(handshakeMs);
    this.connection.send({ text: ' ', voice_settings: this.o.voiceSettings });
    for (const sentence of this.sentences) this.send(sentence);
    if (this.complete) this.connection.send({ text: '' });
  }

  private send(sentence: Sentence): void {
    this.connection.send({ text: speakableText(sentence.text), flush: true });
    sentence.sentAt = this.o.clock.now();
    const fields = { callId: this.o.callId, turnId: this.o.turnId, seq: sentence.seq, pii: { text: sentence.text } };
    this.o.logger.info(fields, `streaming sentence #${sentence.seq}`);
    this.cover(this.attributor.add(sentence.seq, sentence.text));
  }

  private onMessage(message: ServerMessage): void {
    if (this.done) return;
    if (message.audio) {
      const { owner, completed } = this.attributor.attribute(message.alignment);
      const target = this.sentences.find((s) => s.seq === owner) ?? [...this.sentences].reverse().find((s) => s.sentAt !== undefined);
      if (target) this.endCoveredBefore(target.seq);
      if (target && !target.ended) this.emit(target, message.audio);
      this.cover(completed);
    }
    if (message.isFinal) {
      for (const sentence of this.sentences) this.end(sentence.seq, true);
      if (this.endSeq !== undefined) this.o.output.sentenceEnd(this.o.turnId, this.endSeq, 0, true);
      this.finish();
    }
  }

  private emit(sentence: Sentence, audio: Buffer): void {
    const { output, turnId, clock } = this.o;
    if (sentence.sentAt !== undefined && sentence.chunksEmitted === 0 && sentence.skipBytes === 0) {
      output.ttfb(turnId, sentence.seq, clock.now() - sentence.sentAt);
    }
    let payload = audio;
    if (sentence.skipBytes > 0) {
      const skipped = Math.min(sentence.skipBytes, payload.length);
      sentence.skipBytes -= skipped;
      payload = payload.subarray(skipped);
      if (payload.length === 0) return;
    }
    const chunk = sentence.chunksEmitted++;
    sentence.bytesEmitted += payload.length;
    output.audio(turnId, sentence.seq, chunk, payload, chunk === 0 ? sentence.text : undefined);
  }

  /** All its characters heard: it ends once a later sentence speaks, or after TRAILING_AUDIO_WAIT_MS (its tail). */
  private cover(seqs: number[]): void {
    for (const seq of seqs) {
      const sentence = this.sentences.find((s) => s.seq === seq);
      if (sentence) sentence.covered = true;
    }
    if (seqs.length === 0 || this.trailTimer !== undefined) return;
    this.trailTimer = this.o.clock.setTimeout(() => {
      this.trailTimer = undefined;
      this.endCoveredBefore(Infinity);
    }, TRAILING_AUDIO_WAIT_MS);
  }

  private endCoveredBefore(seq: number): void {
    for (const sentence of this.sentences) if (sentence.seq < seq && sentence.covered) this.end(sentence.seq, false);
  }

  /** Ends a sentence once; the turn's final one only at isFinal (its trailing audio may still come). */
  private end(seq: number, atFinal: boolean): void {
    const sentence = this.sentences.find((s) => s.seq === seq);
    if (!sentence || sentence.ended) return;
    const final = sentence.last || (this.complete && this.endSeq === undefined && sentence === this.sentences[this.sentences.length - 1]);
    if (final && !atFinal) return;
    sentence.ended = true;
    this.o.output.sentenceEnd(this.o.turnId, seq, sentence.chunksEmitted, final && this.endSeq === undefined);
  }

  private onFailed(error: TtsError): void {
    if (this.done) return;
    this.o.logger.warn({ callId: this.o.callId, turnId: this.o.turnId, ...error.toLog() }, 'TTS stream-input connection failed');
    for (const sentence of this.sentences) if (sentence.covered) this.end(sentence.seq, true); // complete: ended now
    const pending = this.sentences
      .filter((s) => !s.ended && !s.covered)
      .map(({ seq, text, last, chunksEmitted, bytesEmitted }) => ({ seq, text, last, chunksEmitted, bytesEmitted }));
    if (this.endSeq !== undefined) pending.push({ seq: this.endSeq, text: '', last: true, chunksEmitted: 0, bytesEmitted: 0 });
    this.finish();
    this.o.output.failed(this.o.turnId, pending, this.complete, error);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.o.clock.clearTimeout(this.trailTimer);
    const wasOpen = this.connection.openedAt !== undefined;
    void this.connection.dispose(false);
    if (wasOpen) this.o.output.socketClosed();
    this.o.logger.info({ callId: this.o.callId, turnId: this.o.turnId }, 'TTS session closed');
  }
}
