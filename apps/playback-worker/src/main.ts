import 'reflect-metadata';
import { CONTROL_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { PlaybackWorkerModule } from './app.module';

export const playbackWorkerApp: AppBootstrapOptions = {
  app: 'playback-worker',
  module: (runtime) => PlaybackWorkerModule.forRuntime(runtime),
  port: (runtime) => runtime.config.PLAYBACK_PORT,
  // Calls' audio streams are added as Telnyx connects them (CallPlaybackRegistry).
  streams: () => [{ stream: CONTROL_STREAM, startId: '$' }],
};

if (require.main === module) runApp(playbackWorkerApp);
