import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TurnMetricsMessage } from '@app/contracts';
import { AppLogger, AppMetrics, APP_METRICS, logFirstAudioStarted, turnLatencies } from '@app/telemetry';
import { LOGGER } from '@app/core';

/** Every finished turn's waterfall entry becomes histogram observations and the seed system's log marker. */
@Controller()
export class TurnMetricsConsumer {
  constructor(
    @Inject(APP_METRICS) private readonly metrics: AppMetrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  @EventPattern('turn.metrics')
  onTurnMetrics(@Payload() entry: TurnMetricsMessage): void {
    if (entry.cancelled) return;
    const latencies = turnLatencies(entry);
    if (latencies.firstAudioMs === undefined) return;
    this.metrics.observeFirstAudio(latencies.firstAudioMs);
    if (latencies.overheadMs !== undefined) this.metrics.observeOverhead(latencies.overheadMs);
    logFirstAudioStarted(this.logger, entry.callId, entry.turnId, latencies.firstAudioMs);
  }
}
