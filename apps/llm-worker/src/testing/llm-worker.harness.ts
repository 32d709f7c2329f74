import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  CONTROL_STREAM,
  CancelReason,
  PLAYBACK_EVENTS_STREAM,
  SentenceMessage,
  TURNS_STREAM,
  callKey,
  decodeMessage,
  historyKey,
  message,
  shardOf,
  ttsShardStream,
} from '@app/contracts';
import { BusPublisher } from '@app/bus';
import { RunningApp, bootstrapApp } from '@app/core';
import { AnswerContext, OpenAiSimulator, OpenAiSimulatorOptions } from '../../../sandbox/src/openai';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { HistoryEntry } from '../history/conversation-history.store';
import { llmWorkerApp } from '../main';

/**
 * The llm-worker as the rest of the system sees it: a private Redis, OpenAI simulators in this process
 * (one per worker, so a test knows which instance sent which request) and real llm-workers started with
 * bootstrapApp. The test plays the gateway (the call's hash, `turn` entries, cancels on the control lane)
 * and the playback-worker (`turn.heard`), and reads the `sentence` entries off the call's shard stream.
 */
export const SIM_KEY = 'sk-sim-llm-worker-test';
/** The worker's default shard count: the test computes the shard stream exactly as the worker does. */
export const TEST_SHARDS = 64;
/** Over the simulator's first-token latency, far under a failing attempt's slow first token. */
export const TEST_FIRST_TOKEN_TIMEOUT_MS = 300;

export const AGENTS = {
  defaultAgent: 'main',
  agents: [
    { id: 'main', systemPrompt: 'You are a test agent.', llm: { firstTokenTimeoutMs: TEST_FIRST_TOKEN_TIMEOUT_MS, apology: 'Sorry, please say that again.' } },
    /** Each test turn of this agent costs 30 characters: 70 keeps the two newest turns. */
    { id: 'tight', systemPrompt: 'You are a test agent.', llm: { firstTokenTimeoutMs: TEST_FIRST_TOKEN_TIMEOUT_MS, historyBudgetChars: 70 } },
  ],
};

/** Fast provider by default: the simulator's defaults are real-service latencies. */
export const FAST_LLM: OpenAiSimulatorOptions = { firstTokenLatencyMs: 10, tokensPerSecond: 500 };

export interface SentenceEntry {
  id: string;
  message: SentenceMessage;
}

/** One request the simulator received: who asked (x-call-id / x-turn-id) and the messages sent. */
export type LlmRequest = Pick<AnswerContext, 'callId' | 'turnId' | 'messages'>;

export class LlmWorkerRig {
  redis!: Redis;
  readonly simulators: OpenAiSimulator[] = [];
  readonly workers: RunningApp[] = [];
  /** Requests per simulator, in arrival order. */
  readonly requests: LlmRequest[][] = [];
  /** Answers by `${callId}/${turnId}`; unanswered requests get `defaultAnswer`. */
  readonly answers = new Map<string, string>();
  private server?: TestRedis;
  private publisher!: BusPublisher;
  private agentsFile = '';

  constructor(private readonly simulatorOptions: OpenAiSimulatorOptions = FAST_LLM) {}

