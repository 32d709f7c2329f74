import { ProviderTimeline } from '../timeline/provider-timeline';
import { SimCall } from './call.registry';
import { GREETING_TURN } from './ear';

/**
 * What the caller experienced, turn by turn, split into the providers' share and ours:
 *   firstAudioMs = first audible frame heard − final transcript sent
 *   providerMs   = the ProviderTimeline's LLM + TTS share of the turn whose LLM request came first
 *                  at or after the final transcript (`turnAfter(callId, finalSentAt)`)
 *   overheadMs   = firstAudioMs − providerMs
 * bargeInToSilenceMs: from the moment the caller started speaking over the agent (first transcript
 * event of the utterance) to the moment the agent's audio stopped (cut by `clear`, or drained).
 * Times are epoch ms; durations are rounded to the microsecond to drop floating-point noise.
 */
export interface TurnReport {
  index: number;
  text: string;
  bargeIn: boolean;
  transcribed: boolean;
  utteranceStartedAt?: number;
  finalSentAt?: number;
  firstHeardAt?: number;
  firstAudioMs?: number;
  turnId?: string;
  providerMs?: number;
  stagesMs?: { llmRequest?: number; llmFirstTextDone?: number; ttsFirstText?: number; ttsFirstAudio?: number; firstHeard?: number };
  overheadMs?: number;
  gapsMs: number[];
  bargeInToSilenceMs?: number;
  /** Most audio queued ahead of real time during the turn, and how many frames exceeded the burst lead. */
  maxAheadMs: number;
  bursts: number;
}

export interface CallReport {
  callId: string;
  direction: string;
  from: string;
  to: string;
  answeredAt?: number;
  greeting: { firstHeardAt?: number; gapsMs: number[]; maxAheadMs: number; bursts: number };
  turns: TurnReport[];
  ended: boolean;
  hangupCause?: string;
  hangupSource?: string;
  /** `clear` frames received and the audio they discarded. */
  clears: Array<{ at: number; discardedMs: number }>;
}

export function buildCallReport(call: SimCall, timeline: ProviderTimeline | undefined, now: number): CallReport {
  const ear = call.ear;
  const callId = call.callControlId;
  const turns = call.turns.map((turn): TurnReport => {
    const firstHeardAt = turn.finalSentAt === undefined ? undefined : ear.firstAudibleAt(turn.index, now);
    const firstAudioMs = firstHeardAt !== undefined && turn.finalSentAt !== undefined ? round(firstHeardAt - turn.finalSentAt) : undefined;
    const timelineTurn = turn.finalSentAt !== undefined ? timeline?.turnAfter(callId, turn.finalSentAt) : undefined;
    const providerMs = timelineTurn ? timeline?.providerMs(callId, timelineTurn.turnId) : undefined;
    const stages = timelineTurn ? timeline?.stages(callId, timelineTurn.turnId) : undefined;
    const since = (at: number | undefined) => (at === undefined || turn.finalSentAt === undefined ? undefined : round(at - turn.finalSentAt));
    const silencedAt = ear.audibleEndBefore(turn.index);
    const interrupted = turn.utteranceStartedAt !== undefined && silencedAt !== undefined && silencedAt > turn.utteranceStartedAt && silencedAt <= now;
    return {
      index: turn.index,
      text: turn.text,
      bargeIn: turn.bargeIn,
      transcribed: turn.transcribed,
      utteranceStartedAt: turn.utteranceStartedAt,
      finalSentAt: turn.finalSentAt,
      firstHeardAt,
      firstAudioMs,
      turnId: timelineTurn?.turnId,
      providerMs: providerMs === undefined ? undefined : round(providerMs),
      overheadMs: firstAudioMs !== undefined && providerMs !== undefined ? round(firstAudioMs - providerMs) : undefined,
      gapsMs: ear.gapsMs(turn.index, now).map(round),
      ...(interrupted ? { bargeInToSilenceMs: round(silencedAt - turn.utteranceStartedAt!) } : {}),
      maxAheadMs: round(ear.maxAheadMs(turn.index)),
      // Each provider-side moment in ms after the final transcript: where the rest (ours) went.
      stagesMs: stages && {
        llmRequest: since(stages.llmRequestAt),
        llmFirstTextDone: since(stages.llmFirstTextDoneAt),
        ttsFirstText: since(stages.ttsFirstTextAt),
        ttsFirstAudio: since(stages.ttsFirstAudioAt),
        firstHeard: since(firstHeardAt === undefined ? undefined : firstHeardAt),
      },
      bursts: ear.bursts.filter((b) => b.turn === turn.index).length,
    };
  });
  return {
    callId,
    direction: call.direction,
    from: call.from,
    to: call.to,
    answeredAt: call.answeredAt,
    greeting: {
      firstHeardAt: ear.firstAudibleAt(GREETING_TURN, now),
      gapsMs: ear.gapsMs(GREETING_TURN, now).map(round),
      maxAheadMs: round(ear.maxAheadMs(GREETING_TURN)),
      bursts: ear.bursts.filter((b) => b.turn === GREETING_TURN).length,
    },
    turns,
    ended: call.state === 'ended',
    hangupCause: call.hangupCause,
    hangupSource: call.hangupSource,
    clears: ear.clears.map(({ at, discardedMs }) => ({ at, discardedMs: round(discardedMs) })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
