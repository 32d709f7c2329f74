import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  BusMessage,
  CONTROL_STREAM,
  PLAYBACK_EVENTS_STREAM,
  PLAYBACK_REST_STREAM,
  PlaybackAssignMessage,
  audioStream,
  callKey,
  decodeMessage,
  message,
  signMediaToken,
} from '@app/contracts';
import { BusPublisher } from '@app/bus';
import { RunningApp, bootstrapApp } from '@app/core';
import { createLogger } from '@app/telemetry';
import { TelnyxCommands } from '@app/telnyx';
import { SimCall, TelnyxSimulator } from '../../../sandbox/src/telnyx';
import { eventually } from '../../../sandbox/src/telnyx/testing/eventually';
import { TestRedis, startTestRedis } from '../../../../test/support/redis-server';
import { playbackWorkerApp } from '../main';
import { CallPlaybackRegistry } from '../calls/call-playback.registry';
import { SentenceSpec } from '../calls/streaming-playback.harness';
import { PlaybackWebhookForwarder } from './playback-webhooks.harness';

export { until } from './until.harness';

/*
 * End-to-end rig for the playback-worker: a private Redis, the Telnyx simulator in-process (its ear
 * hears what a caller would), and a real playback-worker started with bootstrapApp. The test stands in
 * for the other services: it writes the call's hash and answers the call as the gateway would,
 * publishes audio as the tts-worker would, and forwards Telnyx playback webhooks into the call's audio
 * stream as the gateway does (PlaybackWebhookForwarder).
 */
export const MEDIA_SECRET = 'playback-e2e-media-token-secret-0123';
/** Agents of the rig: μ-law and A-law streaming, and REST playback. */
export const AGENTS = { ulaw: 'stream-ulaw', alaw: 'stream-alaw', rest: 'rest-agent' } as const;
const AGENTS_YAML = `defaultAgent: ${AGENTS.ulaw}
agents:
  - { id: ${AGENTS.ulaw}, playback: { mode: stream, codec: PCMU } }
  - { id: ${AGENTS.alaw}, playback: { mode: stream, codec: PCMA } }
  - { id: ${AGENTS.rest}, playback: { mode: rest, codec: PCMU } }
`;
/** A caller that never speaks nor hangs up on its own: tests end calls themselves. */
const PATIENT_CALLER = { pauseMs: 1e9, answerTimeoutMs: 1e9, responseTimeoutMs: 1e9, mediaTimeoutMs: 1e9 };

export interface RigOptions {
  callerCodec?: 'PCMU' | 'PCMA';
  /** How long the simulator plays an MP3 it cannot read (REST playback). */
  playbackLengthMs?: number;
}

export class PlaybackRig {
  client!: Redis;
  publisher!: BusPublisher;
  worker!: RunningApp;
  readonly sim: TelnyxSimulator;
  private redis!: TestRedis;
  private webhooks!: PlaybackWebhookForwarder;
  private commands!: TelnyxCommands;
  private nextCall = 0;
  private agentsDir?: string;
  private workerClosed?: Promise<void>;

  constructor(private readonly options: RigOptions = {}) {
    this.sim = new TelnyxSimulator({
      callerAudio: 'silence',
      callerCodec: options.callerCodec,
      playbackLengthMs: options.playbackLengthMs,
      caller: PATIENT_CALLER,
    });
  }

  async start(): Promise<this> {
    this.redis = await startTestRedis();
    this.client = new Redis(this.redis.url);
    this.publisher = new BusPublisher(this.client);
    this.webhooks = new PlaybackWebhookForwarder(this.sim.publicKeyBase64, this.publisher);
    this.sim.setWebhookUrl(await this.webhooks.start());
    const { baseUrl } = await this.sim.start();
    const dir = (this.agentsDir = mkdtempSync(join(tmpdir(), 'playback-rig-')));
    writeFileSync(join(dir, 'agents.yaml'), AGENTS_YAML);
    this.worker = await bootstrapApp(playbackWorkerApp, {
      REDIS_URL: this.redis.url,
      PLAYBACK_PORT: '0',
      LOG_LEVEL: process.env.RIG_LOG_LEVEL ?? 'silent',
      MEDIA_TOKEN_SECRET: MEDIA_SECRET,
      TELNYX_BASE_URL: baseUrl,
      TELNYX_API_KEY: 'rig-telnyx-key',
      AGENTS_FILE: join(dir, 'agents.yaml'),
      INSTANCE_ID: 'playback-rig',
      PATH: process.env.PATH,
    });
    this.commands = new TelnyxCommands({ apiKey: 'rig', baseURL: baseUrl, logger: createLogger('rig', 'silent') });
    return this;
  }

  get registry(): CallPlaybackRegistry {
    return this.worker.app.get(CallPlaybackRegistry);
  }

  get httpBase(): string {
    return `http://127.0.0.1:${this.worker.port}`;
  }