  async start(instances = 1): Promise<void> {
    this.server = await startTestRedis();
    this.redis = new Redis(this.server.url);
    this.publisher = new BusPublisher(this.redis);
    this.agentsFile = join(mkdtempSync(join(tmpdir(), 'llm-worker-test-')), 'agents.json');
    writeFileSync(this.agentsFile, JSON.stringify(AGENTS));
    for (let i = 0; i < instances; i++) {
      const log: LlmRequest[] = [];
      this.requests.push(log);
      const simulator = new OpenAiSimulator({
        apiKey: SIM_KEY,
        ...this.simulatorOptions,
        answer: (context) => {
          log.push({ callId: context.callId, turnId: context.turnId, messages: context.messages });
          return this.answers.get(`${context.callId}/${context.turnId}`) ?? defaultAnswer(context.question);
        },
      });
      this.simulators.push(simulator);
      const { url } = await simulator.start();
      this.workers.push(await bootstrapApp(llmWorkerApp, this.env(`llm-${i + 1}`, url)));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop().catch(() => undefined)));
    await Promise.all(this.simulators.map((s) => s.close()));
    this.redis?.disconnect();
    await this.server?.stop();
  }

  get simulator(): OpenAiSimulator {
    return this.simulators[0];
  }

  /** Every request of every simulator (which worker sent it is the index in `requests`). */
  allRequests(): LlmRequest[] {
    return this.requests.flat();
  }

  requestsFor(callId: string, turnId?: string): LlmRequest[] {
    return this.allRequests().filter((r) => r.callId === callId && (turnId === undefined || r.turnId === turnId));
  }

  private env(instanceId: string, openAiUrl: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      REDIS_URL: this.server!.url,
      OPENAI_BASE_URL: openAiUrl,
      OPENAI_API_KEY: SIM_KEY,
      AGENTS_FILE: this.agentsFile,
      LLM_HEALTH_PORT: '0',
      INSTANCE_ID: instanceId,
      LOG_LEVEL: process.env.LLM_TEST_LOG_LEVEL ?? 'silent',
    };
  }

  // ── playing the gateway and the playback-worker ───────────────────────────────────────────────

  /** The gateway made `turnId` the call's current turn and is listening for the answer. */
  async currentTurn(callId: string, turnId: string, agentId = 'main'): Promise<void> {
    await this.redis.hset(callKey(callId), { callId, agentId, state: 'listening', turnId });
  }

  /** Publishes a user turn on `turns` (the hash is left as it is). Returns the entry id. */
  publishTurn(callId: string, turnId: string, text: string, agentId = 'main'): Promise<string> {
    const now = Date.now();
    return this.publisher.publish(TURNS_STREAM, message('turn', { callId, turnId, agentId, text, finalAt: now, at: now }));
  }

  /** The gateway's way: the turn becomes current, then it is published. */
  async turn(callId: string, turnId: string, text: string, agentId = 'main'): Promise<string> {
    await this.currentTurn(callId, turnId, agentId);
    return this.publishTurn(callId, turnId, text, agentId);
  }

  /** Returns the cancel's entry id and its `at`. */
  async cancel(callId: string, turnId: string, reason: CancelReason = 'barge-in'): Promise<{ id: string; at: number }> {
    const at = Date.now();
    const id = await this.publisher.publish(CONTROL_STREAM, message('turn.cancel', { callId, turnId, reason, at }));
    return { id, at };
  }

  heard(callId: string, turnId: string, text: string, complete: boolean): Promise<string> {
    return this.publisher.publish(PLAYBACK_EVENTS_STREAM, message('turn.heard', { callId, turnId, text, complete, at: Date.now() }));
  }

  // ── what came out ─────────────────────────────────────────────────────────────────────────────

  shardStream(callId: string): string {
    return ttsShardStream(shardOf(callId, TEST_SHARDS));
  }

  /** The turn's sentences on the call's shard stream, in stream order. */
  async sentences(callId: string, turnId?: string): Promise<SentenceEntry[]> {
    const entries = await this.redis.xrange(this.shardStream(callId), '-', '+');
    const out: SentenceEntry[] = [];
    for (const [id, fields] of entries) {
      const decoded = decodeMessage(fields);
      if (!decoded.ok) throw new Error(`undecodable entry ${id}: ${decoded.reason}`);
      const m = decoded.message;
      if (m.type === 'sentence' && m.callId === callId && (turnId === undefined || m.turnId === turnId)) out.push({ id, message: m });
    }
    return out;
  }

  /** Waits for the turn's `last` sentence and returns all of the turn's sentences. */
  async answered(callId: string, turnId: string, timeoutMs = 10_000): Promise<SentenceEntry[]> {
    let found: SentenceEntry[] = [];
    await waitUntil(async () => (found = await this.sentences(callId, turnId)).some((s) => s.message.last), `the answer to turn ${turnId} of ${callId}`, timeoutMs);
    return found;
  }

  async history(callId: string): Promise<HistoryEntry[]> {
    return (await this.redis.lrange(historyKey(callId), 0, -1)).map((raw) => JSON.parse(raw) as HistoryEntry);
  }
}

/** A deterministic three-sentence answer, long enough to be cut and cancelled mid-way. */
export function defaultAnswer(question: string): string {
  return `You asked about ${question.replace(/[.?!]+$/, '')}, and that is a fine question. The short answer is yes, within reason. Is there anything else?`;
}

/** Stream ids compare by (ms, seq): negative when a is older. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, pollMs = 15): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}
