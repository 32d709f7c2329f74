import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Observable, lastValueFrom } from 'rxjs';
import { BusMessage } from '@app/contracts';
import { BusLogger } from './bus-logger';
import { RedisClient, StreamSubscription } from './bus.types';
import { settlesWithin } from './bounded-wait';
import { ensureConsumerGroup, RECREATED_GROUP_START_ID, resolveStartId } from './consumer-groups';
import { DeadLetterWriter } from './dead-letter.writer';
import { EntryDispatcher } from './entry-dispatcher';
import { HeldEntries } from './held-entries';
import { PartitionedExecutor } from './partitioned-executor';
import { GroupStream, PendingReclaimer } from './pending-reclaimer';
import { ReadLoopPool } from './read-loop-pool';
import { isCluster } from './redis-connection';
import { RedisStreamsServerOptions, ResolvedServerOptions, resolveServerOptions } from './redis-streams.options';
import { StreamContext } from './stream-context';
import { readLoopKeyOf } from './stream-slots';

/** Our transport's id, for `@EventPattern(pattern, REDIS_STREAMS_TRANSPORT)` when an app runs several. */
export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

/** The command connection's state, published on `server.status`. */
export enum BusStatus {
  Connecting = 'connecting',
  Connected = 'connected',
  Reconnecting = 'reconnecting',
  Disconnected = 'disconnected',
  Closed = 'closed',
}

/** Events of the command connection that `on()` subscribes to (ioredis' own). */
export type RedisStreamsEvents = {
  connect: () => void;
  ready: () => void;
  error: (error: Error) => void;
  close: () => void;
  reconnecting: (delayMs: number) => void;
  end: () => void;
};

type ConnectionListener = (...args: unknown[]) => void;

enum ServerState {
  Created = 'created',
  Starting = 'starting',
  Listening = 'listening',
  Closing = 'closing',
}

/** Plain subscriptions start at new entries unless told otherwise. */
const DEFAULT_PLAIN_START_ID = '$';

/**
 * Our Redis Streams transport for Nest microservices. Each entry is decoded into a typed message and
 * handed to the `@EventPattern(<type>)` handler with a StreamContext; one call's entries (per stream)
 * are handled in order, different calls concurrently up to `maxInFlight`. Group entries are acked after
 * success, reclaimed from dead consumers, dead-lettered when they can never be handled. Streams can be
 * added and removed at run time, taking effect at once.
 *
 * Pieces: StreamReadLoop (one blocking read per group/slot), EntryDispatcher (decode, route, ack,
 * dead-letter), PartitionedExecutor (ordering and backpressure), PendingReclaimer (XAUTOCLAIM).
 */
export class RedisStreamsServer extends Server<RedisStreamsEvents, BusStatus> implements CustomTransportStrategy {
  override transportId = REDIS_STREAMS_TRANSPORT;

  private readonly settings: ResolvedServerOptions;
  /** Named apart from Nest's own `logger` (a Nest LoggerService) that the base class owns. */
  private readonly log: BusLogger;
  private readonly subscriptions = new Map<string, StreamSubscription>();
  private readonly readLoops: ReadLoopPool;
  private readonly held = new HeldEntries();
  private readonly executor: PartitionedExecutor;
  private readonly dispatcher: EntryDispatcher;
  private readonly reclaimer: PendingReclaimer;
  private commands?: RedisClient;
  private clustered = false;
  private state = ServerState.Created;
  private closing?: Promise<void>;
  /** `on()` listeners given before listen(), attached to the command connection once it exists. */
  private pendingListeners: Array<{ event: keyof RedisStreamsEvents; callback: ConnectionListener }> = [];

