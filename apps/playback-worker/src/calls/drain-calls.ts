import { Clock, TimerHandle } from '@app/clock';
import { AppLogger } from '@app/telemetry';

/**
 * The pod's termination grace period (deploy/k8s/base/playback-worker.yaml,
 * terminationGracePeriodSeconds: 600): media sockets cannot move to another pod, so a terminating pod
 * keeps playing its calls for up to 10 minutes, the longest call we plan for.
 */
export const K8S_TERMINATION_GRACE_MS = 600_000;
/** The pod's preStop sleep, spent before SIGTERM reaches us, inside the same grace period. */
export const PRE_STOP_MS = 5_000;
/** Kept for the rest of shutdown after the drain: bus close (5 s), sockets, Redis, with room to spare. */
export const SHUTDOWN_AFTER_DRAIN_MS = 15_000;
/** How long SIGTERM waits for the calls this instance holds to end: 580 s, inside the grace period. */
export const DRAIN_MAX_MS = K8S_TERMINATION_GRACE_MS - PRE_STOP_MS - SHUTDOWN_AFTER_DRAIN_MS;
/** A progress line while draining, so an operator sees why the pod is still there. */
export const DRAIN_PROGRESS_LOG_MS = 30_000;

export interface DrainTarget {
  readonly size: number;
  whenEmpty(): Promise<void>;
}

export type DrainOutcome = 'empty' | 'bound';

/** Waits until no call is held or `maxMs` passes, on the injected clock; logs progress meanwhile. */
export async function drainCalls(target: DrainTarget, clock: Clock, logger: AppLogger, maxMs = DRAIN_MAX_MS): Promise<DrainOutcome> {
  const startedAt = clock.now();
  logger.info({ calls: target.size, maxMs }, 'draining: playing the held calls to their end, refusing new ones');
  let bound: TimerHandle | undefined;
  const progress = clock.setInterval(
    () => logger.info({ calls: target.size, elapsedMs: clock.now() - startedAt }, 'draining: calls still playing'),
    DRAIN_PROGRESS_LOG_MS,
  );
  try {
    const outcome = await Promise.race([
      target.whenEmpty().then((): DrainOutcome => 'empty'),
      new Promise<DrainOutcome>((resolve) => (bound = clock.setTimeout(() => resolve('bound'), maxMs))),
    ]);
    const fields = { calls: target.size, elapsedMs: clock.now() - startedAt };
    if (outcome === 'bound') logger.warn(fields, 'drain bound reached: the calls still playing are cut');
    else logger.info(fields, 'drained: no call left');
    return outcome;
  } finally {
    clock.clearTimeout(bound);
    clock.clearInterval(progress);
  }
}
