import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * A WebSocket server standing in for our playback-worker: Telnyx (the simulator) connects to it.
 * It keeps every frame received, per connection, and sends what the test tells it to.
 */
export class MediaPeer {
  readonly connections: Array<{ socket: WebSocket; url: string; headers: Record<string, unknown>; frames: any[]; closed: boolean }> = [];
  private server?: WebSocketServer;

  async start(): Promise<string> {
    this.server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.server.on('connection', (socket, req) => {
      const connection = { socket, url: req.url ?? '', headers: req.headers as Record<string, unknown>, frames: [] as any[], closed: false };
      this.connections.push(connection);
      socket.on('message', (data) => connection.frames.push(JSON.parse(data.toString())));
      socket.on('close', () => (connection.closed = true));
    });
    await new Promise<void>((r) => this.server!.once('listening', () => r()));
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/media`;
  }

  get last() {
    return this.connections[this.connections.length - 1];
  }

  frames(event: string, connection = this.last): any[] {
    return connection ? connection.frames.filter((f) => f.event === event) : [];
  }

  send(frame: unknown, connection = this.last): void {
    connection.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendAudio(payload: Buffer, connection = this.last): void {
    this.send({ event: 'media', media: { payload: payload.toString('base64') } }, connection);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
