import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { PlaybackFinishedMessage, PlaybackStartedMessage, WebhookMessage, telnyxWebhookSchema } from '@app/contracts';
import { StreamContext } from '@app/bus';
import { AppLogger } from '@app/telemetry';
import { LOGGER } from '@app/core';
import { CallFlowService } from './call-flow.service';
import { TurnTakingService } from './turn-taking.service';
import { WebhookDedupeStore } from './webhook-dedupe.store';

/**
 * Consumes the durable inbox (and the playback-workers' reports). An entry is acked only after its
 * handling succeeded: a crash mid-way leaves it pending, it is redelivered and handled then, and every
 * command it sends carries the same command_id as the first attempt, so Telnyx acts once.
 */
@Controller()
export class InboxConsumer {
  readonly counters = { handled: 0, duplicates: 0, retried: 0 };

  constructor(
    private readonly flow: CallFlowService,
    private readonly turns: TurnTakingService,
    private readonly dedupe: WebhookDedupeStore,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  @EventPattern('webhook')
  async onWebhook(@Payload() entry: WebhookMessage, @Ctx() context: StreamContext): Promise<void> {
    const fields = { callId: entry.callId, eventId: entry.eventId, eventType: entry.eventType };
    const claim = await this.dedupe.claim(entry.eventId, context.getId());
    if (claim === 'duplicate') {
      this.counters.duplicates++;
      this.logger.info(fields, 'duplicate webhook, ignored');
      return;
    }
    if (claim === 'retry') {
      this.counters.retried++;
      this.logger.warn({ ...fields, deliveries: context.getDeliveries() }, 'webhook handled again after an unfinished attempt');
    }
    const event = telnyxWebhookSchema.parse(JSON.parse(entry.body));
    await this.flow.handle(event, entry.at);
    this.counters.handled++;
  }

  @EventPattern('playback.started')
  onPlaybackStarted(@Payload() event: PlaybackStartedMessage): Promise<void> {
    return this.turns.onPlaybackStarted(event.callId, event.turnId);
  }

  @EventPattern('playback.finished')
  onPlaybackFinished(@Payload() event: PlaybackFinishedMessage): Promise<void> {
    return this.turns.onPlaybackFinished(event.callId, event.turnId);
  }
}
