import Telnyx from 'telnyx';
import { Publisher } from '@app/bus';
import { audioStream, message } from '@app/contracts';
import { WebhookInbox } from '../../../sandbox/src/telnyx/testing/webhook-inbox';

/**
 * The gateway's part in REST playback, stood in for by the e2e rig: Telnyx's signed
 * `call.playback.started` / `call.playback.ended` webhooks, verified with the SDK, are forwarded into
 * the call's audio stream as `telnyx.playback` entries, in the order they arrived.
 */
export class PlaybackWebhookForwarder {
  private readonly inbox: WebhookInbox;

  constructor(
    publicKeyBase64: string,
    private readonly publisher: Publisher,
  ) {
    this.inbox = new WebhookInbox(new Telnyx({ apiKey: 'rig', publicKey: publicKeyBase64 }));
    this.inbox.onEvent = (webhook) => void this.forward(webhook.event.data);
  }

  /** Starts the webhook receiver; resolves with its URL (the simulator's webhook URL). */
  start(): Promise<string> {
    return this.inbox.start();
  }

  close(): Promise<void> {
    return this.inbox.close();
  }

  private async forward(data: { event_type: string; payload: Record<string, unknown> }): Promise<void> {
    const event = data.event_type === 'call.playback.started' ? 'started' : data.event_type === 'call.playback.ended' ? 'ended' : undefined;
    if (!event) return;
    const callId = String(data.payload.call_control_id);
    const status = typeof data.payload.status === 'string' ? data.payload.status : undefined;
    await this.publisher.publish(audioStream(callId), message('telnyx.playback', { callId, event, status, at: Date.now() }));
  }
}
