/**
 * The `output_format` values ElevenLabs documents (the enum of the OpenAPI / AsyncAPI specs), read as
 * codec + sample rate (+ bitrate): `codec_sampleRate[_bitrateKbps]`. PCM is 16-bit little-endian mono
 * ("PCM format (S16LE)" in the WebSocket reference); μ-law and A-law are 8 kHz, one byte per sample.
 */
export type AudioCodecKind = 'ulaw' | 'alaw' | 'pcm' | 'mp3' | 'opus';

export interface OutputFormat {
  name: string;
  codec: AudioCodecKind;
  sampleRate: number;
  bitrateKbps?: number;
}

export const DOCUMENTED_OUTPUT_FORMATS: readonly string[] = [
  'mp3_22050_32',
  'mp3_44100_32',
  'mp3_44100_64',
  'mp3_44100_96',
  'mp3_44100_128',
  'mp3_44100_192',
  'pcm_8000',
  'pcm_16000',
  'pcm_22050',
  'pcm_24000',
  'pcm_44100',
  'pcm_48000',
  'ulaw_8000',
  'alaw_8000',
  'opus_48000_32',
  'opus_48000_64',
  'opus_48000_96',
  'opus_48000_128',
  'opus_48000_192',
];

/** A documented format, parsed; undefined for anything the service would reject. */
export function parseOutputFormat(name: string): OutputFormat | undefined {
  if (!DOCUMENTED_OUTPUT_FORMATS.includes(name)) return undefined;
  const [codec, rate, bitrate] = name.split('_');
  return {
    name,
    codec: codec as AudioCodecKind,
    sampleRate: Number(rate),
    bitrateKbps: bitrate === undefined ? undefined : Number(bitrate),
  };
}

/**
 * Whether the simulator can produce this format. Opus needs a real encoder and an Ogg/raw framing
 * decision we cannot check against the service, so it is refused with a clear error instead of faked.
 */
export function isSimulatedFormat(format: OutputFormat): boolean {
  return format.codec !== 'opus';
}

/** MIME type of a REST response body; the OpenAPI spec documents `audio/mpeg` (mp3) only. */
export function contentTypeOf(format: OutputFormat): string {
  switch (format.codec) {
    case 'mp3':
      return 'audio/mpeg';
    case 'ulaw':
      return 'audio/basic';
    default:
      return 'application/octet-stream';
  }
}
