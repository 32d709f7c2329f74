import OpenAI from 'openai';
import { ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_OPENAI_API_KEY } from './openai.constants';
import { OpenAiSimulator } from './openai.simulator';

const FIRST_TOKEN_MS = 40;
const TOKENS_PER_SECOND = 50; // 20 ms per token: room to abort mid-answer
const SLACK_MS = 120;
const MODEL = 'gpt-4o-mini';
const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'How long does a refund take?' }];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OpenAiSimulator faults and aborts', () => {
  let sim: OpenAiSimulator;
  let client: OpenAI;
  let baseURL: string;
  let timeline: ProviderTimeline;

  beforeEach(async () => {
    timeline = new ProviderTimeline();
    sim = new OpenAiSimulator({ firstTokenLatencyMs: FIRST_TOKEN_MS, tokensPerSecond: TOKENS_PER_SECOND, timeline });
    baseURL = (await sim.start()).url;
    client = new OpenAI({ baseURL, apiKey: DEFAULT_OPENAI_API_KEY, maxRetries: 0 });
  });

  afterEach(() => sim.close());

  async function collect(stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>): Promise<string[]> {
    const parts: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) parts.push(chunk.choices[0].delta.content);
    return parts;
  }

  it('stops generating the moment the client aborts, and counts the aborted stream', async () => {
    const controller = new AbortController();
    const headers = { 'x-call-id': 'call-1', 'x-turn-id': 'turn-1' };
    const stream = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true }, { signal: controller.signal, headers });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) received++;
      if (received === 3) controller.abort();
    }
    await sleep(30);
    expect(sim.abortedStreams).toBe(1);
    expect(sim.activeStreams).toBe(0);
    const sentAtAbort = timeline.get('call-1', 'turn-1')!.llmChunks.length;
    expect(sentAtAbort).toBeLessThanOrEqual(4); // at most the token already in flight
    await sleep(100); // 5 more token intervals: nothing more may be generated
    expect(timeline.get('call-1', 'turn-1')!.llmChunks.length).toBe(sentAtAbort);
    expect(sim.completedStreams).toBe(0);
  });

  it('slows the first token of the next N requests only', async () => {
    sim.slowFirstToken(150, 1);
    const time = async () => {
      const started = performance.now();
      const stream = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true, max_tokens: 1 });
      await collect(stream);
      return performance.now() - started;
    };
    const slow = await time();
    const fast = await time();
    expect(slow).toBeGreaterThanOrEqual(FIRST_TOKEN_MS + 150 - 1);
    expect(fast).toBeLessThan(FIRST_TOKEN_MS + SLACK_MS);
    expect(fast).toBeLessThan(FIRST_TOKEN_MS + 150);
  });

  it('answers 429 with retry-after and the rate-limit error body for the next N requests', async () => {
    sim.rateLimit(2, 2);
    for (let i = 0; i < 2; i++) {
      const error = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      const e = error as InstanceType<typeof OpenAI.RateLimitError>;
      expect(e.status).toBe(429);
      expect(e.code).toBe('rate_limit_exceeded');
      expect(e.headers?.get('retry-after')).toBe('2');
      expect(e.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    }
    expect((await collect(await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true }))).length).toBeGreaterThan(5);
  });

  it('lets the SDK honour retry-after and succeed on its retry', async () => {
    sim.rateLimit(1, 1);
    const retrying = new OpenAI({ baseURL, apiKey: DEFAULT_OPENAI_API_KEY, maxRetries: 1 });
    const started = performance.now();
    const parts = await collect(await retrying.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true, max_tokens: 2 }));
    expect(parts).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('answers 500 server_error for the next N requests', async () => {
    sim.serverError(1);
    const error = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).type).toBe('server_error');
    await collect(await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true, max_tokens: 1 }));
  });

  it('cuts the stream mid-answer: the SDK iteration fails after the tokens already sent', async () => {
    sim.cutStream(1, 4);
    const stream = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, stream: true });
    const parts: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta?.content) parts.push(chunk.choices[0].delta.content);
    })().catch((e: unknown) => e);
    // undici reports the cut body as TypeError('terminated') (from its own realm, hence no instanceof).
    expect((failure as { message?: string } | undefined)?.message).toMatch(/terminated|socket|closed/i);
    expect(parts).toHaveLength(4);
    expect(sim.cutStreams).toBe(1);
    expect(sim.activeStreams).toBe(0);
  });

  it('applies queued faults to successive requests in the order they were armed', async () => {
    sim.serverError(1);
    sim.rateLimit(1);
    const first = await client.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch((e: unknown) => e);
    const second = await client.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch((e: unknown) => e);
    expect((first as { status?: number }).status).toBe(500);
    expect((second as { status?: number }).status).toBe(429);
  });
});
