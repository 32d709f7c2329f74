import { GATEWAY_INBOX_STREAM, PLAYBACK_EVENTS_STREAM, TURNS_STREAM } from '@app/contracts';
import { hostname } from 'node:os';
import { AgentDirectory, AppConfig, defaultAgents, loadAgentsFile, loadConfig } from '@app/config';
import { Clock, systemClock } from '@app/clock';
import { AppLogger, AppMetrics, TurnMarks, createLogger } from '@app/telemetry';
import { BusPublisher, Publisher, RedisClient, StreamSubscription, createBlockingClient, createRedisClient } from '@app/bus';

/** The part of the bus server an app may drive: which streams it reads. */
export interface StreamsControl {
  addStream(subscription: StreamSubscription): void | Promise<void>;
  removeStream(stream: string): void | Promise<void>;
}

/**
 * What one process needs before Nest starts: config (validated, fail fast), logger, clock, the agents,
 * a Redis client for commands and the bus publisher. Built once in main.ts and handed to the module,
 * so tests can build the same thing with a fake clock and a private Redis.
 */
export interface AppRuntime {
  app: string;
  instanceId: string;
  config: AppConfig;
  logger: AppLogger;
  clock: Clock;
  agents: AgentDirectory;
  redis: RedisClient;
  publisher: Publisher;
  metrics: AppMetrics;
  turnMarks: TurnMarks;
  /** The bus server of this process (set by bootstrap): apps that change their streams at run time use it. */
  streams?: StreamsControl;
  /** A fresh connection. */
  newRedis(name: string): RedisClient;
  /** A fresh connection for blocking reads (fails fast on a drop so the read loop retries at once). */
  newBlockingRedis(name: string): RedisClient;
  close(): Promise<void>;
}

export function clusterNodesOf(config: AppConfig): string[] | undefined {
  return config.REDIS_CLUSTER_NODES?.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The consumer-group streams whose lag each app reports on /metrics (the HPA signal of the llm-worker). */
const LAG_STREAMS: Record<string, string[]> = {
  'call-gateway': [GATEWAY_INBOX_STREAM, PLAYBACK_EVENTS_STREAM],
  'llm-worker': [TURNS_STREAM, PLAYBACK_EVENTS_STREAM],
};

export function createAppRuntime(app: string, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): AppRuntime {
  const config = loadConfig(env);
  const logger = createLogger(app, config.LOG_LEVEL);
  const agents = config.AGENTS_FILE ? loadAgentsFile(config.AGENTS_FILE) : defaultAgents();
  const instanceId = config.INSTANCE_ID ?? `${app}-${hostname()}-${process.pid}`;
  const newRedis = (name: string) =>
    createRedisClient({ url: config.REDIS_URL, clusterNodes: clusterNodesOf(config), name: `${instanceId}:${name}` });
  const newBlockingRedis = (name: string) =>
    createBlockingClient({ url: config.REDIS_URL, clusterNodes: clusterNodesOf(config), name: `${instanceId}:${name}` });
  const redis = newRedis('cmd');
  const publisher = new BusPublisher(redis);
  const metrics = new AppMetrics({ app, streamLag: { redis, clock, logger, streams: () => LAG_STREAMS[app] ?? [] } });
  const turnMarks = new TurnMarks(redis, publisher, clock, logger);
  return {
    app,
    instanceId,
    config,
    logger,
    clock,
    agents,
    redis,
    publisher,
    metrics,
    turnMarks,
    newRedis,
    newBlockingRedis,
    close: async () => {
      redis.disconnect();
    },
  };
}
