import { Server, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { TimerHandle } from '@app/clock';
import { MAX_MESSAGE_BYTES } from './elevenlabs.constants';
import { ElevenLabsFaults, MidSentenceFault } from './elevenlabs.faults';
import { ElevenLabsConfig, ElevenLabsSimulatorOptions, resolveElevenLabsConfig } from './elevenlabs.options';
import { handleRestStream } from './rest-stream.handler';
import { handleUpgrade } from './ws-upgrade.handler';
import { SessionEndpoint, SessionState, WsSession } from './ws-session';

const REST_PATH = /^\/v1\/text-to-speech\/([^/]+)\/stream$/;

export interface SocketInfo {
  id: string;
  endpoint: SessionEndpoint;
  callId?: string;
  turnId?: string;
  state: SessionState;
  closeCode?: number;
  liveContexts: string[];
  /** Every message the client sent, parsed (raw string when it was not JSON), in order. */
  received: unknown[];
}

/**
 * ElevenLabs text-to-speech on a loopback HTTP server: the multi-stream-input and stream-input
 * sockets and the REST stream endpoint, with the service's latencies, limits and errors, plus a
 * fault-injection and inspection API for tests. `url` is the value for `ELEVENLABS_BASE_URL`.
 */
export class ElevenLabsSimulator {
  private readonly config: ElevenLabsConfig;
  private readonly faults = new ElevenLabsFaults();
  private readonly sessions: WsSession[] = [];
  private readonly pendingHandshakes = new Map<TimerHandle, Duplex>();
  private readonly restActive = { count: 0 };
  private server?: Server;
  private wss?: WebSocketServer;
  private sequence = 0;

  constructor(options: ElevenLabsSimulatorOptions = {}) {
    this.config = resolveElevenLabsConfig(options);
  }

  async start(): Promise<{ port: number; url: string }> {
    if (this.server) throw new Error('ElevenLabsSimulator already started');
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    const seenConnections = new WeakSet<Socket>();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://simulator');
      if (req.method === 'POST' && REST_PATH.test(url.pathname)) {
        const deps = { config: this.config, faults: this.faults, active: this.restActive, seenConnections, requestId: () => this.nextId('req') };
        void handleRestStream(req, res, url, deps).catch(() => res.destroy());
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'Not Found' }));
    });
    server.on('upgrade', (req, socket, head) =>
      handleUpgrade(req, socket, head, {
        config: this.config,
        faults: this.faults,
        wss,
        pending: this.pendingHandshakes,
        nextSessionId: () => this.nextId('ws'),
        register: (session) => this.sessions.push(session),
      }),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
    this.wss = wss;
    const port = (server.address() as AddressInfo).port;
    return { port, url: `http://${this.config.host}:${port}` };
  }

  async close(): Promise<void> {
    for (const [timer, socket] of this.pendingHandshakes) {
      this.config.clock.clearTimeout(timer);
      socket.destroy();
    }
    this.pendingHandshakes.clear();
    for (const session of this.sessions) session.terminate();
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ── fault injection ──────────────────────────────────────────────────────────────────────────

  /** The next `count` WebSocket connections are refused: HTTP `status`, or a reset TCP connection. */
  refuseNextConnections(count = 1, status?: number): void {
    this.faults.refuseConnections(count, { status });
  }

  /** The next `count` generations (any endpoint) take `extraMs` longer to their first byte. */
  slowNextFirstBytes(count: number, extraMs: number): void {
    this.faults.slowFirstByte(count, extraMs);
  }

  /** The next generation that has sent `afterChunks` chunks (and has more) drops its socket: 1006. */
  dropSocketMidSentence(afterChunks = 1): void {
    this.faults.armMidSentence({ kind: 'terminate' }, afterChunks);
  }

  /** Like dropSocketMidSentence, with a close frame instead (1011 internal error, 1012 service restart, ...). */
  closeSocketMidSentence(code: number, reason = '', afterChunks = 1): void {
    const fault: MidSentenceFault = { kind: 'close', code, reason };
    this.faults.armMidSentence(fault, afterChunks);
  }

  /** Closes every open socket now with `code` / `reason`. */
  closeAllSockets(code: number, reason = ''): void {
    for (const session of this.openSessions()) session.closeWith(code, reason);
  }

  /** Drops every open socket now (no close frame: the clients see 1006). */
  terminateAllSockets(): void {
    for (const session of this.openSessions()) session.terminate();
  }

  /** The next `count` REST calls answer 429 too_many_concurrent_requests. */
  rateLimitNextRestCalls(count = 1): void {
    this.faults.rateLimitRest(count);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  // ── inspection ───────────────────────────────────────────────────────────────────────────────

  /** Every socket accepted so far, in connection order. */
  sockets(): SocketInfo[] {
    return this.sessions.map((s) => ({
      id: s.identity.id,
      endpoint: s.identity.endpoint,
      callId: s.identity.callId,
      turnId: s.identity.turnId,
      state: s.state,
      closeCode: s.closeCode,
      liveContexts: s.liveContextIds(),
      received: [...s.received],
    }));
  }

  openSocketCount(): number {
    return this.openSessions().length;
  }

  /** Live contexts of one socket, or of all open sockets together. */
  liveContextCount(socketId?: string): number {
    const sessions = socketId === undefined ? this.openSessions() : this.sessions.filter((s) => s.identity.id === socketId);
    return sessions.reduce((n, s) => n + s.liveContextIds().length, 0);
  }

  receivedMessages(socketId: string): unknown[] {
    return [...(this.sessions.find((s) => s.identity.id === socketId)?.received ?? [])];
  }

  activeRestGenerations(): number {
    return this.restActive.count;
  }

  private openSessions(): WsSession[] {
    return this.sessions.filter((s) => s.state === 'open');
  }

  private nextId(prefix: string): string {
    return `${prefix}-${++this.sequence}`;
  }
}
