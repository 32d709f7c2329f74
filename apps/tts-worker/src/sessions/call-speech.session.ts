import { SentenceMessage, compareTurnIds } from '@app/contracts';
import { Clock } from '@app/clock';
import { AgentConfig } from '@app/config';
import { AppLogger, TurnMarks } from '@app/telemetry';
import { ElevenLabsRestClient, ElevenLabsStreamSession, TtsFallbackEvent } from '../elevenlabs';
import { CallAudioPublisher, CollectingAudioSink } from './audio.publisher';
import { RestSentenceSpeaker } from './rest-sentence.speaker';

export interface CallSpeechDeps {
  callId: string;
  agent: AgentConfig;
  baseUrl: string;
  apiKey: string;
  audio: CallAudioPublisher;
  clock: Clock;
  logger: AppLogger;
  marks: TurnMarks;
}

interface TurnProgress {
  maxSeq: number;
  lastEndPublished: boolean;
  /** Batch-then-play (the seed system's way, kept as the benchmark's baseline): the turn's whole text. */
  batchText: string[];
}

/**
 * One call's speech: the persistent ElevenLabs socket (one context per turn), or REST per sentence when
 * the agent says so or the socket gave up, switched mid-turn without losing or repeating a sentence.
 * Fences by turn: a sentence of an older or cancelled turn is dropped.
 */
export class CallSpeechSession {
  private stream?: ElevenLabsStreamSession;
  private readonly restClient: ElevenLabsRestClient;
  private readonly rest: RestSentenceSpeaker;
  private readonly turns = new Map<string, TurnProgress>();
  private readonly cancelled = new Set<string>();
  private currentTurn = '0';
  private lastSentenceText = '';

  constructor(private readonly deps: CallSpeechDeps) {
    const { agent, callId, baseUrl, apiKey, clock, logger } = deps;
    this.restClient = new ElevenLabsRestClient({
      baseUrl,
      apiKey,
      voiceId: agent.tts.voiceId,
      modelId: agent.tts.modelId,
      outputFormat: agent.tts.outputFormat,
      voiceSettings: agent.tts.voiceSettings,
      clock,
      logger,
    });
    this.rest = new RestSentenceSpeaker(callId, this.restClient, deps.audio, (error, turnId, seq) =>
      logger.error({ callId, turnId, seq, err: String(error) }, 'REST TTS failed for a sentence'),
    );
  }

  get mode(): 'socket' | 'rest' {
    return this.stream ? 'socket' : 'rest';
  }

  /** Opens the persistent socket now (the call was just answered), so the greeting finds it warm. */
  open(): void {
    const { agent, callId, baseUrl, apiKey, clock, logger } = this.deps;
    if (!agent.tts.usePersistentTts) return;
    const stream = new ElevenLabsStreamSession({
      callId,
      baseUrl,
      apiKey,
      voiceId: agent.tts.voiceId,
      modelId: agent.tts.modelId,
      outputFormat: agent.tts.outputFormat,
      voiceSettings: agent.tts.voiceSettings,
      inactivityTimeoutS: agent.tts.inactivityTimeoutS,
      autoMode: agent.tts.autoMode,
      clock,
      logger,
    });
    stream.on('audio', (e) => {
      if (e.seq === 0 && e.chunk === 0) this.deps.marks.stamp(callId, e.turnId, 'ttsFirstByteAt', e.receivedAt);
      void this.deps.audio.chunk({ turnId: e.turnId, seq: e.seq, chunk: e.chunk, audio: e.audio, text: e.text });
    });
    stream.on('sentenceEnd', (e) => {
      const progress = this.progress(e.turnId);
      if (e.last) progress.lastEndPublished = true;
      void this.deps.audio.sentenceEnd(e.turnId, e.seq, e.chunks, e.last);
    });
    stream.on('turnEnd', (e) => this.finishTurnIfOpen(e.turnId));
    stream.on('fallback', (e) => this.fallBackToRest(e));
    this.stream = stream;
    void stream.connect().catch((error) => logger.warn({ callId, err: String(error) }, 'TTS connect failed'));
  }

