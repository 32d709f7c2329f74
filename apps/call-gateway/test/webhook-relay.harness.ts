import { KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { signWebhook } from '../../../test/support/telnyx-webhooks';

/** One webhook the simulator sent, as the relay saw it. */
export interface RelayedEvent {
  id: string;
  type: string;
  callId: string;
  body: string;
}

type Match = (event: RelayedEvent) => boolean;

/**
 * Stands between the Telnyx simulator and the gateway: every webhook the simulator sends is signed again
 * with the test's own key (the gateway trusts that key only, so the test can also sign events of its
 * own) and forwarded, and the gateway's status goes back to the simulator (which retries on failure).
 * The test can hold events (answered 200 to the simulator, kept) and release them later, to reorder,
 * and post any body again, to duplicate.
 */
export class WebhookRelay {
  readonly seen: RelayedEvent[] = [];
  readonly held: RelayedEvent[] = [];
  private readonly holds: Match[] = [];
  private server?: Server;

  constructor(
    private readonly targetUrl: () => string,
    private readonly privateKey: KeyObject,
  ) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        void this.relay(body).then(
          (status) => res.writeHead(status).end(),
          () => res.writeHead(502).end(),
        );
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telnyx`;
  }

  /** Events matching are kept instead of forwarded (until `release`). */
  hold(match: Match): void {
    this.holds.push(match);
  }

  /** Forwards the held events matching, in the order they came, and stops holding them. */
  async release(match: Match = () => true): Promise<number[]> {
    for (let i = this.holds.length - 1; i >= 0; i--) this.holds.splice(i, 1);
    const released = this.held.filter(match);
    for (const event of released) this.held.splice(this.held.indexOf(event), 1);
    const statuses: number[] = [];
    for (const event of released) statuses.push(await this.post(event.body));
    return statuses;
  }

  /** Signs `body` with the test's key, as Telnyx would, and posts it to the gateway. */
  async post(body: string): Promise<number> {
    const res = await fetch(this.targetUrl(), { method: 'POST', body, headers: signWebhook(this.privateKey, body) });
    await res.arrayBuffer();
    return res.status;
  }

  events(callId: string, type?: string): RelayedEvent[] {
    return this.seen.filter((e) => e.callId === callId && (type === undefined || e.type === type));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async relay(body: string): Promise<number> {
    const data = (JSON.parse(body) as { data: { id: string; event_type: string; payload: { call_control_id: string } } }).data;
    const event: RelayedEvent = { id: data.id, type: data.event_type, callId: data.payload.call_control_id, body };
    this.seen.push(event);
    if (this.holds.some((match) => match(event))) {
      this.held.push(event);
      return 200;
    }
    return this.post(body);
  }
}
