import { TimerHandle } from '@app/clock';
import { WebSocket } from 'ws';
import { CLOSE_NORMAL } from './elevenlabs.constants';
import { ElevenLabsFaults } from './elevenlabs.faults';
import { ElevenLabsConfig } from './elevenlabs.options';
import { ServerError, audioMessage, errorMessage } from './server-messages';
import { closeReasonOf, inputTimeoutError, invalidApiKeyError, invalidRequestError } from './server-errors';
import { SessionQuery } from './session-query';
import { PlannedChunk, SpeechPlan, planSpeech } from './speech-plan';
import { SynthesisTiming } from './synthesis.job';

export type SessionEndpoint = 'multi-stream-input' | 'stream-input';
export type SessionState = 'open' | 'closing' | 'closed';

export interface SessionIdentity {
  id: string;
  endpoint: SessionEndpoint;
  /** `x-call-id` header; without it nothing is recorded in the timeline. */
  callId?: string;
  /** `x-turn-id` header (stream-input, where no context id names the turn). */
  turnId?: string;
  /** `xi-api-key` header, if the client sent one (else the key must come in the first message). */
  headerApiKey?: string;
}

type Json = Record<string, unknown>;

/**
 * What both TTS sockets share: the received-message log, authentication (header, or `xi_api_key` /
 * `xi-api-key` / `authorization` in the first message, AsyncAPI), the socket idle timer, audio
 * messages (with timeline and mid-sentence faults) and the error-then-close sequence.
 */
export abstract class WsSession {
  readonly received: unknown[] = [];
  state: SessionState = 'open';
  closeCode?: number;
  private authenticated: boolean;
  private idleTimer?: TimerHandle;

  constructor(
    readonly identity: SessionIdentity,
    protected readonly ws: WebSocket,
    protected readonly config: ElevenLabsConfig,
    protected readonly faults: ElevenLabsFaults,
    protected readonly query: SessionQuery | undefined,
    private readonly queryError?: string,
  ) {
    this.authenticated = identity.headerApiKey === config.apiKey;
  }

  /** Called once the subclass is constructed: checks what the upgrade carried, then listens. */
  start(): void {
    this.ws.on('message', (data, isBinary) => this.receive(data.toString(), isBinary));
    this.ws.on('close', (code) => this.onClosed(code));
    this.ws.on('error', () => undefined); // a reset socket also emits 'close'
    if (this.identity.headerApiKey !== undefined && !this.authenticated) this.fail(invalidApiKeyError());
    else if (this.queryError !== undefined) this.fail(invalidRequestError(this.queryError));
    else this.resetSocketIdle();
  }

  /** Context ids currently alive on this socket (for leak assertions). */
  abstract liveContextIds(): string[];
  protected abstract onMessage(message: Json): void;
  protected abstract stopAll(): void;
  protected abstract hasWorkInProgress(): boolean;

  protected get socketIdleMs(): number {
    return this.config.socketIdleTimeoutMs ?? this.query!.inactivityTimeoutS * 1000;
  }

  protected plan(text: string): SpeechPlan {
    return planSpeech(text, this.query!.format, { charsPerSecond: this.config.charsPerSecond, chunkMs: this.config.audioChunkMs });
  }

  protected timing(): SynthesisTiming {
    return { firstByteMs: this.config.firstByteLatencyMs + this.faults.takeFirstByteDelayMs(), speed: this.config.generationSpeed };
  }

  protected recordText(turnId: string | undefined, text: string): void {
    if (this.identity.callId && turnId !== undefined) this.config.timeline?.ttsText(this.identity.callId, turnId, text, this.config.clock.epochNow());
  }

  /** Sends one chunk; false when the socket is gone or a mid-sentence fault just fired. */
  protected sendAudio(chunk: PlannedChunk, turnId: string | undefined, extra: { contextId?: string; finalFlag?: boolean }): boolean {
    if (this.state !== 'open') return false;
    // Without sync_alignment the timing is not tied to each chunk: the first chunk carries all of it.
    const alignment = this.query!.syncAlignment ? chunk.alignment : chunk.unsyncedAlignment;
    const audio = chunk.audio();
    const parts = { audio, alignment, normalizedAlignment: alignment, ...extra };
    const fault = this.faults.takeMidSentence(chunk.index, chunk.last);
    // A dropped connection still delivers what was already on the wire: terminate once this chunk is written.
    const afterWrite = fault?.kind === 'terminate' ? () => this.terminate() : undefined;
    this.ws.send(JSON.stringify(audioMessage(parts, this.config.spelling)), afterWrite);
    if (this.identity.callId && turnId !== undefined) this.config.timeline?.ttsAudio(this.identity.callId, turnId, audio.length, this.config.clock.epochNow());
    if (!fault) return true;
    if (fault.kind === 'terminate') {
      this.state = 'closing';
      this.stopAll();
    } else this.closeWith(fault.code, fault.reason);
    return false;
  }

  protected sendJson(message: Json): void {
    if (this.state === 'open') this.ws.send(JSON.stringify(message));
  }

  /** `{"message","error","code"}`, then close with that code and the message as reason. */
  fail(error: ServerError): void {
    this.sendJson(errorMessage(error));
    this.closeWith(error.code, closeReasonOf(error.message));
  }

  closeWith(code: number, reason = ''): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    this.stopAll();
    this.ws.close(code, closeReasonOf(reason));
  }

  /** Drops the TCP connection without a close frame: the client sees 1006. */
  terminate(): void {
    if (this.state === 'closed') return;
    if (this.state === 'open') {
      this.state = 'closing';
      this.stopAll();
    }
    this.ws.terminate();
  }

  protected closeNormally(): void {
    this.closeWith(CLOSE_NORMAL);
  }

  protected resetSocketIdle(): void {
    this.config.clock.clearTimeout(this.idleTimer);
    if (this.state !== 'open' || !this.query) return;
    this.idleTimer = this.config.clock.setTimeout(() => this.onSocketIdle(), this.socketIdleMs);
  }

  /** Nothing received and nothing generating for the whole timeout: the documented 1008 close. */
  private onSocketIdle(): void {
    if (this.hasWorkInProgress()) return this.resetSocketIdle();
    this.fail(inputTimeoutError(this.socketIdleMs / 1000));
  }

  protected clearSocketIdle(): void {
    this.config.clock.clearTimeout(this.idleTimer);
  }

  private receive(raw: string, isBinary: boolean): void {
    if (this.state !== 'open') return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      message = undefined;
    }
    this.received.push(message ?? raw);
    if (isBinary || !message || typeof message !== 'object' || Array.isArray(message)) {
      return this.fail(invalidRequestError('Invalid message: expected a JSON object.'));
    }
    const json = message as Json;
    if (!this.authenticated) {
      const key = json.xi_api_key ?? json['xi-api-key'] ?? String(json.authorization ?? '').replace(/^Bearer\s+/i, '');
      if (key !== this.config.apiKey) return this.fail(invalidApiKeyError());
      this.authenticated = true;
    }
    this.resetSocketIdle();
    this.onMessage(json);
  }

  private onClosed(code: number): void {
    this.state = 'closed';
    this.closeCode = code;
    this.clearSocketIdle();
    this.stopAll();
  }
}
