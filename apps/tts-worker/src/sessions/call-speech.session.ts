import type { Clock } from '@app/clock';
import type { AgentConfig } from '@app/config';
import type { AppLogger, TurnMarks } from '@app/telemetry';
import {
  ElevenLabsRestClient,
  ElevenLabsStreamSession,
  restOptionsFromAgent,
  sessionOptionsFromAgent,
  type CreateSocket,
  type PendingSentence,
  type SentenceResume,
} from '../elevenlabs';
import { AudioChunkOut, AudioSink } from './audio.publisher';
import { BatchTurnSpeaker } from './batch-turn.speaker';
import { RestSentenceSpeaker } from './rest-sentence.speaker';
import { NO_SPEECH_HOOKS, ResumedSentence, SpeakSentence, SpeechHooks, SpeechMode, SpeechOutput } from './speech-output';
import { StreamInputSpeaker } from './stream-input.speaker';
import { TurnBook } from './turn-book';
import { wireStreamSession } from './stream-session.wiring';

export interface CallSpeechDeps {
  callId: string;
  agent: AgentConfig;
  baseUrl: string;
  apiKey: string;
  audio: AudioSink;
  clock: Clock;
  logger: AppLogger;
  marks: Pick<TurnMarks, 'stamp'>;
  hooks?: SpeechHooks;
  /** WebSocket factory for both socket protocols (tests); default `ws`. */
  createSocket?: CreateSocket;
}

/**
 * One call's speech, routed by the agent's settings: the persistent multi-stream-input socket (one
 * context per turn), a stream-input socket per turn, REST per sentence (pipelined), or the batch
 * baseline. A socket that gives up hands its unfinished sentences to REST mid-turn, none lost or said
 * twice. Fences by turn; a takeover resumes the current turn from what was already published.
 */
export class CallSpeechSession {
  private stream?: ElevenLabsStreamSession;
  private streamInput?: StreamInputSpeaker;
  private readonly rest: RestSentenceSpeaker;
  private readonly batch: BatchTurnSpeaker;
  private readonly book = new TurnBook();
  private readonly hooks: SpeechHooks;
  private readonly out: SpeechOutput;
  private lastSentenceText = '';

  constructor(private readonly deps: CallSpeechDeps) {
    const { agent, callId, baseUrl, apiKey, clock, logger, audio } = deps;
    this.hooks = deps.hooks ?? NO_SPEECH_HOOKS;
    this.out = this.output();
    const client = new ElevenLabsRestClient(restOptionsFromAgent(agent.tts, { baseUrl, apiKey, clock, logger }));
    this.rest = new RestSentenceSpeaker({
      callId,
      client,
      audio: { chunk: (o) => this.publishChunk(o), sentenceEnd: (turnId, seq, chunks, last) => this.publishEnd(turnId, seq, chunks, last) },
      clock,
      onError: (error, turnId, seq) => logger.error({ callId, turnId, seq, err: String(error) }, 'REST TTS failed for a sentence'),
      onTtfb: (turnId, seq, ms) => this.out.ttfb(turnId, seq, ms),
    });
    this.batch = new BatchTurnSpeaker(callId, client, audio, clock, logger, (turnId) => !this.book.isDead(turnId));
  }

  get mode(): SpeechMode {
    if (this.deps.agent.tts.batchThenPlay) return 'batch';
    if (this.stream) return 'socket';
    return this.streamInput ? 'stream-input' : 'rest';
  }

  /** Opens the persistent socket now (the call was just answered), so the greeting finds it warm. */
  open(): void {
    const { agent, callId, baseUrl, apiKey, clock, logger, createSocket } = this.deps;
    const tts = agent.tts;
    if (tts.batchThenPlay || !tts.usePersistentTts) return;
    if (tts.protocol === 'stream-input') {
      this.streamInput = new StreamInputSpeaker({ callId, baseUrl, apiKey, tts, clock, logger, out: this.out, createSocket });
      return;
    }
    this.stream = new ElevenLabsStreamSession({ ...sessionOptionsFromAgent(tts, { callId, baseUrl, apiKey, clock, logger }), createSocket });
    wireStreamSession(this.stream, this.out, this.hooks, (turnId) => this.finishTurnIfOpen(turnId));
    void this.stream.connect();
  }

  sentence(sentence: SpeakSentence): void {
    this.route(sentence);
  }

