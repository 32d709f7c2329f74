import OpenAI from 'openai';
import { ProviderTimeline } from '../timeline/provider-timeline';
import { generateAnswer } from './answer.generator';
import { DEFAULT_OPENAI_API_KEY } from './openai.constants';
import { OpenAiSimulator } from './openai.simulator';
import { OpenAiSimulatorOptions } from './openai.options';
import { tokenize } from './tokenizer';

const FIRST_TOKEN_MS = 60;
const TOKENS_PER_SECOND = 200; // 5 ms per token keeps answers short in wall time
const SLACK_MS = 120;
const MODEL = 'gpt-4o-mini';
const QUESTION = 'What are your opening hours on Saturday?';

type Json = Record<string, unknown>;

describe('OpenAiSimulator chat completions', () => {
  let sim: OpenAiSimulator;
  let baseURL: string;
  let client: OpenAI;
  let timeline: ProviderTimeline;

  async function startSim(options: OpenAiSimulatorOptions = {}): Promise<void> {
    timeline = new ProviderTimeline();
    sim = new OpenAiSimulator({ firstTokenLatencyMs: FIRST_TOKEN_MS, tokensPerSecond: TOKENS_PER_SECOND, timeline, ...options });
    baseURL = (await sim.start()).url;
    client = new OpenAI({ baseURL, apiKey: DEFAULT_OPENAI_API_KEY, maxRetries: 0 });
  }

  afterEach(() => sim.close());

  const messages = (question = QUESTION): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You are a helpful phone agent.' },
    { role: 'user', content: question },
  ];

  it('streams through the SDK: the deterministic answer, token by token, first token after the latency', async () => {
    await startSim();
    const started = performance.now();
    const stream = await client.chat.completions.create({ model: MODEL, messages: messages(), stream: true });
    const deltas: { text: string; at: number }[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta?.content) deltas.push({ text: choice.delta.content, at: performance.now() - started });
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
    const answer = generateAnswer(QUESTION);
    expect(deltas.map((d) => d.text)).toEqual(tokenize(answer));
    expect(finish).toBe('stop');
    expect(deltas[0].at).toBeGreaterThanOrEqual(FIRST_TOKEN_MS - 1);
    expect(deltas[0].at).toBeLessThan(FIRST_TOKEN_MS + SLACK_MS);
    const expectedLast = FIRST_TOKEN_MS + ((deltas.length - 1) * 1000) / TOKENS_PER_SECOND;
    expect(deltas[deltas.length - 1].at).toBeGreaterThanOrEqual(expectedLast - 1);
    expect(deltas[deltas.length - 1].at).toBeLessThan(expectedLast + SLACK_MS);
    expect(sim.completedStreams).toBe(1);
    expect(sim.activeStreams).toBe(0);
  });

  it('writes the exact SSE framing: role chunk, content chunks, finish chunk, usage chunk, [DONE]', async () => {
    await startSim();
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_OPENAI_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: messages(), stream: true, stream_options: { include_usage: true } }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const raw = await res.text();
    const events = raw.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: ') && !e.slice(6).includes('\n'))).toBe(true);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as Json);

    const [first] = chunks;
    expect(Object.keys(first)).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage', 'obfuscation']);
    expect(first).toMatchObject({ object: 'chat.completion.chunk', model: MODEL, usage: null });
    expect((first.id as string).startsWith('chatcmpl-')).toBe(true);
    expect(first.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
    expect(chunks.every((c) => c.id === first.id && c.created === first.created)).toBe(true);

    const finishChunk = chunks[chunks.length - 2];
    expect(finishChunk.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    const usageChunk = chunks[chunks.length - 1];
    const completionTokens = tokenize(generateAnswer(QUESTION)).length;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ completion_tokens: completionTokens });
    const usage = usageChunk.usage as { prompt_tokens: number; total_tokens: number };
    expect(usage.total_tokens).toBe(usage.prompt_tokens + completionTokens);
    expect(chunks.slice(1, -2).every((c) => (c.choices as Json[])[0].finish_reason === null)).toBe(true);
    expect(chunks.slice(1, -2)).toHaveLength(completionTokens);
  });

  it('omits usage and obfuscation fields unless asked for', async () => {
    await startSim();
    const res = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEFAULT_OPENAI_API_KEY}` },
      body: JSON.stringify({ model: MODEL, messages: messages(), stream: true, stream_options: { include_obfuscation: false } }),
    });
    const first = JSON.parse((await res.text()).split('\n\n')[0].slice(6)) as Json;
    expect('usage' in first).toBe(false);
    expect('obfuscation' in first).toBe(false);
  });

  it('answers non-streaming requests with one chat.completion after the whole generation time', async () => {
    await startSim();
    const started = performance.now();
    const completion = await client.chat.completions.create({ model: MODEL, messages: messages() });
    const elapsed = performance.now() - started;
    const tokens = tokenize(generateAnswer(QUESTION)).length;
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toEqual({ role: 'assistant', content: generateAnswer(QUESTION), refusal: null, annotations: [] });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe(tokens);
    expect(elapsed).toBeGreaterThanOrEqual(FIRST_TOKEN_MS + ((tokens - 1) * 1000) / TOKENS_PER_SECOND - 1);
  });

  it('cuts the answer at max_tokens with finish_reason "length"', async () => {
    await startSim();
    const stream = await client.chat.completions.create({ model: MODEL, messages: messages(), stream: true, max_tokens: 5 });
    const parts: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) parts.push(chunk.choices[0].delta.content);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(parts).toEqual(tokenize(generateAnswer(QUESTION)).slice(0, 5));
    expect(finish).toBe('length');
  });

  it('plays scripted answers per call, in order, then falls back to the generator', async () => {
    await startSim();
    sim.scriptAnswers('call-9', 'Exactly this. And this.', 'Second turn.');
    const ask = async (callId: string) => {
      const stream = await client.chat.completions.create({ model: MODEL, messages: messages(), stream: true }, { headers: { 'x-call-id': callId } });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    };
    expect(await ask('call-9')).toBe('Exactly this. And this.');
    expect(await ask('other-call')).toBe(generateAnswer(QUESTION));
    expect(await ask('call-9')).toBe('Second turn.');
    expect(await ask('call-9')).toBe(generateAnswer(QUESTION));
  });

  it('records the request and every content chunk in the timeline under x-call-id / x-turn-id', async () => {
    await startSim();
    const headers = { 'x-call-id': 'call-1', 'x-turn-id': 'turn-1' };
    const stream = await client.chat.completions.create({ model: MODEL, messages: messages(), stream: true }, { headers });
    for await (const _chunk of stream) void _chunk;
    const turn = timeline.get('call-1', 'turn-1')!;
    expect(turn.llmChunks.map((c) => c.text).join('')).toBe(generateAnswer(QUESTION));
    expect(turn.llmChunks[0].at - turn.llmRequestAt!).toBeGreaterThanOrEqual(FIRST_TOKEN_MS - 1);
    expect(turn.llmChunks[0].at - turn.llmRequestAt!).toBeLessThan(FIRST_TOKEN_MS + SLACK_MS);
  });

  it('rejects a missing or wrong key with 401 in the API error shape', async () => {
    await startSim();
    const wrong = new OpenAI({ baseURL, apiKey: 'sk-wrong-key-123456', maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: MODEL, messages: messages() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const apiError = error as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(apiError.status).toBe(401);
    expect(apiError.code).toBe('invalid_api_key');
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.message).toContain('Incorrect API key provided: sk-************3456.');

    const res = await fetch(`${baseURL}/chat/completions`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: Json }).error).toMatchObject({ type: 'invalid_request_error', code: null, param: null });
  });

  it('answers bad bodies with 400 and unknown paths with 404, as the API does', async () => {
    await startSim();
    const post = (body: string, path = '/chat/completions') =>
      fetch(`${baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${DEFAULT_OPENAI_API_KEY}` }, body });
    const notJson = await post('{');
    expect(notJson.status).toBe(400);
    const noMessages = await post(JSON.stringify({ model: MODEL }));
    expect(((await noMessages.json()) as { error: Json }).error).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
    const unknown = await post('{}', '/completions');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: Json }).error.message).toBe('Invalid URL (POST /v1/completions)');
  });
});
