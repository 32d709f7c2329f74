import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_INBOX_STREAM, isHandledTelnyxEvent, message, telnyxWebhookSchema } from '@app/contracts';
import { Clock } from '@app/clock';
import { AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { Publisher } from '@app/bus';
import { CLOCK, CONFIG, LOGGER, PUBLISHER } from '@app/core';
import { WebhookSignatureError, WebhookSignatureVerifier } from './webhook-signature.verifier';

export type IntakeResult =
  | { status: 200; outcome: 'stored' | 'ignored' }
  | { status: 400 | 401; outcome: 'rejected'; reason: string };

/**
 * The only door from the internet. Order matters: signature over the raw bytes first, then JSON, then
 * shape; the event reaches the durable inbox before we answer 2xx, so a crash after the answer loses
 * nothing (Telnyx would re-deliver a request we never answered).
 */
@Injectable()
export class WebhookIntakeService {
  private readonly verifier?: WebhookSignatureVerifier;
  readonly counters = { stored: 0, ignored: 0, rejected: 0 };

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PUBLISHER) private readonly publisher: Publisher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    if (config.WEBHOOK_SIGNATURE_CHECK) {
      if (!config.TELNYX_PUBLIC_KEY) {
        throw new Error('config: TELNYX_PUBLIC_KEY is required while WEBHOOK_SIGNATURE_CHECK is on');
      }
      this.verifier = new WebhookSignatureVerifier(config.TELNYX_PUBLIC_KEY, config.WEBHOOK_TOLERANCE_S, clock);
    } else {
      logger.warn({ setting: 'WEBHOOK_SIGNATURE_CHECK' }, 'WEBHOOK SIGNATURES ARE NOT CHECKED: anyone can drive calls');
    }
  }

  async accept(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<IntakeResult> {
    const receivedAt = this.clock.epochNow();
    if (this.verifier) {
      try {
        this.verifier.verify(rawBody, headers);
      } catch (error) {
        const reason = error instanceof WebhookSignatureError ? error.reason : 'bad-signature';
        return this.reject(401, reason);
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return this.reject(400, 'invalid-json');
    }
    const parsed = telnyxWebhookSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.reject(400, `not-a-telnyx-event: ${issue.path.join('.')}: ${issue.message}`);
    }
    const { event_type: eventType, id: eventId, payload } = parsed.data.data;
    if (!isHandledTelnyxEvent(eventType)) {
      this.counters.ignored++;
      this.logger.debug({ eventType, eventId }, 'webhook event type not handled, ignored');
      return { status: 200, outcome: 'ignored' };
    }
    await this.publisher.publish(
      GATEWAY_INBOX_STREAM,
      message('webhook', { eventId, callId: payload.call_control_id, eventType, body: rawBody.toString('utf8'), at: receivedAt }),
    );
    this.counters.stored++;
    return { status: 200, outcome: 'stored' };
  }

  private reject(status: 400 | 401, reason: string): IntakeResult {
    this.counters.rejected++;
    this.logger.warn({ status, reason }, 'webhook rejected');
    return { status, outcome: 'rejected', reason };
  }
}
