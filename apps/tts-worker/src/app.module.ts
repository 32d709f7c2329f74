import { DynamicModule, Inject, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { ReadinessProbe } from './readiness.probe';
import { SessionRebuilder } from './sessions/session-rebuilder';
import { SpeechSessionRegistry } from './sessions/speech-session.registry';
import { TtsConsumer } from './sessions/tts.consumer';
import { ShardGate } from './sharding/shard-gate';
import { ShardOwnershipService } from './sharding/shard-ownership.service';
import { TTS_WORKER_SETTINGS, loadTtsWorkerSettings } from './tts-worker.settings';

@Module({})
export class TtsWorkerModule {
  /** Not ready while the worker holds no shard (starting, draining, or none free yet). */
  constructor(ownership: ShardOwnershipService, @Inject(ReadinessProbe) probe: ReadinessProbe) {
    probe.use(() => ownership.readinessProblem());
  }

  static forRuntime(runtime: AppRuntime): DynamicModule {
    const probe = new ReadinessProbe();
    return {
      module: TtsWorkerModule,
      imports: [CoreModule.forRuntime(runtime, [() => probe.check()])],
      controllers: [TtsConsumer],
      providers: [
        { provide: ReadinessProbe, useValue: probe },
        { provide: TTS_WORKER_SETTINGS, useValue: loadTtsWorkerSettings(runtime.config) },
        SpeechSessionRegistry,
        SessionRebuilder,
        ShardGate,
        ShardOwnershipService,
      ],
    };
  }
}
