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

  onApplicationShutdown(): void {
    for (const connection of this.connections) connection.close(1001, 'server shutting down');
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
