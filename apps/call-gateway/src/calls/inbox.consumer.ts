import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PlaybackFinishedMessage, PlaybackStartedMessage, WebhookMessage, telnyxWebhookSchema, webhookSeenKey } from '@app/contracts';
import { RedisClient } from '@app/bus';
import { AppLogger } from '@app/telemetry';
import { LOGGER, REDIS } from '@app/core';
import { CallFlowService } from './call-flow.service';
import { TurnTakingService } from './turn-taking.service';

/** Telnyx event ids are remembered this long: Telnyx re-delivers for hours, we keep a day. */
export const WEBHOOK_DEDUPE_TTL_S = 24 * 3600;

/**
 * Consumes the durable inbox (and the playback-workers' reports). An event id is marked seen only
 * after its handling succeeded: a crash mid-way leaves the entry pending, it is redelivered and
 * handled then, once; every command it sends carries the same command_id as the first attempt.
 */
@Controller()
export class InboxConsumer {
  constructor(
    private readonly flow: CallFlowService,
    private readonly turns: TurnTakingService,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  @EventPattern('webhook')
  async onWebhook(@Payload() entry: WebhookMessage): Promise<void> {
    const seenKey = webhookSeenKey(entry.eventId);
    if (await this.redis.exists(seenKey)) {
      this.logger.info({ callId: entry.callId, eventId: entry.eventId, eventType: entry.eventType }, 'duplicate webhook, ignored');
      return;
    }
    const event = telnyxWebhookSchema.parse(JSON.parse(entry.body));
    await this.flow.handle(event, entry.at);
    await this.redis.set(seenKey, '1', 'EX', WEBHOOK_DEDUPE_TTL_S);
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
