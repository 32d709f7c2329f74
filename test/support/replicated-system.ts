import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppInstance, AppName, LaunchOptions, RunningSystem, launchSystem } from '../../scripts/lib/system-launcher';
import { TcpBalancer } from './tcp-balancer';

/**
 * The system with several replicas of each app behind round-robin balancers, as in Kubernetes: Telnyx's
 * webhooks reach any gateway, Telnyx's media WebSocket any playback-worker (the Ingress). The
 * launcher points the sandbox and MEDIA_PUBLIC_URL at the balancers; the backends follow the replicas.
 */
export interface ReplicatedSystem {
  system: RunningSystem;
  webhooks: TcpBalancer;
  media: TcpBalancer;
  /** The running instances of an app (not stopped). */
  running(app: AppName): AppInstance[];
  /** Takes an instance out of its balancer (as a terminating pod leaves the endpoints). */
  unroute(instance: AppInstance): void;
  /** Starts one more instance of an app and routes to it once it is ready. */
  startReplacement(app: AppName): Promise<AppInstance>;
  stop(): Promise<void>;
}

const BALANCED: Partial<Record<AppName, 'webhooks' | 'media'>> = { 'call-gateway': 'webhooks', 'playback-worker': 'media' };

export async function launchReplicatedSystem(options: LaunchOptions): Promise<ReplicatedSystem> {
  const webhooks = await TcpBalancer.start();
  const media = await TcpBalancer.start();
  let system: RunningSystem;
  try {
    system = await launchSystem({
      ...options,
      env: { ...options.env, MEDIA_PUBLIC_URL: `ws://127.0.0.1:${media.port}` },
      sandbox: { ...options.sandbox, webhookUrl: `http://127.0.0.1:${webhooks.port}/webhooks/telnyx` },
    });
  } catch (error) {
    await Promise.all([webhooks.close(), media.close()]);
    throw error;
  }
  const balancerOf = (app: AppName) => (BALANCED[app] === 'webhooks' ? webhooks : BALANCED[app] === 'media' ? media : undefined);
  const isRunning = (i: AppInstance) => i.child.process.exitCode === null && i.child.process.signalCode === null;
  const running = (app: AppName) => system.apps.filter((i) => i.app === app && isRunning(i));
  webhooks.setBackends(running('call-gateway').map((i) => i.port));
  media.setBackends(running('playback-worker').map((i) => i.port));
  return {
    system,
    webhooks,
    media,
    running,
    unroute: (instance) => balancerOf(instance.app)?.removeBackend(instance.port),
    startReplacement: async (app) => {
      const instance = await system.startApp(app);
      balancerOf(app)?.addBackend(instance.port);
      return instance;
    },
    stop: async () => {
      await system.stop();
      await Promise.all([webhooks.close(), media.close()]);
    },
  };
}

/** The JSON log lines of one instance (pino), skipping anything that is not JSON. */
export function logLinesOf(system: RunningSystem, instance: AppInstance): Array<Record<string, unknown>> {
  const text = readFileSync(join(system.logDir, `${instance.app}-${instance.index}.log`), 'utf8');
  const lines: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by a kill
    }
  }
  return lines;
}

/** The calls (and turns, "callId#turnId") an instance logged about: what it worked on. */
export function workOf(system: RunningSystem, instance: AppInstance): { calls: Set<string>; turns: Set<string> } {
  const calls = new Set<string>();
  const turns = new Set<string>();
  for (const line of logLinesOf(system, instance)) {
    if (typeof line.callId !== 'string') continue;
    calls.add(line.callId);
    if (typeof line.turnId === 'string') turns.add(`${line.callId}#${line.turnId}`);
  }
  return { calls, turns };
}
