import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';

/**
 * A round-robin TCP load balancer for the multi-replica tests, standing in for the Ingress / Service in
 * front of the gateways (webhooks) and the playback-workers (Telnyx's media WebSocket): each new
 * connection goes to the next backend; a backend that refuses is skipped. Backends are set and changed
 * at run time (a replica removed before its SIGTERM, as Kubernetes takes a terminating pod out of the
 * endpoints; its replacement added once ready).
 */
export class TcpBalancer {
  /** Connections handed to each backend port so far. */
  readonly connections = new Map<number, number>();
  private backends: number[] = [];
  private next = 0;
  private readonly open = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TcpBalancer> {
    const server = createServer();
    const balancer = new TcpBalancer(server);
    server.on('connection', (client) => balancer.route(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return balancer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  setBackends(ports: number[]): void {
    this.backends = [...ports];
  }

  removeBackend(port: number): void {
    this.backends = this.backends.filter((p) => p !== port);
  }

  addBackend(port: number): void {
    if (!this.backends.includes(port)) this.backends.push(port);
  }

  async close(): Promise<void> {
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private route(client: Socket, attempt = 0): void {
    this.track(client);
    if (this.backends.length === 0 || attempt >= this.backends.length) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next++ % this.backends.length];
    client.pause();
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    this.track(upstream);
    upstream.once('connect', () => {
      connected = true;
      this.connections.set(port, (this.connections.get(port) ?? 0) + 1);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      const closeBoth = () => {
        client.destroy();
        upstream.destroy();
      };
      client.once('close', closeBoth);
      upstream.once('close', closeBoth);
    });
    upstream.once('error', () => {
      // Refused before connecting: try the next backend; after connecting the 'close' handler ends both.
      if (!connected && !client.destroyed) {
        upstream.destroy();
        this.route(client, attempt + 1);
      }
    });
    client.on('error', () => upstream.destroy());
  }

  private track(socket: Socket): void {
    if (this.open.has(socket)) return;
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}
