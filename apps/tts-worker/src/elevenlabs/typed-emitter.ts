/**
 * A minimal typed event emitter. Unlike node's EventEmitter, an `error` event without a listener does
 * not throw, and a listener that throws cannot break the emitter's own state machine: it is reported
 * to `onListenerError` and the remaining listeners still run.
 */
// `any` here only so that each event's own listener signature is accepted; callers are fully typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

export class TypedEmitter<Events extends { [K in keyof Events]: Listener }> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => undefined) {}

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(String(event), error);
      }
    }
  }
}
