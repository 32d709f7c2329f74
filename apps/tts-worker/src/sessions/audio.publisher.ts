import { AudioFormat, audioStream, message } from '@app/contracts';
import { Clock } from '@app/clock';
import { Publisher } from '@app/bus';

/** How many audio entries a call's stream keeps: minutes of audio, far more than any turn needs. */
export const AUDIO_STREAM_MAXLEN = 5000;

export interface AudioChunkOut {
  turnId: string;
  seq: number;
  chunk: number;
  audio: Buffer;
  text?: string;
}

/** Where a call's audio goes: the bus, or (batch-then-play) a buffer until the turn's audio is complete. */
export interface AudioSink {
  chunk(out: AudioChunkOut): Promise<unknown>;
  sentenceEnd(turnId: string, seq: number, chunks: number, last: boolean): Promise<unknown>;
}

/** Collects a turn's audio (the seed system's batch-then-play, kept as the benchmark baseline). */
export class CollectingAudioSink implements AudioSink {
  readonly chunks: AudioChunkOut[] = [];
  async chunk(out: AudioChunkOut): Promise<void> {
    this.chunks.push(out);
  }
  async sentenceEnd(): Promise<void> {}
}

/**
 * Publishes a call's audio the moment it arrives, stamped with the shard lease's fencing token so the
 * playback-worker can drop audio from an owner that has been replaced.
 */
export class CallAudioPublisher implements AudioSink {
  private readonly stream: string;

  constructor(
    private readonly callId: string,
    private readonly format: AudioFormat,
    private readonly fence: () => number,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
  ) {
    this.stream = audioStream(callId);
  }

  chunk(out: AudioChunkOut): Promise<string> {
    return this.publisher.publish(
      this.stream,
      message('audio', {
        callId: this.callId,
        turnId: out.turnId,
        seq: out.seq,
        chunk: out.chunk,
        format: this.format,
        payload: out.audio.toString('base64'),
        fence: this.fence(),
        text: out.text,
        at: this.clock.epochNow(),
      }),
    );
  }

  sentenceEnd(turnId: string, seq: number, chunks: number, last: boolean): Promise<string> {
    return this.publisher.publish(
      this.stream,
      message('audio.end', { callId: this.callId, turnId, seq, chunks, last, fence: this.fence(), at: this.clock.epochNow() }),
    );
  }
}
