/**
 * The service's text buffer for one context (AsyncAPI `GenerationConfig.chunk_length_schedule`):
 * text accumulates until it reaches the next threshold of the schedule ([120, 160, 250, 290] by
 * default, the last one repeating), or until `flush`. With `auto_mode=true` ("disabling chunk schedule
 * and buffers") every text is generated as it arrives. Whitespace-only text is never generated.
 */
export class TextBuffer {
  private text = '';
  private generations = 0;

  constructor(
    private readonly schedule: readonly number[],
    private readonly autoMode: boolean,
  ) {}

  get pending(): string {
    return this.text;
  }

  /** Adds text; returns what must be generated now (zero or one segment). */
  push(text: string): string[] {
    this.text += text;
    if (this.autoMode) return this.takeIfSpeakable();
    const threshold = this.schedule[Math.min(this.generations, this.schedule.length - 1)] ?? 0;
    return this.text.length >= threshold ? this.takeIfSpeakable() : [];
  }

  /** `flush: true`: everything buffered is generated now. */
  flush(): string[] {
    return this.takeIfSpeakable();
  }

  /** `close_context`: "No further audio will be generated for this context" (AsyncAPI). */
  discard(): void {
    this.text = '';
  }

  private takeIfSpeakable(): string[] {
    if (this.text.trim() === '') return [];
    const segment = this.text;
    this.text = '';
    this.generations++;
    return [segment];
  }
}

/** A schedule from a client's `generation_config`, if it is a usable list of numbers. */
export function scheduleFrom(generationConfig: unknown, fallback: readonly number[]): readonly number[] {
  if (!generationConfig || typeof generationConfig !== 'object') return fallback;
  const schedule = (generationConfig as Record<string, unknown>).chunk_length_schedule;
  if (!Array.isArray(schedule) || schedule.length === 0 || !schedule.every((n) => typeof n === 'number')) return fallback;
  return schedule as number[];
}
