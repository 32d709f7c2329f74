import Telnyx from 'telnyx';
import { SystemClock } from '@app/clock';
import { WebhookInbox } from './testing/webhook-inbox';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookDeliveryOptions, WebhookEventData, WebhookSender } from './webhook.sender';
import { WebhookSigner } from './webhook.signer';

const event = (type: string, n: number): WebhookEventData => ({
  record_type: 'event',
  event_type: type,
  id: `00000000-0000-4000-8000-00000000000${n}`,
  occurred_at: '2026-01-01T00:00:00.000Z',
  payload: { call_control_id: 'v3:abc', n },
});

describe('WebhookSender and WebhookSigner', () => {
  const signer = new WebhookSigner();
  const client = new Telnyx({ apiKey: 'KEY_TEST', publicKey: signer.publicKeyBase64 });
  let inbox: WebhookInbox;
  let url: string;
  let sender: WebhookSender | undefined;

  const start = (options: Partial<WebhookDeliveryOptions> = {}, random: () => number = Math.random): WebhookSender =>
    (sender = new WebhookSender(signer, new SystemClock(), { ...DEFAULT_WEBHOOK_DELIVERY, retryDelayMs: 5, ...options }, random));

  beforeEach(async () => {
    inbox = new WebhookInbox(client);
    url = await inbox.start();
  });

  afterEach(async () => {
    sender?.close();
    sender = undefined;
    await inbox.close();
  });

  it('exposes the raw 32-byte Ed25519 public key in base64, as Mission Control shows it', () => {
    expect(Buffer.from(signer.publicKeyBase64, 'base64')).toHaveLength(32);
  });

  it('posts the Telnyx envelope signed so that the SDK verifies it', async () => {
    const sender = start();
    sender.send(url, event('call.answered', 1), 'v3:abc');
    await sender.idle();
    expect(inbox.rejected).toEqual([]);
    expect(inbox.received).toHaveLength(1);
    const { rawBody, headers, event: unwrapped } = inbox.received[0];
    expect(JSON.parse(rawBody)).toEqual({ data: event('call.answered', 1), meta: { attempt: 1, delivered_to: url } });
    expect(unwrapped.data.event_type).toBe('call.answered');
    expect(headers['telnyx-timestamp']).toMatch(/^\d{10}$/);
    expect(Buffer.from(String(headers['telnyx-signature-ed25519']), 'base64')).toHaveLength(64);
  });

  it('produces signatures the SDK rejects once the body is tampered with', async () => {
    const sender = start();
    sender.send(url, event('call.hangup', 1), 'v3:abc');
    await sender.idle();
    const { rawBody, headers } = inbox.received[0];
    const tampered = rawBody.replace('"n":1', '"n":2');
    expect(tampered).not.toBe(rawBody);
    await expect(client.webhooks.unwrap(tampered, { headers: headers as Record<string, string> })).rejects.toThrow(
      'Signature verification failed: signature does not match payload',
    );
    const otherKey = new Telnyx({ apiKey: 'KEY_TEST', publicKey: new WebhookSigner().publicKeyBase64 });
    await expect(otherKey.webhooks.unwrap(rawBody, { headers: headers as Record<string, string> })).rejects.toThrow('signature does not match');
  });

  it('retries an event answered with a non-2xx, counting meta.attempt', async () => {
    const sender = start();
    inbox.respond = (i) => (i < 2 ? 503 : 200);
    sender.send(url, event('call.initiated', 1), 'v3:abc');
    await sender.idle();
    expect(sender.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(inbox.received.map((w) => w.event.meta.attempt)).toEqual([3]);
  });

  it('gives up after maxAttempts', async () => {
    const sender = start({ maxAttempts: 2 });
    inbox.respond = () => 500;
    sender.send(url, event('call.initiated', 1), 'v3:abc');
    await sender.idle();
    expect(sender.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
  });

  it('duplicates deliveries on demand (same data.id twice)', async () => {
    const sender = start({ duplicateProbability: 1 });
    sender.send(url, event('call.answered', 1), 'v3:abc');
    await sender.idle();
    expect(inbox.received.map((w) => w.event.data.id)).toEqual([event('', 1).id, event('', 1).id]);
    expect(sender.deliveries.map((d) => d.duplicate)).toEqual([false, true]);
  });

  it('reorders deliveries on demand: a held event is overtaken by the next one', async () => {
    const sender = start({ reorderProbability: 0.5, reorderWindowMs: 20 }, () => 0.4);
    sender.send(url, event('call.initiated', 1), 'v3:abc');
    sender.send(url, event('call.answered', 2), 'v3:abc');
    sender.send(url, event('streaming.started', 3), 'v3:abc');
    await sender.idle();
    expect(inbox.types()).toEqual(['call.answered', 'call.initiated', 'streaming.started']);
  });

  it('keeps a call\'s events in order by default', async () => {
    const sender = start();
    for (const [i, type] of ['call.initiated', 'call.answered', 'streaming.started', 'call.hangup'].entries()) sender.send(url, event(type, i), 'v3:abc');
    await sender.idle();
    expect(inbox.types()).toEqual(['call.initiated', 'call.answered', 'streaming.started', 'call.hangup']);
  });
});