  constructor(options: RedisStreamsServerOptions) {
    super();
    this.settings = resolveServerOptions(options);
    this.log = this.settings.logger;
    for (const subscription of this.settings.streams) this.subscriptions.set(subscription.stream, subscription);
    const { clock, maxDeliveries, claimIdleMs, batchSize, consumer } = this.settings;
    this.executor = new PartitionedExecutor(this.settings.maxInFlight, (error) =>
      this.log.error({ err: error }, 'bus task failed unexpectedly'),
    );
    const recreateGroup = (stream: string, group: string) => this.recreateGroup(stream, group);
    this.dispatcher = new EntryDispatcher({
      redis: () => this.commandClient(),
      executor: this.executor,
      held: this.held,
      deadLetters: new DeadLetterWriter(() => this.commandClient()),
      clock,
      logger: this.log,
      maxDeliveries,
      findHandler: (type) => this.getHandlerByPattern(type),
      runHandler: (handler, message, context) => this.runHandler(handler, message, context),
      recreateGroup,
    });
    this.readLoops = new ReadLoopPool({
      createConnection: this.settings.createReadClient,
      consumer,
      commands: () => this.commandClient(),
      executor: this.executor,
      dispatch: (entry, permit) => this.dispatcher.dispatch(entry, permit),
      isHeld: (stream, group, id) => this.held.has(stream, group, id),
      recreateGroup,
      blockMs: this.settings.blockMs,
      batchSize,
      clock,
      logger: this.log,
    });
    this.reclaimer = new PendingReclaimer({
      redis: () => this.commandClient(),
      consumer,
      claimIdleMs,
      batchSize,
      executor: this.executor,
      held: this.held,
      dispatch: (entry, permit) => this.dispatcher.dispatch(entry, permit),
      groupStreams: () => this.groupStreams(),
      recreateGroup,
      clock,
      logger: this.log,
    });
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Subscribes a stream while running; resolves once its group exists and its loop reads it. */
  async addStream(subscription: StreamSubscription): Promise<void> {
    if (this.closing) throw new Error(`cannot add stream ${subscription.stream}: the bus server is closing`);
    const existing = this.subscriptions.get(subscription.stream);
    if (existing && sameSubscription(existing, subscription)) return;
    if (existing) await this.removeStream(subscription.stream);
    this.subscriptions.set(subscription.stream, subscription);
    if (!this.commands) return; // not listening yet: listen() activates it with the others
    try {
      await this.activate(subscription);
    } catch (error) {
      if (this.subscriptions.get(subscription.stream) === subscription) this.subscriptions.delete(subscription.stream);
      throw error;
    }
  }

  /** Stops reading a stream; resolves once its loop reads without it. Entries in hand are still handled. */
  async removeStream(stream: string): Promise<void> {
    const subscription = this.subscriptions.get(stream);
    if (!subscription) return;
    this.subscriptions.delete(stream);
    await this.readLoops.remove(readLoopKeyOf(subscription, this.clustered), stream);
  }

  /** The streams subscribed now. */
  streams(): StreamSubscription[] {
    return [...this.subscriptions.values()];
  }

  /** Stops reading at once, lets running handlers finish (bounded by closeTimeoutMs), closes the connections. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  on<EventKey extends keyof RedisStreamsEvents = keyof RedisStreamsEvents, EventCallback extends RedisStreamsEvents[EventKey] = RedisStreamsEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    const listener = callback as unknown as ConnectionListener;
    if (this.commands) this.commands.on(event, listener);
    else this.pendingListeners.push({ event, callback: listener });
  }

  /** The command connection (acks, claims, dead letters). */
  unwrap<T>(): T {
    if (!this.commands) throw new Error('Not initialized. Please call the "listen" method before accessing the client.');
    return this.commands as T;
  }

  private async start(): Promise<void> {
    if (this.state !== ServerState.Created || this.closing) throw new Error(`cannot listen: the bus server is ${this.closing ? 'closing' : this.state}`);
    this.state = ServerState.Starting;
    this._status$.next(BusStatus.Connecting);
    const commands = this.settings.createClient();
    this.commands = commands;
    this.clustered = isCluster(commands);
    this.watchConnection(commands);
    try {
      await Promise.all(this.streams().map((subscription) => this.activate(subscription)));
    } catch (error) {
      await this.close();
      throw error;
    }
    if (this.closing) return;
    this.state = ServerState.Listening;
    this.reclaimer.start(this.settings.claimIntervalMs);
    this.log.info({ consumer: this.settings.consumer, streams: [...this.subscriptions.keys()] }, 'bus listening');
  }

  /** Creates the group (or resolves '$'), then hands the stream to its loop. */
  private async activate(subscription: StreamSubscription): Promise<void> {
    const commands = this.commandClient();
    const { stream, group } = subscription;
    let lastId = '';
    if (group !== undefined) {
      await ensureConsumerGroup(commands, stream, group, subscription.startId ?? RECREATED_GROUP_START_ID);
      if (subscription.claimPendingOnAdd && this.subscriptions.get(stream) === subscription && !this.closing) {
        // Dispatched before the loop reads anything new: one call's reclaimed entries run first.
        await this.reclaimer.claimAllNow({ stream, group, onUnhandled: subscription.onUnhandled ?? 'dead-letter' });
      }
    } else {
      lastId = await resolveStartId(commands, stream, subscription.startId ?? DEFAULT_PLAIN_START_ID);
    }
    // Removed, replaced or closed while we were talking to Redis.
    if (this.subscriptions.get(stream) !== subscription || this.closing) return;
    const key = readLoopKeyOf(subscription, this.clustered);
    this.readLoops.add(key, { stream, lastId, onUnhandled: subscription.onUnhandled ?? 'dead-letter' });
  }

  /** After NOGROUP: Redis lost the group (restart without persistence, stream deleted). */
  private async recreateGroup(stream: string, group: string): Promise<void> {
    const outcome = await ensureConsumerGroup(this.commandClient(), stream, group, RECREATED_GROUP_START_ID);
    if (outcome === 'created') this.log.warn({ stream, group }, 'consumer group was missing and has been recreated');
  }

  private groupStreams(): GroupStream[] {
    const streams: GroupStream[] = [];
    for (const { stream, group, onUnhandled } of this.subscriptions.values()) {
      if (group !== undefined) streams.push({ stream, group, onUnhandled: onUnhandled ?? 'dead-letter' });
    }
    return streams;
  }

  /** Runs a Nest handler to completion: its result may be a value, a promise or an observable. */
  private async runHandler(handler: MessageHandler, message: BusMessage, context: StreamContext): Promise<void> {
    const result: unknown = await handler(message, context);
    await lastValueFrom(this.transformToObservable(result as Observable<unknown>), { defaultValue: undefined });
  }

  private commandClient(): RedisClient {
    if (!this.commands) throw new Error('the bus server is not listening');
    return this.commands;
  }

  private watchConnection(client: RedisClient): void {
    client.on('ready', () => this._status$.next(BusStatus.Connected));
    client.on('reconnecting', () => this._status$.next(BusStatus.Reconnecting));
    client.on('end', () => this._status$.next(BusStatus.Disconnected));
    client.on('error', (error: Error) => this.log.warn({ err: error }, 'bus command connection error'));
    for (const { event, callback } of this.pendingListeners) client.on(event, callback);
    this.pendingListeners = [];
  }

  private async shutdown(): Promise<void> {
    const { clock, closeTimeoutMs } = this.settings;
    this.state = ServerState.Closing;
    const deadline = clock.now() + closeTimeoutMs;
    const remaining = () => Math.max(0, deadline - clock.now());
    await Promise.all([settlesWithin(clock, this.reclaimer.stop(), remaining()), this.readLoops.stopAll()]);
    if (!(await settlesWithin(clock, this.executor.whenIdle(), remaining()))) {
      this.log.warn({ inFlight: this.executor.inFlight }, 'handlers still running at close, their entries stay pending for redelivery');
    }
    this.commands?.disconnect();
    this._status$.next(BusStatus.Closed);
    this.log.info({ consumer: this.settings.consumer }, 'bus closed');
  }
}

function sameSubscription(a: StreamSubscription, b: StreamSubscription): boolean {
  return a.group === b.group && a.startId === b.startId && a.onUnhandled === b.onUnhandled && a.claimPendingOnAdd === b.claimPendingOnAdd;
}
