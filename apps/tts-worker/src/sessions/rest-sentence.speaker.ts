import type { Clock } from '@app/clock';
import { ElevenLabsRestClient, speakableText } from '../elevenlabs';
import { AudioSink } from './audio.publisher';

/** What the socket (or a previous owner) already published of a sentence: its first bytes, in chunks. */
export interface PublishedPart {
  bytes: number;
  chunks: number;
}

interface SentenceJob {
  turnId: string;
  seq: number;
  text: string;
  last: boolean;
  /**
   * The REST audio of the same text starts with the same speech, so the bytes already published are
   * skipped (not said twice) and numbering continues after the chunks already published.
   */
  skipBytes: number;
  firstChunk: number;
  requestedAt: number;
  chunks: Buffer[];
  done: boolean;
  failed?: unknown;
  wake?: () => void;
}

export interface RestSpeakerOptions {
  callId: string;
  client: ElevenLabsRestClient;
  audio: AudioSink;
  clock: Clock;
  onError(error: unknown, turnId: string, seq: number): void;
  /** A sentence's first audio byte: request sent → first chunk received, ms. */
  onTtfb?(turnId: string, seq: number, ttfbMs: number): void;
}

/**
 * REST TTS per sentence, pipelined: every sentence's request starts the moment it arrives (sentence
 * n+1 is generated while n plays), and audio is published strictly in sentence order.
 */
export class RestSentenceSpeaker {
  private chain: Promise<void> = Promise.resolve();
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly options: RestSpeakerOptions) {}

  speak(turnId: string, seq: number, text: string, last: boolean, previousText?: string, published: PublishedPart = { bytes: 0, chunks: 0 }): void {
    const job: SentenceJob = {
      turnId,
      seq,
      text,
      last,
      skipBytes: published.bytes,
      firstChunk: published.chunks,
      requestedAt: this.options.clock.now(),
      chunks: [],
      done: false,
    };
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
    const { client, callId, clock, onTtfb } = this.options;
    try {
      const text = speakableText(job.text);
      for await (const chunk of client.stream({ callId, turnId: job.turnId, text, previousText, signal })) {
        if (job.chunks.length === 0) onTtfb?.(job.turnId, job.seq, clock.now() - job.requestedAt);
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
    const { audio } = this.options;
    let index = 0;
    let chunk = job.firstChunk;
    let toSkip = job.skipBytes;
    for (;;) {
      if (signal.aborted) return;
      if (index < job.chunks.length) {
        let bytes = job.chunks[index];
        job.chunks[index++] = EMPTY; // published: do not keep a sentence's audio in memory twice
        if (toSkip > 0) {
          const skipped = Math.min(toSkip, bytes.length);
          toSkip -= skipped;
          bytes = bytes.subarray(skipped);
        }
        if (bytes.length === 0) continue;
        await audio.chunk({ turnId: job.turnId, seq: job.seq, chunk, audio: bytes, text: chunk === 0 ? job.text : undefined });
        chunk++;
        continue;
      }
      if (job.done) break;
      await new Promise<void>((resolve) => (job.wake = resolve));
      job.wake = undefined;
    }
    if (job.failed && !signal.aborted) this.options.onError(job.failed, job.turnId, job.seq);
    if (!signal.aborted) await audio.sentenceEnd(job.turnId, job.seq, chunk, job.last);
  }
}

const EMPTY = Buffer.alloc(0);
