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

/**
 * Publishes a call's audio the moment it arrives, stamped with the shard lease's fencing token so the
 * playback-worker can drop audio from an owner that has been replaced.
 */
export class CallAudioPublisher {
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
