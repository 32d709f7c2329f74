import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppRuntime } from './app-runtime';
import { STREAMS_CONTROL, APP_RUNTIME, AGENTS, CLOCK, CONFIG, LOGGER, PUBLISHER, REDIS } from './tokens';
import { HealthController, READINESS_CHECKS, ReadinessCheck } from './health.controller';
import { MetricsController } from './metrics.controller';
import { APP_METRICS, TurnMarks } from '@app/telemetry';

/** Makes the process-wide providers of an AppRuntime injectable everywhere in an app. */
@Global()
@Module({})
export class CoreModule {
  static forRuntime(runtime: AppRuntime, readiness: ReadinessCheck[] = []): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: runtime.config },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: CLOCK, useValue: runtime.clock },
      { provide: AGENTS, useValue: runtime.agents },
      { provide: REDIS, useValue: runtime.redis },
      { provide: PUBLISHER, useValue: runtime.publisher },
      { provide: APP_RUNTIME, useValue: runtime },
      { provide: READINESS_CHECKS, useValue: readiness },
      { provide: STREAMS_CONTROL, useFactory: () => runtime.streams },
      { provide: APP_METRICS, useValue: runtime.metrics },
      { provide: TurnMarks, useValue: runtime.turnMarks },
    ];
    return { module: CoreModule, controllers: [HealthController, MetricsController], providers, exports: providers.map((p) => p.provide) };
  }
}
