import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FakeClock, TimerHandle } from '@app/clock';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A fake ElevenLabs multi-stream-input endpoint on a loopback port, strict where the real service is
 * (providers.md): at most five live contexts (a sixth: error + 1008 max_active_conversations), a
 * keepalive for a context never opened is a violation, 20 s per-context idle and `inactivity_timeout`
 * socket idle (on the test's FakeClock) close with 1008 and the idle reason text. By default each
 * flushed sentence is answered with audio whose bytes ARE its text pieces, so tests can check which
 * sentence each chunk was attributed to.
 */
export type Json = Record<string, unknown>;

export interface FakeOptions {
  /** Answer each flushed sentence with audio (otherwise the test sends it). */
  autoAudio: boolean;
  chunksPerSentence: number;
  spelling: 'camel' | 'snake';
  alignment: 'alignment' | 'normalized' | 'none';
  /** Send isFinal on close_context (else closed contexts stay live until the socket ends). */
  finalOnClose: boolean;
  /** Refuse this many upgrades with HTTP 503. */
  refuseUpgrades: number;
}

export interface FakeContext {
  state: 'open' | 'closing';
  lastMessageAt: number;
}

export interface FakeSocket {
  index: number;
  url: URL;
  headers: IncomingHttpHeaders;
  received: Json[];
  contexts: Map<string, FakeContext>;
  maxLive: number;
  lastMessageAt: number;
  closed?: { code: number; reason: string; by: 'server' | 'client' };
  ws: WebSocket;
}

export const IDLE_REASON = 'Have not received a new text input within the timeout';

export class FakeElevenLabs {
  readonly sockets: FakeSocket[] = [];
  readonly violations: string[] = [];
  refused = 0;
  options: FakeOptions;
  private server?: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly timers = new Map<FakeSocket, TimerHandle>();

  constructor(
    private readonly clock: FakeClock,
    options: Partial<FakeOptions> = {},
  ) {
    this.options = { autoAudio: true, chunksPerSentence: 2, spelling: 'camel', alignment: 'alignment', finalOnClose: true, refuseUpgrades: 0, ...options };
  }

  async start(): Promise<string> {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket: Duplex, head) => {
      if (this.options.refuseUpgrades > 0) {
        this.options.refuseUpgrades--;
        this.refused++;
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\nConnection: close\r\n\r\nsystem_busy');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, new URL(req.url ?? '/', 'http://fake'), req.headers));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) if (!s.closed) s.ws.terminate();
    for (const t of this.timers.values()) this.clock.clearInterval(t);
    this.timers.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  get last(): FakeSocket {
    return this.sockets[this.sockets.length - 1];
  }

  /** Live (open or closing) contexts of a socket, as the service counts them. */
  live(socket: FakeSocket): string[] {
    return [...socket.contexts.keys()];
  }

  /** Sends `text` as `chunks` audio messages whose bytes and alignment are consecutive pieces of it. */
  sendAudio(socket: FakeSocket, contextId: string, text: string, chunks = this.options.chunksPerSentence): void {
    for (const piece of splitText(text, chunks)) {
      const message: Json = { audio: Buffer.from(piece).toString('base64'), [this.key('contextId')]: contextId };
      const alignment = { chars: [...piece], charStartTimesMs: [...piece].map((_, i) => i * 60), charsDurationsMs: [...piece].map(() => 60) };
      if (this.options.alignment === 'alignment') Object.assign(message, { alignment, normalizedAlignment: alignment });
      if (this.options.alignment === 'normalized') Object.assign(message, { alignment: null, normalizedAlignment: alignment });
      this.send(socket, message);
    }
  }

  sendFinal(socket: FakeSocket, contextId: string): void {
    socket.contexts.delete(contextId);
    this.send(socket, { [this.key('contextId')]: contextId, [this.key('isFinal')]: true });
  }

  send(socket: FakeSocket, message: Json): void {
    if (!socket.closed) socket.ws.send(JSON.stringify(message));
  }

  /** Closes from the server side, like the service does after an error message. */
  close(socket: FakeSocket, code: number, reason: string, error?: Json): void {
    if (socket.closed) return;
    if (error) this.send(socket, error);
    socket.closed = { code, reason, by: 'server' };
    if (code === 1006) socket.ws.terminate();
    else socket.ws.close(code, reason);
  }

  /** Messages of a socket, without keepalives unless asked. */
  packets(socket: FakeSocket, withKeepalives = false): Json[] {
    return socket.received.filter((m) => withKeepalives || !(m.text === '' && !m.close_context));
  }

  private key(name: 'contextId' | 'isFinal'): string {
    if (this.options.spelling === 'camel') return name;
    return name === 'contextId' ? 'context_id' : 'is_final';
  }

  private accept(ws: WebSocket, url: URL, headers: IncomingHttpHeaders): void {
    const now = this.clock.now();
    const socket: FakeSocket = { index: this.sockets.length, url, headers, received: [], contexts: new Map(), maxLive: 0, lastMessageAt: now, ws };
    this.sockets.push(socket);
    ws.on('message', (raw) => this.onMessage(socket, JSON.parse(raw.toString()) as Json));
    ws.on('close', (code, reason) => {
      socket.closed ??= { code, reason: reason.toString(), by: 'client' };
      this.clock.clearInterval(this.timers.get(socket));
      this.timers.delete(socket);
    });
    this.timers.set(socket, this.clock.setInterval(() => this.checkIdle(socket), 1000));
  }

  private checkIdle(socket: FakeSocket): void {
    const now = this.clock.now();
    const inactivityMs = Number(socket.url.searchParams.get('inactivity_timeout') ?? 20) * 1000;
    const idleContext = [...socket.contexts.values()].some((c) => c.state === 'open' && now - c.lastMessageAt >= 20_000);
    if (now - socket.lastMessageAt >= inactivityMs || idleContext) {
      this.close(socket, 1008, IDLE_REASON, { message: `${IDLE_REASON} of 20 seconds`, error: 'input_timeout_exceeded', code: 1008 });
    }
  }

  private onMessage(socket: FakeSocket, message: Json): void {
    const now = this.clock.now();
    socket.received.push(message);
    socket.lastMessageAt = now;
    if (message.close_socket === true) return this.close(socket, 1000, 'close_socket');
    const id = message.context_id as string;
    if (message.close_context === true) {
      const context = socket.contexts.get(id);
      if (!context) return void this.violations.push(`close_context for unknown context ${id}`);
      context.state = 'closing';
      if (this.options.finalOnClose) this.sendFinal(socket, id);
      return;
    }
    if (typeof message.text !== 'string') return void this.violations.push(`unexpected message ${JSON.stringify(message)}`);
    let context = socket.contexts.get(id);
    if (!context) {
      if (message.text === '') {
        this.violations.push(`keepalive for unopened context ${id}`);
        return this.close(socket, 1008, 'context not initialized', { message: 'context not initialized', error: 'invalid_request', code: 1008 });
      }
      if (socket.contexts.size >= 5) {
        this.violations.push(`sixth context ${id}`);
        return this.close(socket, 1008, 'max_active_conversations', {
          message: 'Maximum simultaneous contexts per WebSocket connection exceeded (5).',
          error: 'max_active_conversations',
          code: 1008,
        });
      }
      if (!message.voice_settings) this.violations.push(`context ${id} opened without voice_settings`);
      context = { state: 'open', lastMessageAt: now };
      socket.contexts.set(id, context);
      socket.maxLive = Math.max(socket.maxLive, socket.contexts.size);
    } else if (message.voice_settings) {
      this.violations.push(`voice_settings after the first message of ${id}`);
    }
    context.lastMessageAt = now;
    if (context.state === 'closing' && message.text !== '') this.violations.push(`text after close_context on ${id}`);
    if (message.flush === true && message.text.trim() !== '' && this.options.autoAudio) this.sendAudio(socket, id, message.text);
  }
}

/** `n` consecutive pieces of `text` (character counts as even as possible). */
export function splitText(text: string, n: number): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) {
    const piece = chars.slice(Math.round((i * chars.length) / n), Math.round(((i + 1) * chars.length) / n)).join('');
    if (piece) pieces.push(piece);
  }
  return pieces;
}
