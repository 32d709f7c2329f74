import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import OpenAI from 'openai';
import { AppLogger } from '@app/telemetry';
import { LOGGER } from '@app/core';

/**
 * The first streaming request through the openai SDK costs ~25 ms of module loading and JIT before a
 * byte leaves the process (measured: 25 ms cold, ~1 ms warm), and the first caller of each process
 * would pay it. We pay it at start instead, against a loopback stub that answers like the real API:
 * no request leaves the machine.
 */
export const WARMUP_REQUESTS = 20;
const STUB_STREAM =
  'data: {"id":"w","object":"chat.completion.chunk","created":0,"model":"w","choices":[{"index":0,"delta":{"content":"ok."},"finish_reason":null}]}\n\n' +
  'data: [DONE]\n\n';

@Injectable()
export class LlmSdkWarmup implements OnApplicationBootstrap {
  constructor(@Inject(LOGGER) private readonly logger: AppLogger) {}

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(STUB_STREAM));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const started = performance.now();
    try {
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'warmup', maxRetries: 0 });
      for (let i = 0; i < WARMUP_REQUESTS; i++) {
        const stream = await client.chat.completions.create(
          { model: 'warmup', messages: [{ role: 'user', content: 'hi' }], stream: true },
          { headers: { 'x-call-id': 'warmup', 'x-turn-id': '0' } },
        );
        for await (const chunk of stream) void chunk;
      }
      this.logger.info({ warmupMs: Math.round(performance.now() - started) }, 'llm client warmed up');
    } catch (error) {
      this.logger.warn({ err: String(error) }, 'llm client warm-up failed (first turn may be slower)');
    } finally {
      server.close();
    }
  }
}
