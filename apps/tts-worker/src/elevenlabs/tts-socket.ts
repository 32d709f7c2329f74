import WebSocket from 'ws';

/**
 * The little of a WebSocket the session needs, behind a factory so that tests (or another client
 * library) can stand in. The default uses `ws`.
 */
export interface TtsSocket {
  send(data: string): void;
  /** Starts the close handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the connection at once. */
  terminate(): void;
  readonly isOpen: boolean;
}

export interface TtsSocketHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(code: number, reason: string): void;
  /** Connection errors; `statusCode` is set when the HTTP upgrade was refused. */
  onError(error: Error & { statusCode?: number }): void;
}

export type CreateSocket = (url: string, headers: Record<string, string>, handlers: TtsSocketHandlers) => TtsSocket;

export const createWsSocket: CreateSocket = (url, headers, handlers) => {
  // No handshakeTimeout here: the session times the handshake on its injected clock.
  const ws = new WebSocket(url, { headers, perMessageDeflate: false });
  ws.on('open', () => handlers.onOpen());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return; // the service only sends JSON text frames
    handlers.onMessage(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString());
  });
  ws.on('close', (code, reason) => handlers.onClose(code, reason.toString('utf8')));
  // Always listened to: an 'error' without a listener would crash the process.
  ws.on('error', (error) => handlers.onError(error));
  ws.on('unexpected-response', (request, response) => {
    const status = response.statusCode ?? 0;
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (body.length < 500) body += chunk;
    });
    let reported = false;
    const report = () => {
      if (reported) return;
      reported = true;
      handlers.onError(Object.assign(new Error(body || `upgrade refused with HTTP ${status}`), { statusCode: status }));
      request.destroy();
    };
    response.once('end', report);
    response.once('error', report);
  });
  return {
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
  };
};
