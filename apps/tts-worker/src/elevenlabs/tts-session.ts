import type { TimerHandle } from '@app/clock';
import { BackoffPolicy } from './backoff-policy';
import type { ContextSnapshot } from './context-registry';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  IDLE_CLOSE_MIN_OPEN_MS,
  KEEPALIVE_TICK_MS,
  MAX_INACTIVITY_TIMEOUT_S,
  NO_AUDIO_TIMEOUT_MS,
  RECONNECT_BACKOFF,
  STABLE_CONNECTION_MS,
} from './elevenlabs.constants';
import { multiStreamUrl, outbound, type ServerMessage } from './elevenlabs.wire';
import { KeepaliveScheduler, planKeepalive, socketRefreshAfterMs } from './keepalive-scheduler';
import { SessionLog } from './session-log';
import { TtsConnection, type ConnectionPhase } from './tts-connection';
import type { TtsError } from './tts-errors';
import {
  TtsConnectionState,
  type ElevenLabsSessionEvents,
  type ElevenLabsSessionOptions,
  type SentenceInput,
} from './tts-session.types';
import { createWsSocket } from './tts-socket';
import { TurnDispatcher } from './turn-dispatcher';
import { TypedEmitter } from './typed-emitter';

const S = TtsConnectionState;

/**
 * One call's persistent ElevenLabs multi-stream-input socket: opened when the call is answered, kept
 * until hangup, one context per turn. This class owns the socket's lifecycle (connect, reconnect with
 * backoff, idle refresh, give up, close); the TurnDispatcher owns what travels on it.
 *
 * Edges: connect() · pushSentence() · endTurn() · cancelTurn() · close().
 * Events: audio · sentenceEnd · turnEnd · stateChange · error · fallback.
 */
export class ElevenLabsStreamSession extends TypedEmitter<ElevenLabsSessionEvents> {
  private state: TtsConnectionState = S.Idle;
  private current?: TtsConnection;
  /** A replacement for an idle socket, connecting in the background. */
  private standby?: TtsConnection;
  private failures = 0;
  private retryTimer?: TimerHandle;
  private stableTimer?: TimerHandle;
  private waiters: Array<(state: TtsConnectionState) => void> = [];
  private readonly url: string;
  private readonly backoff: BackoffPolicy;
  private readonly keepalive: KeepaliveScheduler;
  private readonly dispatcher: TurnDispatcher;
  private readonly log: SessionLog;

  constructor(private readonly options: ElevenLabsSessionOptions) {
    super((event, error) => this.log.error({ event, err: String(error) }, 'TTS listener threw'));
    const inactivityTimeoutS = Math.min(MAX_INACTIVITY_TIMEOUT_S, Math.max(1, Math.round(options.inactivityTimeoutS)));
    this.options = { ...options, inactivityTimeoutS };
    this.url = multiStreamUrl(this.options);
    this.backoff = new BackoffPolicy(RECONNECT_BACKOFF, options.backoff, options.random);
    this.log = new SessionLog(options.logger, options.callId, () => this.dispatcher?.ledger.latestTurnId);
    this.keepalive = new KeepaliveScheduler(options.clock, KEEPALIVE_TICK_MS, () => this.tick());
    this.dispatcher = new TurnDispatcher({
      callId: options.callId,
      clock: options.clock,
      log: this.log,
      voiceSettings: options.voiceSettings,
      noAudioTimeoutMs: options.noAudioTimeoutMs ?? NO_AUDIO_TIMEOUT_MS,
      emit: (event, ...args) => this.emit(event, ...args),
      host: {
        openConnection: () => (this.current?.isOpen ? this.current : undefined),
        needConnection: () => {
          if (this.state === S.Idle) void this.connect();
        },
        recycle: (reason) => this.recycle(reason),
        stuck: (connection, error) => this.onFailed(connection, error, 'open', true),
        isFailed: () => this.state === S.Failed,
      },
    });
  }

  get connectionState(): TtsConnectionState {
    return this.state;
  }

  /** Contexts live on the current socket (open, or closing until their isFinal). */
  liveContexts(): ContextSnapshot[] {
    return this.current?.registry.snapshot() ?? [];
  }

  /** Opens the socket (again, after `failed`). Resolves with the state it settles in: open, failed or closed. */
  connect(): Promise<TtsConnectionState> {
    if (this.state === S.Open || this.state === S.Closed) return Promise.resolve(this.state);
    const settled = new Promise<TtsConnectionState>((resolve) => this.waiters.push(resolve));
    if (this.state === S.Idle || this.state === S.Failed) {
      this.failures = 0;
      this.keepalive.start();
      this.setState(S.Connecting, 'connect');
      this.startConnection();
    }
    return settled;
  }

  /** Sends the sentence now if the socket is open (else as soon as it is). `last` implies endTurn. */
  pushSentence(input: SentenceInput): void {
    if (this.state === S.Closed) return this.log.debug({ turnId: input.turnId, seq: input.seq }, 'TTS sentence after close ignored');
    this.dispatcher.push(input);
  }

  /** The turn's text is complete: its context closes once the last text is flushed and its audio started. */
  endTurn(turnId: string): void {
    if (this.state !== S.Closed) this.dispatcher.endTurn(turnId);
  }

  /** Barge-in: close the turn's context at once and drop its late audio; the socket stays. */
  cancelTurn(turnId: string): void {
    if (this.state !== S.Closed) this.dispatcher.cancel(turnId);
  }

