import { Controller, Get, Header, Inject } from '@nestjs/common';
import { APP_METRICS, AppMetrics, METRICS_CONTENT_TYPE } from '@app/telemetry';

/** `GET /metrics`: the process's metrics in the Prometheus text format, collected at scrape time. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(APP_METRICS) private readonly metrics: AppMetrics) {}

  @Get()
  @Header('Content-Type', METRICS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
