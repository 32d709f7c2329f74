import type { Clock, TimerHandle } from '@app/clock';
import type { LiveContext } from './context-registry';
import { KEEPALIVE_AFTER_IDLE_MS, SOCKET_REFRESH_MARGIN_MS } from './elevenlabs.constants';

/**
 * Keeping a call's socket usable through minutes of caller silence, with only documented behaviour:
 *
 * - Open contexts (a turn waiting for its next sentence) get `{"text":"","context_id"}` once they have
 *   been sent nothing for KEEPALIVE_AFTER_IDLE_MS, before the service's 20 s per-context idle timeout.
 *   Contexts being closed get nothing, and a context we have not opened is never in the registry, so a
 *   keepalive can never become a context's first message.
 * - With no live context there is nothing a keepalive could name (a dedicated "keepalive context" would
 *   hold one of the five slots). Instead the idle socket is replaced make-before-break shortly before
 *   `inactivity_timeout` would expire: a new socket is opened, and only once it is open is the old one
 *   closed with `close_socket`. A sentence never waits for a handshake, and the service never has to
 *   time the socket out. (Idle sockets cost nothing: only generation time is billed.) If the service
 *   does close an idle socket anyway (1008 idle), the session reconnects at once, without backoff.
 */
export interface KeepalivePlan {
  /** Contexts to send a keepalive now. */
  keepalive: string[];
  /** The socket has been idle with no live context long enough to be replaced. */
  refreshSocket: boolean;
}

/** When an idle socket is replaced: SOCKET_REFRESH_MARGIN_MS before the timeout, but never before half of it. */
export function socketRefreshAfterMs(inactivityTimeoutS: number): number {
  const timeoutMs = inactivityTimeoutS * 1000;
  return Math.max(timeoutMs - SOCKET_REFRESH_MARGIN_MS, timeoutMs / 2);
}

export function planKeepalive(
  now: number,
  contexts: readonly LiveContext[],
  socketLastSentAt: number,
  refreshAfterMs: number,
): KeepalivePlan {
  const keepalive = contexts
    .filter((c) => c.phase === 'open' && now - c.lastSentAt >= KEEPALIVE_AFTER_IDLE_MS)
    .map((c) => c.contextId);
  const refreshSocket = contexts.length === 0 && now - socketLastSentAt >= refreshAfterMs;
  return { keepalive, refreshSocket };
}

/** One interval timer per session, on the injected clock. */
export class KeepaliveScheduler {
  private handle?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly tickMs: number,
    private readonly onTick: () => void,
  ) {}

  start(): void {
    if (this.handle === undefined) this.handle = this.clock.setInterval(this.onTick, this.tickMs);
  }

  stop(): void {
    this.clock.clearInterval(this.handle);
    this.handle = undefined;
  }
}
