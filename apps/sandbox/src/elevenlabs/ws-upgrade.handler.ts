import { IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { TimerHandle } from '@app/clock';
import { ElevenLabsFaults } from './elevenlabs.faults';
import { ElevenLabsConfig } from './elevenlabs.options';
import { MultiStreamSession } from './multi-stream-input.handler';
import { parseSessionQuery } from './session-query';
import { StreamInputSession } from './stream-input.handler';
import { SessionEndpoint, WsSession } from './ws-session';

const SOCKET_PATH = /^\/v1\/text-to-speech\/([^/]+)\/(multi-stream-input|stream-input)$/;

export interface UpgradeDeps {
  config: ElevenLabsConfig;
  faults: ElevenLabsFaults;
  wss: WebSocketServer;
  /** Handshakes waiting out their latency, with their sockets (both dropped on close). */
  pending: Map<TimerHandle, Duplex>;
  nextSessionId(): string;
  register(session: WsSession): void;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Answers the upgrade request with a plain HTTP response (what a refused WebSocket client sees). */
function reject(socket: Duplex, status: number, json: unknown): void {
  const body = JSON.stringify(json);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * A WebSocket upgrade: refused when a fault says so, otherwise completed after the handshake latency
 * (the client's `open` comes that much later), recorded in the timeline under the `x-call-id` header.
 * Bad query parameters and keys are reported after the upgrade, as `{"message","error","code"}` + 1008.
 */
export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, deps: UpgradeDeps): void {
  const { config } = deps;
  socket.on('error', () => undefined);
  const url = new URL(req.url ?? '/', 'http://simulator');
  const match = SOCKET_PATH.exec(url.pathname);
  if (!match) return reject(socket, 404, { detail: 'Not Found' });
  const refusal = deps.faults.takeRefusal();
  if (refusal) {
    if (refusal.status === undefined) socket.destroy();
    else reject(socket, refusal.status, { detail: { status: 'simulated_refusal', message: 'Connection refused by fault injection.' } });
    return;
  }
  const callId = header(req, 'x-call-id');
  const record = callId ? config.timeline?.ttsConnectStarted(callId, config.clock.epochNow()) : undefined;
  const timer = config.clock.setTimeout(() => {
    deps.pending.delete(timer);
    if (socket.destroyed) return;
    deps.wss.handleUpgrade(req, socket, head, (ws) => {
      if (record) config.timeline?.ttsConnectOpened(record, config.clock.epochNow());
      const parsed = parseSessionQuery(decoded(match[1]), url.searchParams);
      const identity = {
        id: deps.nextSessionId(),
        endpoint: match[2] as SessionEndpoint,
        callId,
        turnId: header(req, 'x-turn-id'),
        headerApiKey: header(req, 'xi-api-key'),
      };
      const query = parsed.ok ? parsed.query : undefined;
      const queryError = parsed.ok ? undefined : parsed.message;
      const session =
        identity.endpoint === 'multi-stream-input'
          ? new MultiStreamSession(identity, ws, config, deps.faults, query, queryError)
          : new StreamInputSession(identity, ws, config, deps.faults, query, queryError);
      deps.register(session);
      session.start();
    });
  }, config.handshakeLatencyMs);
  deps.pending.set(timer, socket);
}
