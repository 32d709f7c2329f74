import 'reflect-metadata';
import express, { NextFunction, Request, Response } from 'express';
import { INestApplication } from '@nestjs/common';
import { CONTROL_STREAM, GATEWAY_INBOX_STREAM, GROUPS, METRICS_STREAM, PLAYBACK_EVENTS_STREAM } from '@app/contracts';
import { AppBootstrapOptions, runApp } from '@app/core';
import { CallGatewayModule } from './app.module';
import { TELNYX_WEBHOOK_PATH } from './webhook/telnyx-webhook.controller';
import { OUTBOUND_CALLS_PATH } from './outbound/outbound-calls.controller';
import { checkGatewayConfig } from './gateway-config';

/** `{to, from, agentId}` fits in a few hundred bytes; anything near this is not a call request. */
export const OUTBOUND_MAX_BODY_BYTES = 16 * 1024;

/** Both routes verify or parse the exact bytes themselves: keep them raw, refuse oversized ones (413) unread. */
function rawBodyRoute(app: INestApplication, path: string, limit: number): void {
  app.use(`/${path}`, express.raw({ type: () => true, limit }));
  app.use(`/${path}`, (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    // An oversized or unreadable body: answered here, quietly, before anything reads it.
    res.status(error.status ?? 400).json({ error: error.type ?? 'unreadable body' });
  });
}

export const callGatewayApp: AppBootstrapOptions = {
  app: 'call-gateway',
  module: (runtime) => {
    checkGatewayConfig(runtime.config);
    return CallGatewayModule.forRuntime(runtime);
  },
  port: (runtime) => runtime.config.GATEWAY_PORT,
  streams: () => [
    { stream: GATEWAY_INBOX_STREAM, group: GROUPS.gateway },
    { stream: PLAYBACK_EVENTS_STREAM, group: GROUPS.gateway, onUnhandled: 'ack' },
    { stream: METRICS_STREAM, group: GROUPS.metrics },
    // Broadcast: every replica frees its own timers of an ended call.
    { stream: CONTROL_STREAM, startId: '$' },
  ],
  configureHttp: (app, runtime) => {
    rawBodyRoute(app, TELNYX_WEBHOOK_PATH, runtime.config.WEBHOOK_MAX_BYTES);
    rawBodyRoute(app, OUTBOUND_CALLS_PATH, OUTBOUND_MAX_BODY_BYTES);
    app.use(express.json({ limit: '64kb' }));
  },
};

if (require.main === module) runApp(callGatewayApp);
