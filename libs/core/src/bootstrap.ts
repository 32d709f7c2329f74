import { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisStreamsServer, StreamSubscription } from '@app/bus';
import { AppRuntime, createAppRuntime } from './app-runtime';

/** How long SIGTERM may take before we exit anyway (the orchestrator's grace period must be longer). */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface AppBootstrapOptions {
  app: string;
  module: (runtime: AppRuntime) => DynamicModule;
  port: (runtime: AppRuntime) => number;
  streams: (runtime: AppRuntime) => StreamSubscription[];
  /** Express set-up before routes (the gateway mounts its raw-body parser here). */
  configureHttp?: (app: INestApplication, runtime: AppRuntime) => void;
  /** How long SIGTERM may take before the process exits anyway (default SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs?: number;
  /** Called with the started bus server (the tts-worker adds its shard streams at run time). */
  onBusStarted?: (server: RedisStreamsServer, app: INestApplication, runtime: AppRuntime) => Promise<void> | void;
}

export interface RunningApp {
  app: INestApplication;
  runtime: AppRuntime;
  bus: RedisStreamsServer;
  port: number;
  stop(): Promise<void>;
}

/**
 * One shape for every app's main.ts: validated config, a Nest HTTP app (health, metrics, and the
 * app's own routes), our Redis Streams transport as a Nest microservice, and a SIGTERM drain.
 */
export async function bootstrapApp(options: AppBootstrapOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunningApp> {
  const runtime = createAppRuntime(options.app, env);
  const bus = new RedisStreamsServer({
    createClient: () => runtime.newRedis('bus'),
    createReadClient: () => runtime.newBlockingRedis('bus-read'),
    consumer: runtime.instanceId,
    streams: options.streams(runtime),
    clock: runtime.clock,
    logger: runtime.logger,
  });
  runtime.streams = bus;
  const app = await NestFactory.create(options.module(runtime), { bufferLogs: false, logger: ['error', 'warn'], bodyParser: !options.configureHttp });
  options.configureHttp?.(app, runtime);
  app.connectMicroservice({ strategy: bus }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  await options.onBusStarted?.(bus, app, runtime);
  const port = options.port(runtime);
  await app.listen(port, '0.0.0.0');
  const address = app.getHttpServer().address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  runtime.logger.info({ port: boundPort, instanceId: runtime.instanceId }, `${options.app} started`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      runtime.logger.info({}, `${options.app} stopping`);
      const timer = setTimeout(() => process.exit(1), options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      try {
        await app.close();
        await runtime.close();
      } finally {
        clearTimeout(timer);
      }
    })());
  return { app, runtime, bus, port: boundPort, stop };
}

/** main.ts helper: start, and drain on SIGTERM/SIGINT. */
export function runApp(options: AppBootstrapOptions): void {
  bootstrapApp(options)
    .then((running) => {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.once(signal, () => {
          void running.stop().then(() => process.exit(0));
        });
      }
    })
    .catch((error: unknown) => {
      // Config errors name the variable; print them plainly, not as a stack.
      console.error(`${options.app} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
}
