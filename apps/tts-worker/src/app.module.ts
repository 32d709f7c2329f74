import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { SpeechSessionRegistry } from './sessions/speech-session.registry';
import { TtsConsumer } from './sessions/tts.consumer';
import { ShardOwnershipService } from './sharding/shard-ownership.service';

@Module({})
export class TtsWorkerModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: TtsWorkerModule,
      imports: [CoreModule.forRuntime(runtime)],
      controllers: [TtsConsumer],
      providers: [SpeechSessionRegistry, ShardOwnershipService],
    };
  }
}
