import { ElevenLabsRestClient } from '../elevenlabs';
import { AudioSink } from './audio.publisher';

interface SentenceJob {
  turnId: string;
  seq: number;
  text: string;
  last: boolean;
  /**
   * What the socket already published of this sentence before a fallback: its first `skipBytes` bytes
   * in `firstChunk` chunks. The REST audio of the same text starts with the same speech, so those bytes
   * are skipped (not said twice) and numbering continues after the socket's chunks.
   */
  skipBytes: number;
  firstChunk: number;
  chunks: Buffer[];
  done: boolean;
  failed?: unknown;
  wake?: () => void;
}

/**
 * REST TTS per sentence, pipelined: every sentence's request starts the moment it arrives (sentence
 * n+1 is generated while n plays), and audio is published strictly in sentence order.
 */
export class RestSentenceSpeaker {
  private chain: Promise<void> = Promise.resolve();
  private readonly aborts = new Map<string, AbortController>();

  constructor(
    private readonly callId: string,
    private readonly client: ElevenLabsRestClient,
    private readonly audio: AudioSink,
    private readonly onError: (error: unknown, turnId: string, seq: number) => void,
  ) {}

  speak(turnId: string, seq: number, text: string, last: boolean, previousText?: string, resume = { bytes: 0, chunks: 0 }): void {
    const job: SentenceJob = { turnId, seq, text, last, skipBytes: resume.bytes, firstChunk: resume.chunks, chunks: [], done: false };
    const signal = this.abortFor(turnId).signal;
    if (text.trim()) void this.fetch(job, signal, previousText);
    else job.done = true;
    this.chain = this.chain.then(() => this.drain(job, signal));
  }

  /** Barge-in: stop the turn's requests; what was not yet published is never published. */
  cancel(turnId: string): void {
    this.aborts.get(turnId)?.abort();
    this.aborts.delete(turnId);
  }

  close(): void {
    for (const controller of this.aborts.values()) controller.abort();
    this.aborts.clear();
  }

  /** Resolves when every queued sentence has been published (batch mode and tests). */
  idle(): Promise<void> {
    return this.chain;
  }

  private abortFor(turnId: string): AbortController {
    let controller = this.aborts.get(turnId);
    if (!controller) {
      controller = new AbortController();
      this.aborts.set(turnId, controller);
    }
    return controller;
  }

  private async fetch(job: SentenceJob, signal: AbortSignal, previousText?: string): Promise<void> {
    try {
      for await (const chunk of this.client.stream({ callId: this.callId, turnId: job.turnId, text: job.text, previousText, signal })) {
        job.chunks.push(chunk);
        job.wake?.();
      }
    } catch (error) {
      job.failed = error;
    } finally {
      job.done = true;
      job.wake?.();
    }
  }

  private async drain(job: SentenceJob, signal: AbortSignal): Promise<void> {
    let index = 0;
    let chunk = job.firstChunk;
    let toSkip = job.skipBytes;
    for (;;) {
      if (signal.aborted) return;
      if (index < job.chunks.length) {
        let audio = job.chunks[index++];
        if (toSkip > 0) {
          const skipped = Math.min(toSkip, audio.length);
          toSkip -= skipped;
          audio = audio.subarray(skipped);
        }
        if (audio.length === 0) continue;
        await this.audio.chunk({ turnId: job.turnId, seq: job.seq, chunk, audio, text: chunk === 0 ? job.text : undefined });
        chunk++;
        continue;
      }
      if (job.done) break;
      await new Promise<void>((resolve) => (job.wake = resolve));
      job.wake = undefined;
    }
    if (job.failed && !signal.aborted) this.onError(job.failed, job.turnId, job.seq);
    if (!signal.aborted) await this.audio.sentenceEnd(job.turnId, job.seq, chunk, job.last);
  }
}
