import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  BusMessage,
  GATEWAY_INBOX_STREAM,
  GROUPS,
  LIFECYCLE_STREAM,
  PLAYBACK_EVENTS_STREAM,
  SentenceMessage,
  decodeMessage,
  message,
  shardOf,
  ttsShardStream,
} from '@app/contracts';
import { BusPublisher } from '@app/bus';
import { FakeClock } from '@app/clock';
import { RunningApp, bootstrapApp } from '@app/core';
import { TestRedis, startTestRedis } from '../../../test/support/redis-server';
import { telnyxEvent, telnyxKeyPair } from '../../../test/support/telnyx-webhooks';
import { DEFAULT_CONNECTION_ID, TelnyxSimulator, TelnyxSimulatorOptions } from '../../sandbox/src/telnyx';
import { MediaPeer } from '../../sandbox/src/telnyx/testing/media-peer';
import { callGatewayApp } from '../src/main';
import { WebhookRelay } from './webhook-relay.harness';
import { stopInProcess, waitUntil } from './wait.harness';

export { WAIT_MS, settle, waitUntil } from './wait.harness';

export const API_KEY = 'KEY_GATEWAY_TEST';
export const OUTBOUND_TOKEN = 'outbound-test-token-0123456789';
export const MEDIA_SECRET = 'media-token-secret-for-gateway-tests';
/** The scripted caller never gives up on its own during a test (the test ends the call). */
const CALLER_PATIENCE_MS = 600_000;
/** Few shards keep the tests' shard streams easy to read; the gateway computes the same shard. */
const TTS_SHARDS = 4;

export interface HarnessOptions {
  agents: unknown;
  env?: NodeJS.ProcessEnv;
  simulator?: TelnyxSimulatorOptions;
}

/**
 * One real gateway (bootstrapApp, real HTTP, real bus) on a private Redis, its Call Control commands
 * going to an in-process Telnyx simulator, whose webhooks reach the gateway through a relay that signs
 * them with the test's key. The gateway's clock is a FakeClock (epoch at real "now", so signatures
 * stay in their window): dead-air timers fire when the test advances it; the bus runs on real time.
 */
export class GatewayHarness {
  readonly clock = new FakeClock(0, Date.now());
  readonly keys = telnyxKeyPair();
  redis!: TestRedis;
  client!: Redis;
  sim!: TelnyxSimulator;
  relay!: WebhookRelay;
  peer!: MediaPeer;
  gateway!: RunningApp;
  /** Where the media stream_url points (the MediaPeer standing in for the playback-workers). */
  mediaBaseUrl!: string;
  /** The simulator's Call Control API base URL (ends in /v2). */
  simBaseUrl!: string;
  private publisher!: BusPublisher;

  static async start(options: HarnessOptions): Promise<GatewayHarness> {
    const harness = new GatewayHarness();
    await harness.startAll(options);
    return harness;
  }

  get url(): string {
    return `http://127.0.0.1:${this.gateway.port}`;
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.gateway.app.get(type);
  }

  /** An incoming call from the simulator's caller (who then just waits): its call_control_id. */
  placeCall(to: string, from = '+15550123456'): string {
    return this.sim.placeCall({ from, to, script: [] }).callId;
  }

  /** A webhook of the test's own, signed with the key the gateway trusts: its event id and the HTTP status. */
  async inject(type: string, callId: string, payload: Record<string, unknown> = {}, id?: string): Promise<{ id: string; status: number }> {
    const body = telnyxEvent(type, { call_control_id: callId, ...payload }, id);
    const eventId = (JSON.parse(body) as { data: { id: string } }).data.id;
    return { id: eventId, status: await this.relay.post(body) };
  }

  transcript(callId: string, transcript: string, isFinal: boolean): Promise<{ id: string; status: number }> {
    return this.inject('call.transcription', callId, {
      transcription_data: { transcript, is_final: isFinal, confidence: 0.9, transcription_track: 'inbound' },
    });
  }

  /** What a playback-worker reports: the caller started / finished hearing the turn. */
  async playback(kind: 'playback.started' | 'playback.finished', callId: string, turnId: string): Promise<void> {
    await this.publisher.publish(PLAYBACK_EVENTS_STREAM, message(kind, { callId, turnId, at: this.clock.epochNow() }));
  }

