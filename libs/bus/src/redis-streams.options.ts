import { Clock, systemClock } from '@app/clock';
import { BusLogger, silentBusLogger } from './bus-logger';
import { RedisClient, StreamSubscription } from './bus.types';

/**
 * How long one XREAD/XREADGROUP blocks. Stream-set changes and stop() interrupt it (CLIENT UNBLOCK), so
 * it only bounds how late a change lands when an interrupt cannot be delivered; a second keeps that
 * small while an idle loop costs Redis one command per second.
 */
export const DEFAULT_BLOCK_MS = 1000;
/** Entries fetched per read (and per claim page): amortises the round trip under load. */
export const DEFAULT_BATCH_SIZE = 100;
/**
 * Entries accepted and not finished (queued behind their call's earlier entries, or running). The
 * llm-worker handles hundreds of calls' turns at once; beyond this it stops reading, which bounds memory
 * and leaves the rest in Redis for other instances of the group.
 */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/**
 * Deliveries after which an entry is dead-lettered instead of handled again. An entry that failed five
 * times, minutes apart (each retry waits claimIdleMs), is poison, not bad luck.
 */
export const DEFAULT_MAX_DELIVERIES = 5;
/**
 * A pending entry idle this long is taken to belong to a dead consumer (or to have failed here) and is
 * reclaimed. Far above any healthy handling time (a turn's answer takes seconds); entries still being
 * worked on are refreshed at half this age, so the limit applies to dead consumers only.
 */
export const DEFAULT_CLAIM_IDLE_MS = 30_000;
/**
 * How often pending lists are scanned: a dead consumer's entries resume within claimIdleMs plus this.
 * Must stay well under claimIdleMs / 2, or the refresh of held entries comes too late.
 */
export const DEFAULT_CLAIM_INTERVAL_MS = 5_000;
/**
 * close() waits this long for running handlers to finish (and ack) before it closes the connections;
 * what is still running then stays pending and is reclaimed elsewhere. Half of the 10 s the app
 * bootstrap gives a whole shutdown (SHUTDOWN_TIMEOUT_MS).
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

export interface RedisStreamsServerOptions {
  /** Makes a connection: one per read loop (blocking reads) and one for acks, claims and dead letters. */
  createClient: () => RedisClient;
  /**
   * Makes the read loops' connections instead, when given: `createBlockingClient`, whose reads fail at
   * once on a dropped connection so the loop retries with a fresh CLIENT ID (interrupts keep working).
   */
  createReadClient?: () => RedisClient;
  /** This instance's consumer name in every group: unique per process (e.g. the instance id). */
  consumer: string;
  streams: StreamSubscription[];
  blockMs?: number;
  batchSize?: number;
  maxInFlight?: number;
  maxDeliveries?: number;
  claimIdleMs?: number;
  claimIntervalMs?: number;
  closeTimeoutMs?: number;
  clock?: Clock;
  logger?: BusLogger;
}

export type ResolvedServerOptions = Required<RedisStreamsServerOptions>;

export function resolveServerOptions(options: RedisStreamsServerOptions): ResolvedServerOptions {
  const resolved: ResolvedServerOptions = {
    createClient: options.createClient,
    createReadClient: options.createReadClient ?? options.createClient,
    consumer: options.consumer,
    streams: options.streams,
    blockMs: options.blockMs ?? DEFAULT_BLOCK_MS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    claimIdleMs: options.claimIdleMs ?? DEFAULT_CLAIM_IDLE_MS,
    claimIntervalMs: options.claimIntervalMs ?? DEFAULT_CLAIM_INTERVAL_MS,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentBusLogger,
  };
  if (!resolved.consumer) throw new RangeError('consumer must be a non-empty name');
  for (const field of ['blockMs', 'batchSize', 'maxInFlight', 'maxDeliveries', 'claimIdleMs', 'claimIntervalMs', 'closeTimeoutMs'] as const) {
    const value = resolved[field];
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${field} must be a positive integer, got ${value}`);
  }
  if (resolved.claimIntervalMs * 2 > resolved.claimIdleMs) {
    // Held entries are refreshed at half claimIdleMs, by the claim round: rounds further apart come too late.
    throw new RangeError(`claimIntervalMs (${resolved.claimIntervalMs}) must be at most half of claimIdleMs (${resolved.claimIdleMs})`);
  }
  return resolved;
}
