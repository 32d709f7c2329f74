import 'reflect-metadata';
import { CONTROL_STREAM, GROUPS, PLAYBACK_REST_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { PlaybackWorkerModule } from './app.module';
import { DRAIN_MAX_MS, SHUTDOWN_AFTER_DRAIN_MS } from './calls/drain-calls';

export const playbackWorkerApp: AppBootstrapOptions = {
  app: 'playback-worker',
  module: (runtime) => PlaybackWorkerModule.forRuntime(runtime),
  port: (runtime) => runtime.config.PLAYBACK_PORT,
  // Calls in progress keep their paced audio through a SIGTERM: the process may take the whole drain.
  shutdownTimeoutMs: DRAIN_MAX_MS + SHUTDOWN_AFTER_DRAIN_MS,
  // Calls' audio streams are added as calls are taken (CallPlaybackRegistry): a media stream reaching
  // this instance, or a REST assignment it took from the group. Assignments for calls already ended
  // are ignored, so a group created late may start from the stream's history.
  streams: () => [
    { stream: CONTROL_STREAM, startId: '$' },
    { stream: PLAYBACK_REST_STREAM, group: GROUPS.playback, startId: '0' },
  ],
};

if (require.main === module) runApp(playbackWorkerApp);