  sentence(message: SentenceMessage): void {
    const { turnId } = message;
    if (this.cancelled.has(turnId) || compareTurnIds(turnId, this.currentTurn) < 0) return;
    this.currentTurn = turnId;
    const progress = this.progress(turnId);
    progress.maxSeq = Math.max(progress.maxSeq, message.seq);
    if (message.seq === 0) this.deps.marks.stamp(this.deps.callId, turnId, 'ttsTextSentAt');
    if (this.deps.agent.tts.batchThenPlay) return this.batch(message, progress);
    if (!this.stream) {
      this.rest.speak(turnId, message.seq, message.text, message.last, this.lastSentenceText);
      if (message.text) this.lastSentenceText = message.text;
      return;
    }
    if (message.text.trim()) this.stream.pushSentence({ turnId, seq: message.seq, text: message.text, last: message.last });
    else if (message.last) {
      // The answer ended with a sentence already sent: the turn ends, with an empty last sentence.
      progress.maxSeq = message.seq;
      this.stream.endTurn(turnId);
    }
  }

  cancel(turnId: string): void {
    this.cancelled.add(turnId);
    this.stream?.cancelTurn(turnId);
    this.rest.cancel(turnId);
    this.turns.delete(turnId);
  }

  /** A turn in progress (then its shard is not handed to another worker). */
  busy(): boolean {
    for (const [turnId, progress] of this.turns) if (!this.cancelled.has(turnId) && !progress.lastEndPublished) return true;
    return false;
  }

  async close(): Promise<void> {
    this.rest.close();
    await this.stream?.close();
    this.stream = undefined;
    this.turns.clear();
  }

  private progress(turnId: string): TurnProgress {
    let progress = this.turns.get(turnId);
    if (!progress) {
      progress = { maxSeq: -1, lastEndPublished: false, batchText: [] };
      this.turns.set(turnId, progress);
      for (const old of this.turns.keys()) if (compareTurnIds(old, turnId) < 0) this.turns.delete(old);
    }
    return progress;
  }

  /** isFinal came: if the turn's last sentence was the empty end marker, its end is published now. */
  private finishTurnIfOpen(turnId: string): void {
    const progress = this.turns.get(turnId);
    if (!progress || progress.lastEndPublished || this.cancelled.has(turnId)) return;
    progress.lastEndPublished = true;
    void this.deps.audio.sentenceEnd(turnId, progress.maxSeq, 0, true);
  }

  private batch(message: SentenceMessage, progress: TurnProgress): void {
    if (message.text.trim()) progress.batchText.push(message.text);
    if (!message.last) return;
    // All of the turn's text in one request, all of its audio generated before any of it is published.
    const collector = new CollectingAudioSink();
    const speaker = new RestSentenceSpeaker(this.deps.callId, this.restClient, collector, (error) =>
      this.deps.logger.error({ callId: this.deps.callId, turnId: message.turnId, err: String(error) }, 'batch TTS failed'),
    );
    speaker.speak(message.turnId, 0, progress.batchText.join(' '), true);
    void speaker.idle().then(async () => {
      if (this.cancelled.has(message.turnId)) return;
      for (const out of collector.chunks) await this.deps.audio.chunk(out);
      await this.deps.audio.sentenceEnd(message.turnId, 0, collector.chunks.length, true);
      progress.lastEndPublished = true;
    });
  }

  private fallBackToRest(event: TtsFallbackEvent): void {
    const { callId, logger } = this.deps;
    logger.warn({ callId, turnId: event.turnId, pending: event.pending.length }, 'TTS socket gave up: switching the call to REST');
    const stream = this.stream;
    this.stream = undefined;
    void stream?.close();
    if (this.cancelled.has(event.turnId)) return;
    for (const sentence of event.pending) {
      this.rest.speak(event.turnId, sentence.seq, sentence.text, sentence.last, undefined, {
        bytes: sentence.bytesEmitted,
        chunks: sentence.chunksEmitted,
      });
    }
  }
}

