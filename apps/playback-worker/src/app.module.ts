import { DynamicModule, Module } from '@nestjs/common';
import { AppRuntime, CoreModule } from '@app/core';
import { CallPlaybackRegistry } from './calls/call-playback.registry';
import { DrainState } from './calls/drain-state';
import { PlaybackClaims } from './calls/playback-claims';
import { PlaybackConsumer } from './calls/playback.consumer';
import { PlaybackDrain } from './calls/playback-drain';
import { PlaybackPacer } from './calls/playback-pacer';
import { PlaybackReporter } from './calls/playback-reporter';
import { RestPlaybackFactory } from './calls/rest-playback.factory';
import { StreamingPlaybackFactory } from './calls/streaming-playback.factory';
import { MediaSocketServer } from './media/media-socket.server';

@Module({})
export class PlaybackWorkerModule {
  static forRuntime(runtime: AppRuntime): DynamicModule {
    // One per process: the drain flips it, the media server and the readiness check read it.
    const drain = new DrainState();
    return {
      module: PlaybackWorkerModule,
      imports: [CoreModule.forRuntime(runtime, [drain.readiness])],
      controllers: [PlaybackConsumer],
      providers: [
        { provide: DrainState, useValue: drain },
        PlaybackReporter,
        PlaybackClaims,
        PlaybackPacer,
        StreamingPlaybackFactory,
        RestPlaybackFactory,
        CallPlaybackRegistry,
        MediaSocketServer,
        PlaybackDrain,
      ],
    };
  }
}
