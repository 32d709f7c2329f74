import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import Telnyx from 'telnyx';

/**
 * The receiving end of the simulator's webhooks in tests, standing in for the call-gateway: every
 * POST is verified with the official SDK (`client.webhooks.unwrap`, Ed25519 since telnyx 7.19) before
 * it is kept. `respond` picks the status per request (to test retries).
 */
export interface ReceivedWebhook {
  rawBody: string;
  headers: IncomingHttpHeaders;
  event: { data: { id: string; event_type: string; payload: Record<string, any> }; meta: { attempt: number; delivered_to: string } };
}

export class WebhookInbox {
  readonly received: ReceivedWebhook[] = [];
  readonly rejected: string[] = [];
  respond: (index: number) => number = () => 200;
  onEvent: (webhook: ReceivedWebhook) => void = () => undefined;
  private server?: Server;
  private requests = 0;

  constructor(private readonly client: Telnyx) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const status = this.respond(this.requests++);
        try {
          const event = (await this.client.webhooks.unwrap(rawBody, { headers: req.headers as Record<string, string> })) as unknown as ReceivedWebhook['event'];
          if (status >= 200 && status < 300) {
            const webhook = { rawBody, headers: req.headers, event };
            this.received.push(webhook);
            this.onEvent(webhook);
          }
        } catch (error) {
          this.rejected.push(String(error));
        }
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/webhooks`;
  }

  types(callId?: string): string[] {
    return this.received.filter((w) => !callId || w.event.data.payload.call_control_id === callId).map((w) => w.event.data.event_type);
  }

  find(type: string, callId?: string): ReceivedWebhook | undefined {
    return this.received.find((w) => w.event.data.event_type === type && (!callId || w.event.data.payload.call_control_id === callId));
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
