import 'reflect-metadata';
import { CONTROL_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { TtsWorkerModule } from './app.module';

export const ttsWorkerApp: AppBootstrapOptions = {
  app: 'tts-worker',
  module: (runtime) => TtsWorkerModule.forRuntime(runtime),
  port: (runtime) => runtime.config.TTS_HEALTH_PORT,
  // Shard streams are added and removed as leases move (ShardOwnershipService).
  streams: () => [{ stream: CONTROL_STREAM, startId: '$' }],
};

if (require.main === module) runApp(ttsWorkerApp);
