import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedChild, startNodeChild, waitForHttpOk } from './child-process';
import { builtAppScript, projectRoot } from './project-root';
import { ProvisionedRedis, freePort, provisionRedis } from './redis-provision';

export const APPS = ['call-gateway', 'llm-worker', 'tts-worker', 'playback-worker'] as const;
export type AppName = (typeof APPS)[number];

export interface SandboxEndpoints {
  telnyxBaseUrl: string;
  openaiBaseUrl: string;
  elevenlabsBaseUrl: string;
  controlUrl: string;
  publicKey: string;
  /** With SANDBOX_CONFIG `processes: "split"`: the pid of each simulator process, by name. */
  processes?: Record<string, number>;
}

export interface LaunchOptions {
  /** Redis to use when reachable; otherwise a private redis-server is started. */
  redisUrl?: string;
  privateRedis?: boolean;
  replicas?: Partial<Record<AppName, number>>;
  agentsFile?: string;
  /** Extra environment for every app. */
  env?: NodeJS.ProcessEnv;
  /** Simulator settings (latencies, faults), passed to the sandbox as SANDBOX_CONFIG JSON. */
  sandbox?: Record<string, unknown>;
  logDir?: string;
  startTimeoutMs?: number;
}

export interface AppInstance {
  app: AppName;
  index: number;
  child: ManagedChild;
  port: number;
}

export interface RunningSystem {
  redis: ProvisionedRedis;
  sandbox: SandboxEndpoints;
  sandboxChild: ManagedChild;
  apps: AppInstance[];
  logDir: string;
  /** Starts one more instance of an app (scale-out and takeover tests). */
  startApp(app: AppName): Promise<AppInstance>;
  stop(): Promise<void>;
}

const READY_LINE = 'SANDBOX_READY';

/**
 * Starts the whole system as real processes: Redis (if needed), the provider simulators, and the four
 * apps (as many replicas as asked), wired together through the environment exactly as in production.
 */
export async function launchSystem(options: LaunchOptions = {}): Promise<RunningSystem> {
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'voice-agent-'));
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const redis = await provisionRedis(options.redisUrl ?? 'redis://127.0.0.1:6379', options.privateRedis);
  const gatewayPorts: number[] = [];
  const playbackPorts: number[] = [];
  const gatewayPort = await freePort();
  gatewayPorts.push(gatewayPort);
  const sandboxChild = startNodeChild(
    'sandbox',
    builtAppScript('sandbox'),
    {
      ...process.env,
      SANDBOX_CONFIG: JSON.stringify({ webhookUrl: `http://127.0.0.1:${gatewayPort}/webhooks/telnyx`, ...options.sandbox }),
    },
    logDir,
  );
  const sandbox = JSON.parse(await sandboxChild.waitForLine(READY_LINE, startTimeoutMs)) as SandboxEndpoints;
  const playbackPort = await freePort();
  playbackPorts.push(playbackPort);
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    REDIS_URL: redis.url,
    TELNYX_BASE_URL: sandbox.telnyxBaseUrl,
    TELNYX_API_KEY: 'sandbox-telnyx-key',
    TELNYX_PUBLIC_KEY: sandbox.publicKey,
    OPENAI_BASE_URL: sandbox.openaiBaseUrl,
    OPENAI_API_KEY: 'sandbox-openai-key',
    ELEVENLABS_BASE_URL: sandbox.elevenlabsBaseUrl,
    ELEVENLABS_API_KEY: 'sandbox-elevenlabs-key',
    MEDIA_PUBLIC_URL: `ws://127.0.0.1:${playbackPort}`,
    MEDIA_TOKEN_SECRET: 'sandbox-media-token-secret-0123456789',
    AGENTS_FILE: options.agentsFile ?? join(projectRoot(), 'deploy', 'agents.example.yaml'),
    ...options.env,
  };
  const apps: AppInstance[] = [];
  const counters: Record<string, number> = {};
  const startApp = async (app: AppName): Promise<AppInstance> => {
    const index = (counters[app] = (counters[app] ?? 0) + 1);
    const port = app === 'call-gateway' && index === 1 ? gatewayPort : app === 'playback-worker' && index === 1 ? playbackPort : await freePort();
    const portVar = { 'call-gateway': 'GATEWAY_PORT', 'llm-worker': 'LLM_HEALTH_PORT', 'tts-worker': 'TTS_HEALTH_PORT', 'playback-worker': 'PLAYBACK_PORT' }[app];
    const child = startNodeChild(
      `${app}-${index}`,
      builtAppScript(app),
      { ...baseEnv, [portVar]: String(port), INSTANCE_ID: `${app}-${index}` },
      logDir,
    );
    const instance = { app, index, child, port };
    apps.push(instance);
    await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, startTimeoutMs);
    return instance;
  };
  try {
    for (const app of APPS) {
      const count = options.replicas?.[app] ?? 1;
      await Promise.all(Array.from({ length: count }, () => startApp(app)));
    }
  } catch (error) {
    await Promise.all(apps.map((a) => a.child.stop('SIGKILL')));
    await sandboxChild.stop('SIGKILL');
    await redis.stop();
    throw new Error(`${String(error)}\nlogs: ${logDir}`);
  }
  return {
    redis,
    sandbox,
    sandboxChild,
    apps,
    logDir,
    startApp,
    stop: async () => {
      await Promise.all(apps.map((a) => a.child.stop()));
      await sandboxChild.stop();
      await redis.stop();
    },
  };
}
