import 'reflect-metadata';
import express, { NextFunction, Request, Response } from 'express';
import { GATEWAY_INBOX_STREAM, GROUPS, METRICS_STREAM, PLAYBACK_EVENTS_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { CallGatewayModule } from './app.module';
import { TELNYX_WEBHOOK_PATH } from './webhook/telnyx-webhook.controller';

export const callGatewayApp: AppBootstrapOptions = {
  app: 'call-gateway',
  module: (runtime) => CallGatewayModule.forRuntime(runtime),
  port: (runtime) => runtime.config.GATEWAY_PORT,
  streams: () => [
    { stream: GATEWAY_INBOX_STREAM, group: GROUPS.gateway },
    { stream: PLAYBACK_EVENTS_STREAM, group: GROUPS.gateway, onUnhandled: 'ack' },
    { stream: METRICS_STREAM, group: GROUPS.metrics },
  ],
  configureHttp: (app, runtime) => {
    // The signature covers the exact bytes: keep them raw, and refuse oversized bodies (413) before reading them.
    app.use(`/${TELNYX_WEBHOOK_PATH}`, express.raw({ type: () => true, limit: runtime.config.WEBHOOK_MAX_BYTES }));
    app.use(`/${TELNYX_WEBHOOK_PATH}`, (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (!error) return next();
      // An oversized or unreadable body: answered here, quietly, before anything reads it.
      res.status(error.status ?? 400).json({ error: error.type ?? 'unreadable body' });
    });
    app.use(express.json({ limit: '64kb' }));
  },
};

if (require.main === module) runApp(callGatewayApp);
