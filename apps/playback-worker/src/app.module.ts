import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { CallPlaybackRegistry } from './calls/call-playback.registry';
import { PlaybackConsumer } from './calls/playback.consumer';
import { PlaybackReporter } from './calls/playback-reporter';
import { MediaSocketServer } from './media/media-socket.server';

@Module({})
export class PlaybackWorkerModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    return {
      module: PlaybackWorkerModule,
      imports: [CoreModule.forRuntime(runtime)],
      controllers: [PlaybackConsumer],
      providers: [CallPlaybackRegistry, PlaybackReporter, MediaSocketServer],
    };
  }
}
