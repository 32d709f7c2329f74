import ffmpeg from 'fluent-ffmpeg';
import { PassThrough, Writable } from 'node:stream';
import { Clock, TimerHandle } from '@app/clock';
import { ConvertibleFormat } from '../audio/audio-converter';
import { Mp3EncodeError, classifyFfmpegFailure } from './mp3-encode.error';

/**
 * MPEG-1 Layer III at 48 kHz: the most widely decodable MP3 (MPEG-2.5 at 8 kHz is not universally
 * supported), an integer multiple of the phone's 8 kHz for Telnyx's resampler, and its codec delay
 * (1105 samples) is 23 ms of leading silence per sentence where 8 kHz output would add 138 ms.
 */
export const MP3_SAMPLE_RATE_HZ = 48_000;
/** The lowest MPEG-1 bitrate; phone audio has at most 4 kHz of bandwidth, and every byte is uploaded base64. */
export const MP3_BITRATE_KBPS = 32;

/** ffmpeg's demuxer and input rate for each raw format we accept (pcm = 16-bit little-endian mono). */
const INPUT_FORMATS: Readonly<Record<ConvertibleFormat, { demuxer: string; rateHz: number }>> = {
  ulaw_8000: { demuxer: 'mulaw', rateHz: 8000 },
  alaw_8000: { demuxer: 'alaw', rateHz: 8000 },
  pcm_8000: { demuxer: 's16le', rateHz: 8000 },
  pcm_16000: { demuxer: 's16le', rateHz: 16000 },
  pcm_22050: { demuxer: 's16le', rateHz: 22050 },
  pcm_24000: { demuxer: 's16le', rateHz: 24000 },
};

export interface Mp3JobOptions {
  readonly binary: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface Mp3Job {
  /** The MP3 bytes, or an Mp3EncodeError; settles at once on timeout or abort. */
  readonly mp3: Promise<Buffer>;
  /** Resolves when the ffmpeg process is gone (it may outlive a timeout by a few ms): frees its slot. */
  readonly exited: Promise<void>;
}

/**
 * One ffmpeg process: raw audio on stdin (pipe:0), MP3 on stdout (pipe:1), nothing on disk. No ID3 or
 * Xing header (a pipe cannot be seeked to fill one in), so the output is bare MP3 frames.
 */
export function runMp3Job(audio: Buffer, format: ConvertibleFormat, options: Mp3JobOptions): Mp3Job {
  let markExited!: () => void;
  const exited = new Promise<void>((resolve) => (markExited = resolve));
  const mp3 = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    // emitClose: false — fluent-ffmpeg treats the sink's 'close' as "output closed early" and kills ffmpeg.
    const sink = new Writable({
      emitClose: false,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const input = new PassThrough();
    input.end(audio);
    const { demuxer, rateHz } = INPUT_FORMATS[format];
    const command = ffmpeg()
      .setFfmpegPath(options.binary) // note: fluent-ffmpeg keeps this path process-wide
      .input(input)
      .inputFormat(demuxer)
      .inputOptions(['-hide_banner', '-nostats', '-ar', String(rateHz), '-ac', '1'])
      .audioCodec('libmp3lame')
      .audioFrequency(MP3_SAMPLE_RATE_HZ)
      .audioChannels(1)
      .audioBitrate(`${MP3_BITRATE_KBPS}k`)
      .format('mp3')
      .outputOptions(['-map_metadata', '-1', '-id3v2_version', '0', '-write_xing', '0'])
      .output(sink);

    let settled = false;
    let processDone = false;
    let sinkDone = false;
    let stoppedFor: Mp3EncodeError | undefined;
    let timer: TimerHandle | undefined;
    const settle = (error?: Mp3EncodeError): void => {
      if (settled) return;
      settled = true;
      options.clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) return reject(error);
      const out = Buffer.concat(chunks);
      if (out.length > 0) return resolve(out);
      reject(new Mp3EncodeError('process-failed', 'ffmpeg produced no MP3', { binary: options.binary }));
    };
    const stop = (error: Mp3EncodeError): void => {
      stoppedFor ??= error;
      command.kill('SIGKILL'); // no-op before the process exists; 'start' below kills it then
      settle(error);
    };
    const onAbort = (): void => stop(new Mp3EncodeError('aborted', 'encode cancelled', { cause: options.signal?.reason }));
    const finishedCleanly = (): void => {
      if (processDone && sinkDone) settle();
    };

    command.on('start', () => {
      if (stoppedFor) command.kill('SIGKILL');
    });
    command.on('end', () => {
      processDone = true;
      markExited();
      finishedCleanly();
    });
    command.on('error', (error: unknown, _stdout: string | null, stderr: string | null) => {
      markExited();
      settle(stoppedFor ?? classifyFfmpegFailure(error, options.binary, stderr));
    });
    sink.on('finish', () => {
      sinkDone = true;
      finishedCleanly();
    });

    if (options.signal?.aborted) {
      markExited();
      return settle(new Mp3EncodeError('aborted', 'encode cancelled', { cause: options.signal.reason }));
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timer = options.clock.setTimeout(
      () => stop(new Mp3EncodeError('timeout', `ffmpeg took over ${options.timeoutMs} ms`, { binary: options.binary })),
      options.timeoutMs,
    );
    try {
      command.run();
    } catch (error) {
      markExited(); // nothing was spawned
      settle(classifyFfmpegFailure(error, options.binary));
    }
  });
  return { mp3, exited };
}
