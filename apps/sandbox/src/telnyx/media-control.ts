import { AudioCodec, codecFor, G711_SAMPLE_RATE_HZ } from './audio-codec';
import { invalidParameter, missingParameter } from './api-errors';
import { SimCall } from './call.registry';
import { MediaStreamClient, MediaStreamDeps, StreamTrack } from './media-stream.client';

/**
 * `streaming_start` / `streaming_stop` / `transcription_start` / `transcription_stop`, and the same
 * options carried by `answer` and `dial` (`stream_url`…, `transcription: true` + `transcription_config`).
 * Values are checked against the enums of the telnyx 7.24 SDK types (calls.d.ts).
 */
export const STREAM_CODECS = ['PCMU', 'PCMA', 'G722', 'OPUS', 'AMR-WB', 'L16'] as const;
export const STREAM_TRACKS: readonly StreamTrack[] = ['inbound_track', 'outbound_track', 'both_tracks'];
export const BIDIRECTIONAL_MODES = ['rtp', 'mp3'] as const;
export const BIDIRECTIONAL_SAMPLING_RATES = [8000, 16000, 22050, 24000, 48000];

export interface MediaControlOptions extends Omit<MediaStreamDeps, 'webhooks'> {
  /** Codec of the simulated caller's leg (what `start.media_format` reports unless `stream_codec` asks otherwise). */
  callerCodec: 'PCMU' | 'PCMA';
}

export class MediaControl {
  constructor(private readonly deps: MediaStreamDeps & MediaControlOptions) {}

  /** `answer` / `dial` options: stream and transcribe from the moment the call is answered. */
  applyAnswerOptions(call: SimCall, body: Record<string, unknown>): void {
    if (typeof body.stream_url === 'string' && body.stream_url !== '') this.startStreaming(call, body);
    if (body.transcription === true) this.startTranscription(call, isRecord(body.transcription_config) ? body.transcription_config : {});
  }

  /** Checks what `startStreaming` would reject, before a command takes any effect. */
  validateStreaming(body: Record<string, unknown>): void {
    if (typeof body.stream_url !== 'string' || body.stream_url === '') throw missingParameter('stream_url');
    if (!/^wss?:\/\//.test(body.stream_url)) throw invalidParameter('stream_url', 'stream_url must be a ws:// or wss:// URL');
    oneOf(body, 'stream_track', STREAM_TRACKS);
    oneOf(body, 'stream_bidirectional_mode', BIDIRECTIONAL_MODES);
    oneOf(body, 'stream_bidirectional_codec', STREAM_CODECS);
    oneOf(body, 'stream_codec', [...STREAM_CODECS, 'default']);
    oneOf(body, 'stream_bidirectional_sampling_rate', BIDIRECTIONAL_SAMPLING_RATES);
  }

  startStreaming(call: SimCall, body: Record<string, unknown>): void {
    this.validateStreaming(body);
    call.stream?.stop();
    const rate = typeof body.stream_bidirectional_sampling_rate === 'number' ? body.stream_bidirectional_sampling_rate : G711_SAMPLE_RATE_HZ;
    const outboundName = typeof body.stream_bidirectional_codec === 'string' ? body.stream_bidirectional_codec : 'PCMU';
    const inboundName = typeof body.stream_codec === 'string' && body.stream_codec !== 'default' ? body.stream_codec : this.deps.callerCodec;
    const outbound = codecFor(outboundName, rate);
    const inbound = codecFor(inboundName, rate);
    const stream = new MediaStreamClient(
      call,
      {
        url: body.stream_url as string,
        track: (body.stream_track as StreamTrack | undefined) ?? 'inbound_track',
        inboundCodec: inbound ?? (codecFor(this.deps.callerCodec) as AudioCodec),
        outboundCodec: outbound ?? (codecFor('PCMU') as AudioCodec),
        bidirectionalMode: body.stream_bidirectional_mode as 'rtp' | 'mp3' | undefined,
        authToken: typeof body.stream_auth_token === 'string' ? body.stream_auth_token : undefined,
        customParameters: customParameters(body.custom_parameters),
      },
      this.deps,
    );
    call.stream = stream;
    call.streams.push(stream);
    if (!outbound || !inbound) {
      this.deps.webhooks.streamingFailed(call, stream.streamId, stream.params.url, stream.params.track, `codec ${!outbound ? outboundName : inboundName} is not simulated`);
      stream.stop();
      return;
    }
    void stream.connect();
  }

  /** Without `stream_id` every stream of the call stops (documented). */
  stopStreaming(call: SimCall, body: Record<string, unknown>): void {
    if (typeof body.stream_id === 'string' && body.stream_id !== call.stream?.streamId) return;
    call.stream?.stop();
    call.stream = undefined;
  }

  startTranscription(call: SimCall, config: Record<string, unknown>): void {
    const engineConfig = isRecord(config.transcription_engine_config) ? config.transcription_engine_config : {};
    call.transcription = {
      active: true,
      interimResults: engineConfig.interim_results === true || config.interim_results === true,
      track: config.transcription_tracks === 'outbound' ? 'outbound' : 'inbound',
    };
  }

  stopTranscription(call: SimCall): void {
    call.transcription = { ...call.transcription, active: false };
  }

  /** Hangup: every stream sends `stop` and closes. */
  stopAll(call: SimCall): void {
    call.stream?.stop();
    call.stream = undefined;
  }
}

function oneOf(body: Record<string, unknown>, name: string, allowed: readonly unknown[]): void {
  if (body[name] !== undefined && !allowed.includes(body[name])) {
    throw invalidParameter(name, `${name} must be one of ${allowed.join(', ')}`);
  }
}

/** The command takes `[{name, value}]`; the `start` frame carries them as an object. */
function customParameters(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) if (isRecord(item) && typeof item.name === 'string') out[item.name] = String(item.value ?? '');
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
