import type { Clock, TimerHandle } from '@app/clock';
import { AlignmentAttributor } from './alignment-attributor';
import { MAX_CONTEXTS_PER_SOCKET } from './elevenlabs.constants';

/**
 * The live contexts of ONE socket, as the service counts them: a context is live from its opening
 * message until its `isFinal` arrives or the socket dies. `closing` contexts still count (the service
 * is finishing their audio), which is what keeps us under the five-context limit when barge-ins come
 * faster than the service confirms closes.
 */
export type ContextPhase = 'open' | 'closing';

export interface LiveContext {
  readonly contextId: string;
  readonly turnId: string;
  phase: ContextPhase;
  readonly openedAt: number;
  /** Last time we sent this context anything (keepalives are due from here). */
  lastSentAt: number;
  readonly attributor: AlignmentAttributor;
  /** Cancelled (barge-in) or abandoned: whatever audio still comes for it is dropped. */
  dropAudio: boolean;
  noAudioTimer?: TimerHandle;
}

export interface ContextSnapshot {
  contextId: string;
  turnId: string;
  phase: ContextPhase;
}

export class ContextRegistry {
  private readonly contexts = new Map<string, LiveContext>();

  constructor(
    private readonly clock: Clock,
    readonly max = MAX_CONTEXTS_PER_SOCKET,
  ) {}

  get size(): number {
    return this.contexts.size;
  }

  isFull(): boolean {
    return this.contexts.size >= this.max;
  }

  get(contextId: string | undefined): LiveContext | undefined {
    return contextId === undefined ? undefined : this.contexts.get(contextId);
  }

  /** Records a context whose opening message is being sent now. */
  open(contextId: string, turnId: string): LiveContext {
    if (this.contexts.has(contextId)) throw new Error(`context ${contextId} is already live`);
    if (this.isFull()) throw new Error(`context limit of ${this.max} reached`);
    const now = this.clock.now();
    const context: LiveContext = {
      contextId,
      turnId,
      phase: 'open',
      openedAt: now,
      lastSentAt: now,
      attributor: new AlignmentAttributor(),
      dropAudio: false,
    };
    this.contexts.set(contextId, context);
    return context;
  }

  markClosing(context: LiveContext): void {
    context.phase = 'closing';
    this.stopTimer(context);
  }

  stopTimer(context: LiveContext): void {
    this.clock.clearTimeout(context.noAudioTimer);
    context.noAudioTimer = undefined;
  }

  remove(contextId: string): LiveContext | undefined {
    const context = this.contexts.get(contextId);
    if (context) {
      this.stopTimer(context);
      this.contexts.delete(contextId);
    }
    return context;
  }

  /** Forgets every context (the socket is gone); returns them for their turns to be recovered. */
  clear(): LiveContext[] {
    const all = [...this.contexts.values()];
    for (const context of all) this.stopTimer(context);
    this.contexts.clear();
    return all;
  }

  all(): LiveContext[] {
    return [...this.contexts.values()];
  }

  openOnes(): LiveContext[] {
    return this.all().filter((c) => c.phase === 'open');
  }

  forTurn(turnId: string): LiveContext[] {
    return this.all().filter((c) => c.turnId === turnId);
  }

  snapshot(): ContextSnapshot[] {
    return this.all().map(({ contextId, turnId, phase }) => ({ contextId, turnId, phase }));
  }
}
