import ffmpeg from 'fluent-ffmpeg';
import { Clock } from '@app/clock';
import { ConvertibleFormat, isConvertibleFormat } from '../audio/audio-converter';
import { ConcurrencyLimit } from './concurrency-limit';
import { FfmpegBinary, isExecutableFile, resolveFfmpegBinary } from './ffmpeg-binary';
import { runMp3Job } from './ffmpeg-mp3.job';
import { Mp3EncodeError, classifyFfmpegFailure } from './mp3-encode.error';
import { Mp3Encoding } from './rest-playback.ports';

/**
 * ffmpeg processes at once, per worker. A 5 s sentence takes ~60 ms end to end here (mostly process
 * start-up; 8 at once took ~260 ms with 4 slots); 4 keeps a 2-core worker's cores busy while a burst
 * (100 calls each finishing a sentence) waits in line instead of forking 100 processes that fight for
 * the same cores and make every sentence late.
 */
export const MAX_CONCURRENT_ENCODES = 4;
/**
 * One encode, from slot to MP3. A normal one takes < 200 ms; after 3 s the caller has already heard
 * that much silence, so a stuck ffmpeg is killed and the sentence reported lost rather than waited on.
 * Time waiting for a slot is not counted (barge-in / hangup abort that wait instead).
 */
export const ENCODE_TIMEOUT_MS = 3_000;
/** The only encoder and muxer we ask ffmpeg for. */
const MP3_ENCODER_NAME = 'libmp3lame';
const MP3_MUXER_NAME = 'mp3';

export interface Mp3EncoderOptions {
  readonly clock: Clock;
  /** FFMPEG_PATH, read by the app's config. */
  readonly ffmpegPath?: string;
  /** The OS PATH to search when nothing is configured and /usr/bin/ffmpeg is absent. */
  readonly searchPath?: string;
  readonly maxConcurrent?: number;
  readonly timeoutMs?: number;
}

/** Raw sentence audio → MP3 through ffmpeg, in memory, with bounded concurrency and a timeout. */
export class Mp3Encoder implements Mp3Encoding {
  readonly binary: FfmpegBinary;
  private readonly slots: ConcurrencyLimit;
  private readonly timeoutMs: number;

  constructor(private readonly options: Mp3EncoderOptions) {
    this.binary = resolveFfmpegBinary({ configured: options.ffmpegPath, searchPath: options.searchPath });
    this.slots = new ConcurrencyLimit(options.maxConcurrent ?? MAX_CONCURRENT_ENCODES);
    this.timeoutMs = options.timeoutMs ?? ENCODE_TIMEOUT_MS;
  }

  /** ffmpeg processes running now, and encodes waiting for one. */
  get load(): { readonly running: number; readonly waiting: number } {
    return { running: this.slots.running, waiting: this.slots.waiting };
  }

  async encode(audio: Buffer, format: ConvertibleFormat, signal?: AbortSignal): Promise<Buffer> {
    checkInput(audio, format);
    this.requireBinary(); // fail fast, without queueing
    let release: () => void;
    try {
      release = await this.slots.acquire(signal);
    } catch (reason) {
      throw new Mp3EncodeError('aborted', 'cancelled while waiting for an encoder slot', { cause: reason });
    }
    let binary: string;
    try {
      binary = this.requireBinary(); // again: the wait may have been long
    } catch (error) {
      release();
      throw error;
    }
    const job = runMp3Job(audio, format, { binary, clock: this.options.clock, timeoutMs: this.timeoutMs, signal });
    void job.exited.then(release); // the slot is held until the process is really gone, even after a timeout
    return job.mp3;
  }

  /**
   * Startup check: the binary runs, can write MP3 and has libmp3lame. Also fills fluent-ffmpeg's
   * process-wide capability cache, which every encode otherwise fills on first use (two extra spawns).
   */
  async verify(): Promise<void> {
    const binary = this.requireBinary();
    const ask = <T>(query: (command: ffmpeg.FfmpegCommand, done: (error: Error, found: T) => void) => void) =>
      new Promise<T>((resolve, reject) => query(ffmpeg().setFfmpegPath(binary), (error, found) => (error ? reject(error) : resolve(found))));
    try {
      const formats = await ask<ffmpeg.Formats>((command, done) => command.getAvailableFormats(done));
      const encoders = await ask<ffmpeg.Encoders>((command, done) => command.getAvailableEncoders(done));
      if (!formats[MP3_MUXER_NAME]?.canMux || !encoders[MP3_ENCODER_NAME]) {
        throw new Mp3EncodeError('codec-missing', `${binary} cannot write ${MP3_MUXER_NAME} with ${MP3_ENCODER_NAME}`, { binary });
      }
    } catch (error) {
      throw classifyFfmpegFailure(error, binary);
    }
  }

  /**
   * The binary, checked again on every call (a stat, microseconds): fluent-ffmpeg 2.1.3 throws an
   * uncaught TypeError instead of emitting 'error' when the spawn itself fails after its capability
   * cache is warm (upstream issue #1316), so a binary removed at runtime must never reach its spawn.
   */
  private requireBinary(): string {
    if (!this.binary.found) throw new Mp3EncodeError('binary-missing', this.binary.reason);
    if (!isExecutableFile(this.binary.path)) {
      throw new Mp3EncodeError('binary-missing', `ffmpeg at ${this.binary.path} is gone or not executable`, { binary: this.binary.path });
    }
    return this.binary.path;
  }
}

function checkInput(audio: Buffer, format: string): void {
  if (!isConvertibleFormat(format)) throw new Mp3EncodeError('invalid-input', `unsupported format ${format}`);
  if (audio.length === 0) throw new Mp3EncodeError('invalid-input', 'no audio');
  if (format.startsWith('pcm_') && audio.length % 2 !== 0) throw new Mp3EncodeError('invalid-input', 'odd byte count for 16-bit PCM');
}
