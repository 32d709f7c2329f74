import { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer } from 'ws';
import { AppConfig } from '@app/config';
import { AppLogger } from '@app/telemetry';
import { CONFIG, LOGGER } from '@app/core';
import { MediaConnection } from './media-connection';
import { CallPlaybackRegistry } from '../calls/call-playback.registry';

export const MEDIA_PATH = '/media';
/** WebSocket close code 1001 "Going Away": the server is stopping. */
export const CLOSE_GOING_AWAY = 1001;

/** The WebSocket endpoint Telnyx connects to (`stream_url`), on the app's HTTP port. */
@Injectable()
export class MediaSocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly connections = new Set<MediaConnection>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly registry: CallPlaybackRegistry,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /** Every media socket closed (1001 going away): the drain is over, or was cut short. */
  closeAll(): void {
    for (const connection of this.connections) connection.close(CLOSE_GOING_AWAY, 'server shutting down');
  }

  onApplicationShutdown(): void {
    this.closeAll();
    this.wss.close();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== MEDIA_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const token = url.searchParams.get('token');
    if (!token) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new MediaConnection(ws, token, this.config.MEDIA_TOKEN_SECRET, this.registry, this.logger);
      this.connections.add(connection);
      ws.on('close', () => this.connections.delete(connection));
    });
  }
}
