import type { Clock } from '@app/clock';
import type { AppLogger } from '@app/telemetry';
import { ElevenLabsRestClient } from '../elevenlabs';
import { AudioSink, CollectingAudioSink } from './audio.publisher';
import { RestSentenceSpeaker } from './rest-sentence.speaker';
import { TurnProgress } from './turn-book';

/**
 * Batch-then-play, the seed system's way (kept as the benchmark's baseline): the turn's whole text in
 * one REST request once its last sentence arrived, all of its audio generated before any is published.
 */
export class BatchTurnSpeaker {
  constructor(
    private readonly callId: string,
    private readonly client: ElevenLabsRestClient,
    private readonly audio: AudioSink,
    private readonly clock: Clock,
    private readonly logger: AppLogger,
    private readonly isLive: (turnId: string) => boolean,
  ) {}

  sentence(progress: TurnProgress, text: string, last: boolean): void {
    if (text.trim()) progress.batchText.push(text);
    if (last) void this.speak(progress);
  }

  private async speak(progress: TurnProgress): Promise<void> {
    const { turnId } = progress;
    const collector = new CollectingAudioSink();
    const speaker = new RestSentenceSpeaker({
      callId: this.callId,
      client: this.client,
      audio: collector,
      clock: this.clock,
      onError: (error) => this.logger.error({ callId: this.callId, turnId, err: String(error) }, 'batch TTS failed'),
    });
    speaker.speak(turnId, 0, progress.batchText.join(' '), true);
    await speaker.idle();
    if (!this.isLive(turnId)) return;
    for (const out of collector.chunks) await this.audio.chunk(out);
    await this.audio.sentenceEnd(turnId, 0, collector.chunks.length, true);
    progress.lastEndPublished = true;
  }
}
