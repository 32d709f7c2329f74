import 'reflect-metadata';
import { CONTROL_STREAM, GROUPS, PLAYBACK_EVENTS_STREAM, TURNS_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { LlmWorkerModule } from './app.module';

export const llmWorkerApp: AppBootstrapOptions = {
  app: 'llm-worker',
  module: (runtime) => LlmWorkerModule.forRuntime(runtime),
  port: (runtime) => runtime.config.LLM_HEALTH_PORT,
  streams: () => [
    { stream: TURNS_STREAM, group: GROUPS.llm },
    { stream: PLAYBACK_EVENTS_STREAM, group: GROUPS.llm, onUnhandled: 'ack' },
    { stream: CONTROL_STREAM, startId: '$' },
  ],
};

if (require.main === module) runApp(llmWorkerApp);
