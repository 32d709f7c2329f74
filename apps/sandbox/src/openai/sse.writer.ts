import { ServerResponse } from 'node:http';

/**
 * Server-sent events as the API writes them: `text/event-stream`, one `data: <json>` line per chunk
 * followed by a blank line, and the terminating `data: [DONE]` (which the SDK recognises and never
 * parses). No `event:` names and no comments: the chat completions stream has neither.
 */
export class SseWriter {
  /** Resolves when the last event written has reached the socket. */
  private flushed: Promise<void> = Promise.resolve();

  constructor(private readonly res: ServerResponse) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.res.flushHeaders();
  }

  data(payload: unknown): void {
    if (this.closed) return;
    this.flushed = new Promise((resolve) => this.res.write(`data: ${JSON.stringify(payload)}\n\n`, () => resolve()));
  }

  done(): void {
    if (this.closed) return;
    this.res.write('data: [DONE]\n\n');
    this.res.end();
  }

  /**
   * Cuts the connection mid-stream, once the events already written are on the wire: the client gets
   * them, then a body with no terminating chunk, no finish chunk and no [DONE].
   */
  cut(): void {
    void this.flushed.then(() => {
      this.res.socket?.destroy();
      this.res.destroy();
    });
  }
}