  /** Hangup: close every context, `close_socket`, close; frees every timer. */
  async close(): Promise<void> {
    if (this.state === S.Closed) return;
    this.setState(S.Closed, 'close');
    this.keepalive.stop();
    this.options.clock.clearTimeout(this.retryTimer);
    this.options.clock.clearTimeout(this.stableTimer);
    const connection = this.current;
    const standby = this.standby;
    this.current = this.standby = undefined;
    void standby?.dispose(false);
    if (connection) this.dispatcher.closeAll(connection);
    else this.dispatcher.ledger.clear();
    this.settleWaiters();
    await connection?.dispose(true);
    this.log.info({ connectionId: connection?.id ?? null }, 'TTS session closed');
  }

  private startConnection(standby = false): void {
    const { clock, apiKey, callId } = this.options;
    const connection = new TtsConnection({
      url: this.url,
      headers: { 'xi-api-key': apiKey, 'x-call-id': callId },
      createSocket: this.options.createSocket ?? createWsSocket,
      clock,
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      handlers: {
        opened: (c, handshakeMs) => this.onOpened(c, handshakeMs),
        message: (c, message) => this.onMessage(c, message),
        failed: (c, error, phase) => this.onFailed(c, error, phase),
      },
    });
    if (standby) this.standby = connection;
    else this.current = connection;
    this.log.info({ connectionId: connection.id, attempt: this.failures + 1, standby }, 'TTS connection starting');
    connection.start();
  }

  private onOpened(connection: TtsConnection, handshakeMs: number): void {
    this.log.info({ connectionId: connection.id, handshakeMs }, 'TTS connection established');
    if (connection === this.standby) return this.promoteStandby(connection);
    if (connection !== this.current) return;
    this.options.clock.clearTimeout(this.stableTimer);
    this.stableTimer = this.options.clock.setTimeout(() => (this.failures = 0), STABLE_CONNECTION_MS);
    this.setState(S.Open, 'established');
    this.settleWaiters();
    this.dispatcher.onConnectionOpen();
  }

  private onMessage(connection: TtsConnection, message: ServerMessage): void {
    if (connection !== this.current) return;
    if (message.audio) this.failures = 0; // a socket that speaks is healthy
    this.dispatcher.onMessage(connection, message);
  }

  /** `reported`: the error was already emitted (a silent context escalated to a socket failure). */
  private onFailed(connection: TtsConnection, error: TtsError, phase: ConnectionPhase, reported = false): void {
    if (connection === this.standby) {
      this.standby = undefined;
      return this.log.warn({ connectionId: connection.id, ...error.toLog() }, 'TTS standby connection failed');
    }
    if (connection !== this.current || this.state === S.Closed) return;
    this.current = undefined;
    this.options.clock.clearTimeout(this.stableTimer);
    this.dispatcher.onConnectionLost(connection, false);
    void connection.dispose(false);
    const openFor = connection.openedAt === undefined ? 0 : this.options.clock.now() - connection.openedAt;
    if (error.category === 'idle_timeout' && openFor >= IDLE_CLOSE_MIN_OPEN_MS) {
      // The service timed an idle socket out: harmless, not a failure. Reconnect at once so no sentence waits.
      this.log.info({ connectionId: connection.id, ...error.toLog() }, 'TTS idle socket closed by service');
      this.setState(S.Reconnecting, error.category);
      return this.startConnection();
    }
    this.failures++;
    this.log.warn({ connectionId: connection.id, phase, failures: this.failures, ...error.toLog() }, 'TTS connection failed');
    if (!reported) this.emit('error', error);
    const limit = this.options.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES;
    if (!error.retryable || this.failures >= limit) return this.giveUp(error);
    const delayMs = this.backoff.delayMs(this.failures);
    this.setState(S.Reconnecting, error.category);
    this.log.info({ delayMs, attempt: this.failures + 1 }, 'TTS reconnect scheduled');
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === S.Reconnecting) this.startConnection();
    }, delayMs);
  }

  private giveUp(error: TtsError): void {
    this.setState(S.Failed, error.category);
    this.log.error({ failures: this.failures, ...error.toLog() }, 'TTS session failed, falling back');
    this.settleWaiters();
    this.dispatcher.handOffAll(error);
  }

  /** The socket reached its context limit: replace it now (not a failure); its turn continues on the new one. */
  private recycle(reason: string): void {
    const old = this.current;
    if (!old) return;
    this.current = undefined;
    this.log.warn({ connectionId: old.id, reason, contexts: old.registry.size }, 'TTS connection recycled');
    this.dispatcher.onConnectionLost(old, true);
    void old.dispose(true);
    this.setState(S.Reconnecting, reason);
    this.startConnection();
  }

  /** Keepalives for open contexts; replacement of a socket idle for too long. */
  private tick(): void {
    const connection = this.current;
    if (!connection?.isOpen) return;
    const { clock, inactivityTimeoutS } = this.options;
    const plan = planKeepalive(clock.now(), connection.registry.all(), connection.lastSentAt, socketRefreshAfterMs(inactivityTimeoutS));
    for (const contextId of plan.keepalive) {
      const context = connection.registry.get(contextId)!;
      connection.send(outbound.keepalive(contextId));
      context.lastSentAt = clock.now();
      this.log.debug({ turnId: context.turnId, contextId }, 'TTS keepalive sent');
    }
    if (plan.refreshSocket && !this.standby && !this.dispatcher.hasQueuedWork()) this.startConnection(true);
  }

  private promoteStandby(standby: TtsConnection): void {
    this.standby = undefined;
    const old = this.current;
    if (!old?.isOpen || old.registry.size > 0) {
      void standby.dispose(true); // the old socket got busy (or died and is being replaced): keep things as they are
      return;
    }
    this.current = standby;
    this.log.info({ connectionId: standby.id, replaced: old.id }, 'TTS idle connection refreshed');
    void old.dispose(true);
  }

  private setState(to: TtsConnectionState, reason?: string): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.emit('stateChange', { callId: this.options.callId, from, to, reason });
  }

  private settleWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(this.state);
  }
}
