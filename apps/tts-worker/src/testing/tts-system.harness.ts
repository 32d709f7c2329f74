import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { CONTROL_STREAM, audioStream, callKey, message, shardOf, ttsShardStream } from '@app/contracts';
import { BusPublisher } from '@app/bus';
import { RunningApp, bootstrapApp } from '@app/core';
import { ElevenLabsSimulator, type ElevenLabsSimulatorOptions } from '../../../sandbox/src/elevenlabs';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { ttsWorkerApp } from '../main';
import { AudioLog, readAudioLog } from './audio-log.harness';

/**
 * The tts-worker as the rest of the system sees it, for end-to-end tests: a private Redis, the
 * ElevenLabs simulator in this process (faults injected through its API), and real tts-workers
 * (in-process via bootstrapApp, or as processes). The test plays the gateway and the llm-worker:
 * it writes the call's hash, publishes `tts.open` / `sentence` / `tts.close` to the call's shard
 * stream and cancels on the control lane, then reads what came out on `audio:{callId}`.
 */
export const SIM_KEY = 'sim-elevenlabs-key';
/** Few shards, so that a handful of calls spread over them and over two or three workers. */
export const TEST_SHARDS = 8;
/** Leases lapse fast in tests: a killed worker's shards move within ~1.5 s. */
export const TEST_LEASE_TTL_MS = 1_500;
/** Fast provider: the simulator's defaults are real-service latencies; tests need not wait for them. */
export const FAST_SIMULATOR: ElevenLabsSimulatorOptions = { handshakeLatencyMs: 40, firstByteLatencyMs: 40, generationSpeed: 8 };

export const AGENTS = {
  defaultAgent: 'socket',
  agents: [
    { id: 'socket' },
    { id: 'rest', tts: { usePersistentTts: false } },
    { id: 'stream-input', tts: { protocol: 'stream-input' } },
  ],
};

export interface SentenceSpec {
  text: string;
  /** Wait this long before publishing it (an LLM producing sentences one by one). */
  afterMs?: number;
}

export class TtsSystem {
  redis!: Redis;
  simulator!: ElevenLabsSimulator;
  elevenlabsUrl = '';
  readonly workers: RunningApp[] = [];
  private server?: TestRedis;
  private publisher!: BusPublisher;
  private agentsFile = '';

  /** `external`: the base URL of an ElevenLabs (simulator) running elsewhere; none is started here. */
  constructor(
    private readonly simulatorOptions: ElevenLabsSimulatorOptions = FAST_SIMULATOR,
    private readonly external?: string,
  ) {}

  get redisUrl(): string {
    return this.server!.url;
  }

  async start(): Promise<void> {
    this.server = await startTestRedis();
    this.redis = new Redis(this.server.url);
    this.publisher = new BusPublisher(this.redis);
    if (this.external) {
      this.elevenlabsUrl = this.external;
    } else {
      this.simulator = new ElevenLabsSimulator({ apiKey: SIM_KEY, ...this.simulatorOptions });
      this.elevenlabsUrl = (await this.simulator.start()).url;
    }
    this.agentsFile = join(mkdtempSync(join(tmpdir(), 'tts-e2e-')), 'agents.json');
    writeFileSync(this.agentsFile, JSON.stringify(AGENTS));
  }

  /** The environment a tts-worker gets (in-process or as a process). */
  env(instanceId: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      REDIS_URL: this.server!.url,
      ELEVENLABS_BASE_URL: this.elevenlabsUrl,
      ELEVENLABS_API_KEY: SIM_KEY,
      AGENTS_FILE: this.agentsFile,
      TTS_SHARDS: String(TEST_SHARDS),
      TTS_LEASE_TTL_MS: String(TEST_LEASE_TTL_MS),
      TTS_HEALTH_PORT: '0',
      INSTANCE_ID: instanceId,
      LOG_LEVEL: process.env.TTS_E2E_LOG_LEVEL ?? 'silent',
      ...extra,
    };
  }

  async startWorker(instanceId = `tts-${this.workers.length + 1}`, extra: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
    const worker = await bootstrapApp(ttsWorkerApp, this.env(instanceId, extra));
    this.workers.push(worker);
    return worker;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop().catch(() => undefined)));
    await this.simulator?.close();
    this.redis?.disconnect();
    await this.server?.stop();
  }

  // ── playing the gateway and the llm-worker ─────────────────────────────────────────────────────

  shardStream(callId: string): string {
    return ttsShardStream(shardOf(callId, TEST_SHARDS));
  }

  /** The call was answered: its hash, then `tts.open` (the socket is opened warm). */
  async openCall(callId: string, agentId = 'socket'): Promise<void> {
    await this.redis.hset(callKey(callId), { callId, agentId, state: 'answered', turnId: '0' });
    await this.publisher.publish(this.shardStream(callId), message('tts.open', { callId, agentId, at: Date.now() }));
  }

  /** A new turn is current (the gateway minted it). */
  async beginTurn(callId: string, turnId: string): Promise<void> {
    await this.redis.hset(callKey(callId), { turnId, state: 'speaking' });
  }

  async sentence(callId: string, turnId: string, seq: number, text: string, last: boolean): Promise<void> {
    await this.publisher.publish(this.shardStream(callId), message('sentence', { callId, turnId, seq, text, last, kind: 'user', at: Date.now() }));
  }

  /** A whole answer, sentence by sentence (pauses as given); the last one ends the turn. */
  async answer(callId: string, turnId: string, sentences: SentenceSpec[], firstSeq = 0): Promise<void> {
    await this.beginTurn(callId, turnId);
    for (let i = 0; i < sentences.length; i++) {
      if (sentences[i].afterMs) await sleep(sentences[i].afterMs!);
      await this.sentence(callId, turnId, firstSeq + i, sentences[i].text, i === sentences.length - 1);
    }
  }

  /** Barge-in: the turn is cancelled on the control lane. */
  async cancel(callId: string, turnId: string): Promise<void> {
    await this.redis.hset(callKey(callId), { bargedTurn: turnId });
    await this.publisher.publish(CONTROL_STREAM, message('turn.cancel', { callId, turnId, reason: 'barge-in', at: Date.now() }));
  }

  async hangup(callId: string): Promise<void> {
    await this.redis.hset(callKey(callId), { state: 'ended' });
    await this.publisher.publish(CONTROL_STREAM, message('call.ended', { callId, reason: 'normal_clearing', at: Date.now() }));
    await this.publisher.publish(this.shardStream(callId), message('tts.close', { callId, at: Date.now() }));
  }

  /** The call's sockets on the simulator that are open now. */
  openSockets(callId: string): number {
    return this.simulator.sockets().filter((s) => s.callId === callId && s.state === 'open').length;
  }

  // ── what came out ──────────────────────────────────────────────────────────────────────────────

  audio(callId: string): Promise<AudioLog> {
    return readAudioLog(this.redis, audioStream(callId));
  }

  /** Waits until the turn's last `audio.end` is on the call's audio stream. */
  async turnDone(callId: string, turnId: string, timeoutMs = 15_000): Promise<AudioLog> {
    let log: AudioLog | undefined;
    await waitUntil(async () => (log = await this.audio(callId)).turnComplete(turnId), `turn ${turnId} of ${callId} complete`, timeoutMs);
    return log!;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, pollMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

/** GET a worker's path on its health port. */
export async function httpGet(worker: { port: number }, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${worker.port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** One sample of a metric from a /metrics text (0 when absent). */
export function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(name) && (labels === '' || l.includes(labels)) && !l.startsWith('#'));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}
