import { Clock, TimerHandle } from '@app/clock';
import { isDeepStrictEqual } from 'node:util';
import { ContextSpeaker, SpeakerHooks } from './context-speaker';
import { TextBuffer } from './text-buffer';

type Json = Record<string, unknown>;

/** Fields that only a context's first message may set, and later messages may only repeat unchanged. */
const FIRST_MESSAGE_ONLY = ['voice_settings', 'generation_config'] as const;
export type FirstMessageField = (typeof FIRST_MESSAGE_ONLY)[number];

/**
 * One multi-stream-input context: its first message (which fixed voice settings and generation
 * config), its text buffer, its generations in order, its idle timer, and whether `close_context`
 * has been received (a closing context still counts against the limit until its audio is out).
 */
export class StreamContext {
  readonly buffer: TextBuffer;
  readonly speaker: ContextSpeaker;
  closing = false;
  private idleTimer?: TimerHandle;

  constructor(
    readonly id: string,
    readonly firstMessage: Json,
    buffer: TextBuffer,
    private readonly clock: Clock,
    hooks: SpeakerHooks,
  ) {
    this.buffer = buffer;
    this.speaker = new ContextSpeaker(clock, hooks);
  }

  /**
   * The field a later message sets differently from the first message, if any. The service rejects
   * it with 1008 (pipecat issues #4520/#4541), although the AsyncAPI text speaks of "re-initializing".
   */
  conflictWith(message: Json): FirstMessageField | undefined {
    return FIRST_MESSAGE_ONLY.find((field) => message[field] !== undefined && !isDeepStrictEqual(message[field], this.firstMessage[field]));
  }

  enqueue(segments: string[]): void {
    for (const segment of segments) this.speaker.enqueue(segment);
  }

  /** Restarts the idle timer; `onIdle` runs when it expires with nothing generating. */
  touch(timeoutMs: number, onIdle: () => void): void {
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => {
      if (this.speaker.busy) this.touch(timeoutMs, onIdle);
      else onIdle();
    }, timeoutMs);
  }

  stopTimer(): void {
    this.clock.clearTimeout(this.idleTimer);
  }

  stop(): void {
    this.stopTimer();
    this.speaker.cancel();
  }
}
