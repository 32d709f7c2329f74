import { hostname } from 'node:os';
import { AgentDirectory, AppConfig, defaultAgents, loadAgentsFile, loadConfig } from '@app/config';
import { Clock, systemClock } from '@app/clock';
import { AppLogger, createLogger } from '@app/telemetry';
import { BusPublisher, Publisher, RedisClient, createRedisClient } from '@app/bus';

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
  /** A fresh connection (blocking reads need their own). */
  newRedis(name: string): RedisClient;
  close(): Promise<void>;
}

export function clusterNodesOf(config: AppConfig): string[] | undefined {
  return config.REDIS_CLUSTER_NODES?.split(',').map((s) => s.trim()).filter(Boolean);
}

export function createAppRuntime(app: string, env: NodeJS.ProcessEnv = process.env, clock: Clock = systemClock): AppRuntime {
  const config = loadConfig(env);
  const logger = createLogger(app, config.LOG_LEVEL);
  const agents = config.AGENTS_FILE ? loadAgentsFile(config.AGENTS_FILE) : defaultAgents();
  const instanceId = config.INSTANCE_ID ?? `${app}-${hostname()}-${process.pid}`;
  const newRedis = (name: string) =>
    createRedisClient({ url: config.REDIS_URL, clusterNodes: clusterNodesOf(config), name: `${instanceId}:${name}` });
  const redis = newRedis('cmd');
  const publisher = new BusPublisher(redis);
  return {
    app,
    instanceId,
    config,
    logger,
    clock,
    agents,
    redis,
    publisher,
    newRedis,
    close: async () => {
      redis.disconnect();
    },
  };
}