  /** Every message of a stream (decoded), optionally only the call's. */
  async messages(stream: string, callId?: string): Promise<BusMessage[]> {
    const entries = await this.client.xrange(stream, '-', '+');
    return entries
      .map(([, fields]) => decodeMessage(fields))
      .flatMap((decoded) => (decoded.ok ? [decoded.message] : []))
      .filter((m) => callId === undefined || ('callId' in m && m.callId === callId));
  }

  /** The call's lifecycle states, in order. */
  async lifecycle(callId: string): Promise<string[]> {
    return (await this.messages(LIFECYCLE_STREAM, callId)).map((m) => (m.type === 'call.lifecycle' ? m.state : m.type));
  }

  /** What the gateway sent to the call's TTS shard (tts.open, sentences, tts.close). */
  shard(callId: string): Promise<BusMessage[]> {
    return this.messages(ttsShardStream(shardOf(callId, TTS_SHARDS)), callId);
  }

  async sentences(callId: string): Promise<SentenceMessage[]> {
    return (await this.shard(callId)).filter((m): m is SentenceMessage => m.type === 'sentence');
  }

  /** The first sentence of `kind` (the greeting is turn 1), waited for. */
  waitForSentence(callId: string, kind: SentenceMessage['kind'], text?: string): Promise<SentenceMessage> {
    return waitUntil(
      async () => (await this.sentences(callId)).find((s) => s.kind === kind && (text === undefined || s.text === text)),
      `a ${kind} sentence of ${callId}`,
    );
  }

  /** Inbox entries read and not acked yet (a failed or unfinished handling). */
  async inboxPending(): Promise<number> {
    const reply = (await this.client.xpending(GATEWAY_INBOX_STREAM, GROUPS.gateway)) as [number, ...unknown[]];
    return Number(reply[0]);
  }

  async stop(): Promise<void> {
    if (this.gateway) await stopInProcess(this.gateway);
    await this.sim?.close();
    await this.relay?.close();
    await this.peer?.close();
    this.client?.disconnect();
    await this.redis?.stop();
  }

  private async startAll(options: HarnessOptions): Promise<void> {
    this.redis = await startTestRedis();
    this.client = new Redis(this.redis.url);
    this.publisher = new BusPublisher(this.client);
    this.peer = new MediaPeer();
    this.mediaBaseUrl = (await this.peer.start()).replace(/\/media$/, '');
    this.relay = new WebhookRelay(() => `${this.url}/webhooks/telnyx`, this.keys.privateKey);
    this.sim = new TelnyxSimulator({
      apiKey: API_KEY,
      callerAudio: 'silence',
      outboundRingMs: 50,
      webhooks: { retryDelayMs: 100 },
      caller: { answerTimeoutMs: CALLER_PATIENCE_MS, mediaTimeoutMs: CALLER_PATIENCE_MS, responseTimeoutMs: CALLER_PATIENCE_MS },
      ...options.simulator,
    });
    const { baseUrl } = await this.sim.start();
    this.simBaseUrl = baseUrl;
    this.sim.setWebhookUrl(await this.relay.start());
    const agentsFile = join(mkdtempSync(join(tmpdir(), 'gateway-agents-')), 'agents.json');
    writeFileSync(agentsFile, JSON.stringify(options.agents));
    const clock = this.clock;
    this.gateway = await bootstrapApp(
      { ...callGatewayApp, module: (runtime) => callGatewayApp.module({ ...runtime, clock }) },
      {
        REDIS_URL: this.redis.url,
        GATEWAY_PORT: '0',
        LOG_LEVEL: 'silent',
        AGENTS_FILE: agentsFile,
        TELNYX_BASE_URL: baseUrl,
        TELNYX_API_KEY: API_KEY,
        TELNYX_PUBLIC_KEY: this.keys.publicKeyBase64,
        TELNYX_CONNECTION_ID: DEFAULT_CONNECTION_ID,
        MEDIA_PUBLIC_URL: this.mediaBaseUrl,
        MEDIA_TOKEN_SECRET: MEDIA_SECRET,
        OUTBOUND_API_TOKEN: OUTBOUND_TOKEN,
        TTS_SHARDS: String(TTS_SHARDS),
        ...options.env,
      },
    );
  }
}
