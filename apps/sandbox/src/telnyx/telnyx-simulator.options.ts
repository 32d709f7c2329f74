import { Clock, systemClock } from '@app/clock';
import { ProviderTimeline } from '../timeline/provider-timeline';
import { DEFAULT_OUTBOUND_RING_MS } from './call-lifecycle';
import { DEFAULT_COMMAND_LATENCY_MS } from './call-control.api';
import { DEFAULT_EAR_OPTIONS, EarOptions } from './ear';
import { DEFAULT_PLAYBACK_LENGTH_MS } from './playback.simulator';
import { CallerOptions, DEFAULT_CALLER_OPTIONS, ScriptedUtterance } from './scripted-caller';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookDeliveryOptions } from './webhook.sender';

/**
 * Everything the Telnyx simulator can be told, each with a named default. Every latency is
 * configurable; the defaults that sit on the caller's path to first audio are zero so the measure is
 * about our own code, and tests shorten the rest.
 */
/** Loopback only: the simulator is never meant to be reachable from outside the machine. */
export const DEFAULT_HOST = '127.0.0.1';
/** A Call Control App id, numeric like Telnyx's. */
export const DEFAULT_CONNECTION_ID = '2101012345678901234';
/** Time from `answer`/`streaming_start` to Telnyx opening the media WebSocket. */
export const DEFAULT_MEDIA_CONNECT_DELAY_MS = 0;

export interface TelnyxSimulatorOptions {
  host?: string;
  /** 0 (the default) lets the OS choose. */
  port?: number;
  /** When set, commands must carry `Authorization: Bearer <apiKey>`; otherwise any Bearer token passes. */
  apiKey?: string;
  /** Where webhooks go (the Call Control App's webhook URL); `webhook_url` on answer/dial overrides it. */
  webhookUrl?: string;
  connectionId?: string;
  clock?: Clock;
  /** Recorded by the LLM and TTS simulators; the report splits first-audio time with it. */
  timeline?: ProviderTimeline;
  /** Randomness of line noise and webhook chaos (inject a seeded one for repeatable runs). */
  random?: () => number;
  commandLatencyMs?: number;
  mediaConnectDelayMs?: number;
  outboundRingMs?: number;
  playbackLengthMs?: number;
  /** Codec of the simulated phone leg (PCMA is common outside North America). */
  callerCodec?: 'PCMU' | 'PCMA';
  callerAudio?: 'silence' | 'noise';
  webhooks?: Partial<WebhookDeliveryOptions>;
  caller?: Partial<CallerOptions>;
  ear?: Partial<EarOptions>;
  /** What the far end of a dialled call says once it answers (nothing: it just listens). */
  outboundScript?: ScriptedUtterance[];
}

export interface ResolvedSimulatorOptions {
  host: string;
  port: number;
  apiKey?: string;
  webhookUrl?: string;
  connectionId: string;
  clock: Clock;
  timeline?: ProviderTimeline;
  random: () => number;
  commandLatencyMs: number;
  mediaConnectDelayMs: number;
  outboundRingMs: number;
  playbackLengthMs: number;
  callerCodec: 'PCMU' | 'PCMA';
  callerAudio: 'silence' | 'noise';
  webhooks: WebhookDeliveryOptions;
  caller: CallerOptions;
  ear: EarOptions;
  outboundScript?: ScriptedUtterance[];
}

export function resolveSimulatorOptions(o: TelnyxSimulatorOptions): ResolvedSimulatorOptions {
  return {
    host: o.host ?? DEFAULT_HOST,
    port: o.port ?? 0,
    apiKey: o.apiKey,
    webhookUrl: o.webhookUrl,
    connectionId: o.connectionId ?? DEFAULT_CONNECTION_ID,
    clock: o.clock ?? systemClock,
    timeline: o.timeline,
    random: o.random ?? Math.random,
    commandLatencyMs: o.commandLatencyMs ?? DEFAULT_COMMAND_LATENCY_MS,
    mediaConnectDelayMs: o.mediaConnectDelayMs ?? DEFAULT_MEDIA_CONNECT_DELAY_MS,
    outboundRingMs: o.outboundRingMs ?? DEFAULT_OUTBOUND_RING_MS,
    playbackLengthMs: o.playbackLengthMs ?? DEFAULT_PLAYBACK_LENGTH_MS,
    callerCodec: o.callerCodec ?? 'PCMU',
    callerAudio: o.callerAudio ?? 'noise',
    webhooks: { ...DEFAULT_WEBHOOK_DELIVERY, ...o.webhooks },
    caller: { ...DEFAULT_CALLER_OPTIONS, ...o.caller },
    ear: { ...DEFAULT_EAR_OPTIONS, ...o.ear },
    outboundScript: o.outboundScript,
  };
}