  mediaUrl(callId: string, token: string | null = signMediaToken(callId, MEDIA_SECRET)): string {
    return `ws://127.0.0.1:${this.worker.port}/media${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  }

  /**
   * An incoming call answered as the gateway would: its hash written (turn 1, speaking), and media
   * streaming to the worker unless the agent plays over REST. Resolves once the worker plays it.
   */
  async placeCall(agentId: string = AGENTS.ulaw, codec: 'PCMU' | 'PCMA' = 'PCMU'): Promise<{ callId: string; call: SimCall }> {
    const { callId } = this.sim.placeCall({ from: '+15550001111', to: `+1555010${String(this.nextCall++).padStart(4, '0')}`, script: [] });
    await this.client.hset(callKey(callId), { callId, agentId, state: 'speaking', turnId: '1' });
    const streaming = agentId !== AGENTS.rest;
    const body = streaming
      ? { stream_url: this.mediaUrl(callId), stream_track: 'inbound_track' as const, stream_bidirectional_mode: 'rtp' as const, stream_bidirectional_codec: codec }
      : {};
    await this.commands.answer(callId, `${callId}:answer`, body);
    if (streaming) await eventually(() => this.registry.get(callId), 'the worker to take the call', 5000);
    return { callId, call: this.sim.call(callId)! };
  }

  /** A sentence as the tts-worker publishes it: chunks (its text on chunk 0), then `audio.end`. */
  async publishSentence(callId: string, spec: SentenceSpec): Promise<void> {
    const size = spec.chunkBytes ?? spec.audio.length;
    const base = { callId, turnId: spec.turnId, seq: spec.seq, fence: spec.fence ?? 1 };
    let chunks = 0;
    for (let offset = 0; offset < spec.audio.length; offset += size, chunks++) {
      const payload = spec.audio.subarray(offset, offset + size).toString('base64');
      const text = chunks === 0 ? spec.text : undefined;
      await this.publish(audioStream(callId), message('audio', { ...base, chunk: chunks, format: spec.format ?? 'ulaw_8000', payload, text, at: Date.now() }));
    }
    await this.publish(audioStream(callId), message('audio.end', { ...base, chunks, last: spec.last ?? false, at: Date.now() }));
  }

  publish(stream: string, entry: BusMessage): Promise<string> {
    return this.publisher.publish(stream, entry);
  }

  cancel(callId: string, turnId: string): Promise<string> {
    return this.publish(CONTROL_STREAM, message('turn.cancel', { callId, turnId, reason: 'barge-in', at: Date.now() }));
  }

  assign(callId: string, reason: PlaybackAssignMessage['reason']): Promise<string> {
    return this.publish(PLAYBACK_REST_STREAM, message('playback.assign', { callId, agentId: AGENTS.rest, reason, at: Date.now() }));
  }

  /** The caller hangs up: the gateway marks the call ended and tells every service. */
  async hangup(callId: string): Promise<void> {
    this.sim.hangup(callId);
    await this.client.hset(callKey(callId), 'state', 'ended');
    await this.publish(CONTROL_STREAM, message('call.ended', { callId, reason: 'normal_clearing', at: Date.now() }));
    await eventually(() => !this.registry.get(callId), 'the worker to release the call', 5000);
  }

  /** What the worker reported about the call (playback.started / finished, turn.heard), in order. */
  async playbackEvents(callId: string): Promise<BusMessage[]> {
    const entries = await this.client.xrange(PLAYBACK_EVENTS_STREAM, '-', '+');
    const decoded = entries.map(([, fields]) => decodeMessage(fields));
    return decoded.flatMap((d) => (d.ok && 'callId' in d.message && d.message.callId === callId ? [d.message] : []));
  }

  /** One sample of a Prometheus series from the worker's /metrics (0 when absent). */
  async metric(series: string): Promise<number> {
    const text = await (await fetch(`${this.httpBase}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `) || l.startsWith(`${series}{`));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  }

  /**
   * The worker's SIGTERM shutdown (drain included), once. `app.close()` runs the same hooks as
   * RunningApp.stop(), which would also arm bootstrap's 10 s process.exit timer: that timer outlives
   * this file in a jest worker and would kill whichever test file runs next there.
   */
  closeWorker(): Promise<void> {
    this.workerClosed ??= (async () => {
      await this.worker.app.close();
      await this.worker.runtime.close();
    })();
    return this.workerClosed;
  }

  async stop(): Promise<void> {
    // Calls a failed test left up end first: the worker's drain would otherwise wait for them.
    for (const call of this.sim.calls()) if (this.worker && this.registry.get(call.callControlId)) await this.hangup(call.callControlId);
    if (this.worker) await this.closeWorker();
    await this.sim.close();
    await this.webhooks?.close();
    this.client?.disconnect();
    await this.redis?.stop();
    if (this.agentsDir) rmSync(this.agentsDir, { recursive: true, force: true });
  }
}