  /** Takeover: the current turn's sentences, in order; those published to their end are not said again. */
  resume(sentences: ResumedSentence[]): void {
    for (const sentence of [...sentences].sort((a, b) => a.seq - b.seq)) this.route(sentence, sentence.published);
  }

  cancel(turnId: string): void {
    this.book.cancel(turnId);
    this.stream?.cancelTurn(turnId);
    this.streamInput?.cancel(turnId);
    this.rest.cancel(turnId);
  }

  /** A turn in progress (then its shard is not handed to another worker). */
  busy(): boolean {
    return this.book.busy();
  }

  async close(): Promise<void> {
    this.rest.close();
    this.streamInput?.close();
    this.streamInput = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.book.clear();
    await stream?.close();
  }

  private route(s: SpeakSentence, published?: SentenceResume): void {
    const { turnId, seq, text, last } = s;
    const progress = this.book.admit(turnId, seq);
    if (!progress) return; // stale, cancelled, or a redelivery
    if (published?.done) {
      if (last) progress.lastEndPublished = true;
      if (text.trim()) this.stream?.pushSentence({ turnId, seq, text, last, resume: published }); // so the socket knows it
      return;
    }
    if (seq === 0 && !published) this.deps.marks.stamp(this.deps.callId, turnId, 'ttsTextSentAt');
    if (this.deps.agent.tts.batchThenPlay) return this.batch.sentence(progress, text, last);
    if (this.stream) {
      if (text.trim()) this.stream.pushSentence({ turnId, seq, text, last, resume: published });
      else if (last) this.stream.endTurn(turnId); // the answer ended with a sentence already sent
      return;
    }
    if (this.streamInput?.push(turnId, seq, text, last, published)) return;
    this.rest.speak(turnId, seq, text, last, this.lastSentenceText, published && { bytes: published.bytes, chunks: published.chunks });
    if (text.trim()) this.lastSentenceText = text;
  }

  /** isFinal came: if the turn's last sentence was the empty end marker, its end is published now. */
  private finishTurnIfOpen(turnId: string): void {
    const progress = this.book.get(turnId);
    if (!progress || progress.lastEndPublished || this.book.isDead(turnId)) return;
    void this.publishEnd(turnId, progress.maxSeq, 0, true);
  }

  private fallBackToRest(turnId: string, pending: PendingSentence[], turnComplete: boolean): void {
    const { callId, logger } = this.deps;
    logger.warn({ callId, turnId, pending: pending.map((p) => p.seq) }, 'TTS socket gave up: switching to REST');
    this.hooks.fallback();
    const progress = this.book.get(turnId);
    if (!progress || this.book.isDead(turnId)) return;
    for (const s of pending) this.rest.speak(turnId, s.seq, s.text, s.last, undefined, { bytes: s.bytesEmitted, chunks: s.chunksEmitted });
    // The turn ended with an empty sentence the socket never carried: its end comes after the others.
    if (turnComplete && !pending.some((s) => s.last) && !progress.lastEndPublished) this.rest.speak(turnId, progress.maxSeq, '', true);
  }

  private publishChunk(out: AudioChunkOut): Promise<unknown> {
    if (out.seq === 0 && out.chunk === 0) this.deps.marks.stamp(this.deps.callId, out.turnId, 'ttsFirstByteAt');
    return this.deps.audio.chunk(out);
  }

  private publishEnd(turnId: string, seq: number, chunks: number, last: boolean): Promise<unknown> {
    const progress = this.book.get(turnId);
    if (progress && last) progress.lastEndPublished = true;
    return this.deps.audio.sentenceEnd(turnId, seq, chunks, last);
  }

  /** Publishes are not awaited here: one connection keeps them in order, and a socket cannot wait. */
  private output(): SpeechOutput {
    const { callId } = this.deps;
    return {
      chunk: (turnId, seq, chunk, audio, text) => void this.publishChunk({ turnId, seq, chunk, audio, text }),
      sentenceEnd: (turnId, seq, chunks, last) => void this.publishEnd(turnId, seq, chunks, last),
      ttfb: (turnId, seq, ms) => this.hooks.ttfb(callId, turnId, seq, ms),
      fallback: (turnId, pending, complete) => {
        if (this.stream) {
          const stream = this.stream;
          this.stream = undefined; // the call stays on REST: the socket failed repeatedly
          void stream.close();
        }
        this.fallBackToRest(turnId, pending, complete);
      },
      socketOpened: () => this.hooks.socketOpened(),
      socketClosed: () => this.hooks.socketClosed(),
    };
  }
}
