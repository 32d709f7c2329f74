import { WebSocket } from 'ws';

/**
 * A real `ws` client for the simulator's specs: collects every server message with its arrival time
 * and exposes open / close / message waits with a bound, so a missing message fails the test instead
 * of hanging it.
 */
export type Json = Record<string, unknown>;

export interface Received {
  at: number;
  message: Json;
}

export interface CloseEvent {
  code: number;
  reason: string;
}

const DEFAULT_WAIT_MS = 3_000;

export class TestSocket {
  readonly received: Received[] = [];
  readonly startedAt = performance.now();
  readonly opened: Promise<number>;
  readonly closed: Promise<CloseEvent>;
  private readonly listeners = new Set<() => void>();

  constructor(
    url: string,
    headers: Record<string, string> = {},
    readonly ws = new WebSocket(url, { headers }),
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve(performance.now()));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      this.received.push({ at: performance.now(), message: JSON.parse(data.toString()) as Json });
      for (const listener of this.listeners) listener();
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  messages(): Json[] {
    return this.received.map((r) => r.message);
  }

  audioOf(contextId?: string, key = 'contextId'): Buffer {
    const parts = this.received
      .map((r) => r.message)
      .filter((m) => typeof m.audio === 'string' && (contextId === undefined || m[key] === contextId))
      .map((m) => Buffer.from(m.audio as string, 'base64'));
    return Buffer.concat(parts);
  }

  /** The first received message (already here or still to come) that matches. */
  waitFor(predicate: (m: Json) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.received.find((r) => predicate(r.message));
        if (!hit) return false;
        this.listeners.delete(check as () => void);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check as () => void);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages()).slice(0, 500)}`));
      }, timeoutMs);
      if (!check()) this.listeners.add(check as () => void);
    });
  }

  waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseEvent> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<CloseEvent>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.ws.terminate();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
