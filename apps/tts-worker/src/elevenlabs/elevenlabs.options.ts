import type { Clock } from '@app/clock';
import type { AgentConfig } from '@app/config';
import type { RestTtsClientOptions } from './rest-tts.client';
import type { ElevenLabsSessionOptions, TtsLogger } from './tts-session.types';

/**
 * An agent's `tts` settings (validated once at start, libs/config agents.ts) turned into the options of
 * the socket session and of the REST fallback. The caller resolves the base URL (agent's, else
 * ELEVENLABS_BASE_URL) and the key (the variable the agent names in `apiKeyEnv`).
 */
export interface ElevenLabsRuntime {
  callId: string;
  baseUrl: string;
  apiKey: string;
  clock: Clock;
  logger: TtsLogger;
}

export function sessionOptionsFromAgent(tts: AgentConfig['tts'], runtime: ElevenLabsRuntime): ElevenLabsSessionOptions {
  return {
    ...runtime,
    voiceId: tts.voiceId,
    modelId: tts.modelId,
    outputFormat: tts.outputFormat,
    voiceSettings: tts.voiceSettings,
    inactivityTimeoutS: tts.inactivityTimeoutS,
    autoMode: tts.autoMode,
  };
}

export function restOptionsFromAgent(tts: AgentConfig['tts'], runtime: Omit<ElevenLabsRuntime, 'callId'>): RestTtsClientOptions {
  return {
    ...runtime,
    voiceId: tts.voiceId,
    modelId: tts.modelId,
    outputFormat: tts.outputFormat,
    voiceSettings: tts.voiceSettings,
  };
}
