import { AgentConfig, AppConfig, toWebSocketUrl } from '@app/config';
import { signMediaToken } from '@app/contracts';
import { AnswerBody, DialBody } from '@app/telnyx';
import { StartStreamingBody } from '../telnyx/streaming-start.command';

/** The media WebSocket path Telnyx connects to on the playback-workers. */
export const MEDIA_STREAM_PATH = '/media';

export function mediaStreamUrl(config: AppConfig, callId: string): string {
  const base = config.MEDIA_PUBLIC_URL ?? (config.PUBLIC_URL ? toWebSocketUrl(config.PUBLIC_URL) : `ws://127.0.0.1:${config.PLAYBACK_PORT}`);
  const token = signMediaToken(callId, config.MEDIA_TOKEN_SECRET);
  return `${base.replace(/\/$/, '')}${MEDIA_STREAM_PATH}?token=${encodeURIComponent(token)}`;
}

type TranscriptionOptions = Pick<AnswerBody, 'transcription' | 'transcription_config'>;

/** Transcription of the caller's side (inbound) with the agent's engine, language and interim results. */
export function transcriptionOptions(agent: AgentConfig): TranscriptionOptions {
  return {
    transcription: true,
    transcription_config: {
      transcription_engine: agent.transcription.engine,
      transcription_tracks: 'inbound',
      transcription_engine_config: {
        language: agent.transcription.language,
        interim_results: agent.transcription.interimResults,
      },
    },
  } as TranscriptionOptions;
}

/**
 * Bidirectional media streaming to the playback-workers: `stream_bidirectional_mode: rtp` (without it
 * the audio we send is dropped), the agent's codec, and a per-call token in the URL, so only Telnyx,
 * for this call, can attach to it.
 */
export function streamingOptions(config: AppConfig, agent: AgentConfig, callId: string): StartStreamingBody {
  return {
    stream_url: mediaStreamUrl(config, callId),
    stream_track: 'inbound_track',
    stream_bidirectional_mode: 'rtp',
    stream_bidirectional_codec: agent.playback.codec,
  };
}

/**
 * Answer with everything the call needs in one request: media streaming and transcription, so no
 * second round trip delays the greeting. An agent set to REST playback is answered without streaming.
 */
export function buildAnswerRequest(config: AppConfig, agent: AgentConfig, callId: string): AnswerBody {
  if (agent.playback.mode === 'rest') return transcriptionOptions(agent);
  return { ...transcriptionOptions(agent), ...(streamingOptions(config, agent, callId) as Partial<AnswerBody>) };
}

export interface DialTarget {
  to: string;
  from: string;
  connectionId: string;
  clientState: string;
  commandId: string;
}

/**
 * Dial with transcription from the moment the far end answers. No `stream_url` here: its token is
 * bound to the call_control_id, which only the dial's response tells; streaming is started with
 * `streaming_start` on `call.answered` instead (the callee speaks first on an outbound call anyway).
 */
export function buildDialRequest(agent: AgentConfig, target: DialTarget): DialBody {
  return {
    connection_id: target.connectionId,
    to: target.to,
    from: target.from,
    client_state: target.clientState,
    command_id: target.commandId,
    ...(transcriptionOptions(agent) as Partial<DialBody>),
  };
}
