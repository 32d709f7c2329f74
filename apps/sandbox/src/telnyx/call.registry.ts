import { Clock } from '@app/clock';
import { Ear, EarOptions } from './ear';
import type { MediaStreamClient } from './media-stream.client';
import { newCallIds } from './telnyx-ids';

/**
 * Every simulated call and what happened to it: state, the commands it received (for assertions),
 * the media streams it opened, the caller's turns and the ear that listened to it.
 */
export enum CallState {
  /** Incoming call waiting for `answer` (Telnyx's `parked`). */
  Parked = 'parked',
  /** Outgoing call dialled, not yet answered by the far end. */
  Ringing = 'ringing',
  Answered = 'answered',
  Ended = 'ended',
}

export type CallDirection = 'incoming' | 'outgoing';
export type HangupSource = 'caller' | 'callee' | 'unknown';

export type CommandOutcome = 'ok' | 'duplicate' | 'call-ended' | 'not-answered' | 'invalid' | 'fault';

export interface CommandRecord {
  command: string;
  commandId?: string;
  body: Record<string, unknown>;
  receivedAt: number;
  status: number;
  outcome: CommandOutcome;
}

export interface TranscriptionState {
  active: boolean;
  interimResults: boolean;
  track: 'inbound' | 'outbound';
}

export interface TurnRecord {
  index: number;
  text: string;
  bargeIn: boolean;
  dtmf?: string;
  /** First transcription event (interim or final) of the utterance: when the caller started speaking. */
  utteranceStartedAt?: number;
  finalSentAt?: number;
  /** False when transcription was not running: Telnyx sends nothing then. */
  transcribed: boolean;
}

/** Fired on every change a waiter may care about (answered, stream opened or closed, ended). */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();

  on(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  fire(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export interface SimCall {
  readonly callControlId: string;
  readonly callLegId: string;
  readonly callSessionId: string;
  readonly connectionId: string;
  readonly direction: CallDirection;
  readonly from: string;
  readonly to: string;
  readonly startedAt: number;
  state: CallState;
  answeredAt?: number;
  endedAt?: number;
  hangupCause?: string;
  hangupSource?: HangupSource;
  /** Telnyx attaches the last client_state a command set to every later webhook. */
  clientState: string | null;
  webhookUrl?: string;
  transcription: TranscriptionState;
  readonly commands: CommandRecord[];
  /** command_id → when it was first accepted (epoch ms), for the 60 s dedupe. */
  readonly commandIds: Map<string, number>;
  readonly ear: Ear;
  stream?: MediaStreamClient;
  readonly streams: MediaStreamClient[];
  readonly turns: TurnRecord[];
  /** Webhook event types emitted for this call, in order (first deliveries only). */
  readonly events: string[];
  /** Aborted when the call ends: every wait on the call's behalf races it. */
  readonly lifetime: AbortController;
  readonly changes: ChangeSignal;
}

export interface NewCall {
  direction: CallDirection;
  from: string;
  to: string;
  connectionId: string;
  webhookUrl?: string;
  clientState?: string | null;
}

export class CallRegistry {
  private readonly calls = new Map<string, SimCall>();

  constructor(
    private readonly clock: Clock,
    private readonly earOptions: EarOptions,
  ) {}

  create(init: NewCall): SimCall {
    const call: SimCall = {
      ...newCallIds(),
      connectionId: init.connectionId,
      direction: init.direction,
      from: init.from,
      to: init.to,
      startedAt: this.clock.epochNow(),
      state: init.direction === 'incoming' ? CallState.Parked : CallState.Ringing,
      clientState: init.clientState ?? null,
      webhookUrl: init.webhookUrl,
      transcription: { active: false, interimResults: false, track: 'inbound' },
      commands: [],
      commandIds: new Map(),
      ear: new Ear(this.clock, this.earOptions),
      streams: [],
      turns: [],
      events: [],
      lifetime: new AbortController(),
      changes: new ChangeSignal(),
    };
    this.calls.set(call.callControlId, call);
    return call;
  }

  get(callControlId: string): SimCall | undefined {
    return this.calls.get(callControlId);
  }

  all(): SimCall[] {
    return [...this.calls.values()];
  }

  /** Resolves when the call ends (at once if it already has). */
  whenEnded(call: SimCall): Promise<void> {
    const signal = call.lifetime.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }
}
