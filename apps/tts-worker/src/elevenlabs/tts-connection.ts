import type { Clock, TimerHandle } from '@app/clock';
import { ContextRegistry } from './context-registry';
import { CLOSE_HANDSHAKE_TIMEOUT_MS } from './elevenlabs.constants';
import { outbound, parseServerMessage, type ServerMessage } from './elevenlabs.wire';
import { classifyClose, classifyHttpStatus, classifyThrown, TtsError, type ServerErrorPayload } from './tts-errors';
import type { CreateSocket, TtsSocket } from './tts-socket';

/**
 * One WebSocket to multi-stream-input and the contexts live on it. It times its own handshake, turns
 * every way it can end into exactly one classified `failed` report, and after that (or after
 * `dispose`) reports nothing more: late frames of a dead or replaced socket never reach the session.
 */
export type ConnectionPhase = 'connect' | 'open';

export interface ConnectionHandlers {
  opened(connection: TtsConnection, handshakeMs: number): void;
  message(connection: TtsConnection, message: ServerMessage): void;
  failed(connection: TtsConnection, error: TtsError, phase: ConnectionPhase): void;
}

export interface ConnectionDeps {
  url: string;
  headers: Record<string, string>;
  createSocket: CreateSocket;
  clock: Clock;
  connectTimeoutMs: number;
  handlers: ConnectionHandlers;
}

let connectionCounter = 0;

export class TtsConnection {
  readonly id = ++connectionCounter;
  readonly registry: ContextRegistry;
  readonly startedAt: number;
  openedAt?: number;
  /** Last time anything was sent on this socket (its inactivity is measured from here). */
  lastSentAt: number;
  deliveredAudio = false;
  private socket?: TtsSocket;
  private connectTimer?: TimerHandle;
  private closeTimer?: TimerHandle;
  private lastServerError?: ServerErrorPayload;
  /** Failed or disposed: nothing more is reported. */
  private finished = false;
  private socketClosed = false;
  private closed?: Promise<void>;
  private resolveClosed?: () => void;

  constructor(private readonly deps: ConnectionDeps) {
    this.registry = new ContextRegistry(deps.clock);
    this.startedAt = deps.clock.now();
    this.lastSentAt = this.startedAt;
  }

  get isOpen(): boolean {
    return !this.finished && this.openedAt !== undefined && !!this.socket?.isOpen;
  }

  start(): void {
    const { clock, connectTimeoutMs } = this.deps;
    this.connectTimer = clock.setTimeout(
      () => this.fail(new TtsError('timeout', true, 'connect_timeout', `no handshake within ${connectTimeoutMs} ms`), 'connect'),
      connectTimeoutMs,
    );
    try {
      this.socket = this.deps.createSocket(this.deps.url, this.deps.headers, {
        onOpen: () => this.onOpen(),
        onMessage: (text) => this.onMessage(text),
        onClose: (code, reason) => this.onClose(code, reason),
        onError: (error) => this.onError(error),
      });
    } catch (thrown) {
      this.fail(classifyThrown(thrown), 'connect');
    }
  }

  /** Sends one packet; false when the socket is not open (the caller keeps the work for the next socket). */
  send(payload: object): boolean {
    if (!this.isOpen || !this.socket) return false;
    this.socket.send(JSON.stringify(payload));
    this.lastSentAt = this.deps.clock.now();
    return true;
  }

  /**
   * Ends this connection without reporting it. Graceful: `close_socket`, a close frame, and a bounded
   * wait for the server's; otherwise terminate at once.
   */
  dispose(graceful: boolean): Promise<void> {
    if (this.closed) return this.closed;
    this.finished = true;
    this.deps.clock.clearTimeout(this.connectTimer);
    this.closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
    const socket = this.socket;
    if (!socket || this.socketClosed) {
      this.resolveClosed?.();
    } else if (graceful && socket.isOpen) {
      socket.send(JSON.stringify(outbound.closeSocket()));
      socket.close(1000, 'session closed');
      this.closeTimer = this.deps.clock.setTimeout(() => {
        socket.terminate();
        this.resolveClosed?.();
      }, CLOSE_HANDSHAKE_TIMEOUT_MS);
    } else {
      socket.terminate();
      this.resolveClosed?.();
    }
    return this.closed;
  }

  private onOpen(): void {
    this.deps.clock.clearTimeout(this.connectTimer);
    if (this.finished) return;
    const now = this.deps.clock.now();
    this.openedAt = now;
    this.lastSentAt = now;
    this.deps.handlers.opened(this, now - this.startedAt);
  }

  private onMessage(text: string): void {
    if (this.finished) return;
    const message = parseServerMessage(text);
    if (!message) return;
    if (message.error) this.lastServerError = message.error;
    if (message.audio) this.deliveredAudio = true;
    this.deps.handlers.message(this, message);
  }

  private onClose(code: number, reason: string): void {
    this.socketClosed = true;
    this.deps.clock.clearTimeout(this.closeTimer);
    this.resolveClosed?.();
    this.fail(classifyClose(code, reason, this.lastServerError), this.openedAt === undefined ? 'connect' : 'open');
  }

  private onError(error: Error & { statusCode?: number }): void {
    if (typeof error.statusCode === 'number') {
      this.fail(classifyHttpStatus(error.statusCode, error.message), 'connect');
    } else if (this.openedAt === undefined) {
      this.fail(classifyThrown(error), 'connect');
    }
    // On an open socket an error is always followed by 'close', which carries the code we classify.
  }

  private fail(error: TtsError, phase: ConnectionPhase): void {
    if (this.finished) return;
    this.finished = true;
    this.deps.clock.clearTimeout(this.connectTimer);
    if (!this.socketClosed) this.socket?.terminate();
    this.deps.handlers.failed(this, error, phase);
  }
}
