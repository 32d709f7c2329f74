import { AgentConfig, AppConfig, toWebSocketUrl } from '@app/config';
import { signMediaToken } from '@app/contracts';
import { AnswerBody } from '@app/telnyx';

/** The media WebSocket path Telnyx connects to on the playback-workers. */
export const MEDIA_STREAM_PATH = '/media';

export function mediaStreamUrl(config: AppConfig, callId: string): string {
  const base = config.MEDIA_PUBLIC_URL ?? (config.PUBLIC_URL ? toWebSocketUrl(config.PUBLIC_URL) : `ws://127.0.0.1:${config.PLAYBACK_PORT}`);
  const token = signMediaToken(callId, config.MEDIA_TOKEN_SECRET);
  return `${base.replace(/\/$/, '')}${MEDIA_STREAM_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * Answer with everything the call needs in one request: bidirectional media streaming in rtp mode
 * (without `stream_bidirectional_mode: rtp` the audio we send is dropped) and transcription, so no
 * second round trip delays the greeting. An agent set to REST playback is answered without streaming.
 */
export function buildAnswerRequest(config: AppConfig, agent: AgentConfig, callId: string): AnswerBody {
  const transcription = {
    transcription: true,
    transcription_config: {
      transcription_engine: agent.transcription.engine,
      transcription_tracks: 'inbound',
      transcription_engine_config: {
        language: agent.transcription.language,
        interim_results: agent.transcription.interimResults,
      },
    },
  } as Pick<AnswerBody, 'transcription' | 'transcription_config'>;
  if (agent.playback.mode === 'rest') return { ...transcription };
  return {
    ...transcription,
    stream_url: mediaStreamUrl(config, callId),
    stream_track: 'inbound_track',
    stream_bidirectional_mode: 'rtp',
    stream_bidirectional_codec: agent.playback.codec,
  };
}
