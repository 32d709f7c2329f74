import type { CallLifecycleMessage, CallState, TurnMetricsMessage } from '@app/contracts';
import { TURN_MARKS, TurnMark } from '@app/telemetry/turn-marks';

/**
 * The data of `npm run inspect`: a call's lifecycle and each turn's waterfall, computed from the stream
 * entries without I/O (so it is tested on fixed input). `--json` prints this object as it is.
 */

/** How each stage reads in the waterfall, in the order of TURN_MARKS (the order a turn passes them). */
export const STAGE_LABELS: Record<TurnMark, string> = {
  finalAt: 'final transcript',
  turnPublishedAt: 'turn published',
  llmFirstTokenAt: 'LLM first token',
  firstSentenceAt: 'first sentence',
  ttsTextSentAt: 'TTS text sent',
  ttsFirstByteAt: 'TTS first byte',
  firstFrameSentAt: 'first frame sent',
  firstHeardAt: 'first heard',
};

export interface StageRow {
  mark: TurnMark;
  label: string;
  reached: boolean;
  /** Epoch ms of the stage (absent when not reached). */
  at?: number;
  /** Since the turn's first reached stage. */
  offsetMs?: number;
  /** Since the previous reached stage: this stage's share of the total. */
  shareMs?: number;
}

export interface TurnWaterfall {
  turnId: string;
  cancelled: boolean;
  stages: StageRow[];
  /** First reached stage to last reached stage (final transcript to first heard for a complete turn). */
  totalMs?: number;
  from?: string;
  to?: string;
  /** Silences between the turn's sentences as the caller heard them, when they were recorded. */
  gapsMs: number[];
}

export interface LifecycleStep {
  state: CallState;
  at: number;
  /** Since the call's first recorded state. */
  offsetMs: number;
  detail?: string;
}

export interface CallWaterfall {
  callId: string;
  agentId?: string;
  lifecycle: LifecycleStep[];
  turns: TurnWaterfall[];
}

/** One turn's `turn.metrics` entry, with the gaps the entry carried if any. */
export interface TurnRecord {
  metrics: TurnMetricsMessage;
  gapsMs?: number[];
}

/** Shown to a tenth of a ms: finer than a telephone frame (20 ms) needs, coarse enough to read. */
const tenth = (ms: number): number => Math.round(ms * 10) / 10;

export function buildTurnWaterfall({ metrics, gapsMs = [] }: TurnRecord): TurnWaterfall {
  let origin: number | undefined;
  let previous: number | undefined;
  const stages = TURN_MARKS.map((mark): StageRow => {
    const at = metrics[mark];
    const label = STAGE_LABELS[mark];
    if (at === undefined) return { mark, label, reached: false };
    origin ??= at;
    const row = { mark, label, reached: true, at, offsetMs: tenth(at - origin), shareMs: tenth(at - (previous ?? at)) };
    previous = at;
    return row;
  });
  const reached = stages.filter((stage) => stage.reached);
  const turn: TurnWaterfall = { turnId: metrics.turnId, cancelled: metrics.cancelled === true, stages, gapsMs: gapsMs.map(tenth) };
  if (reached.length === 0) return turn;
  const first = reached[0];
  const last = reached[reached.length - 1];
  return { ...turn, totalMs: tenth(last.at! - first.at!), from: first.label, to: last.label };
}

/** Turns in turn order (one per turn id: the latest entry wins), the lifecycle in time order. */
export function buildCallWaterfall(callId: string, lifecycle: CallLifecycleMessage[], turns: TurnRecord[]): CallWaterfall {
  const byTurn = new Map<string, TurnRecord>();
  for (const record of turns) byTurn.set(record.metrics.turnId, record);
  const ordered = [...byTurn.values()].sort((a, b) => Number(a.metrics.turnId) - Number(b.metrics.turnId));
  const states = [...lifecycle].sort((a, b) => a.at - b.at);
  const start = states[0]?.at ?? 0;
  return {
    callId,
    agentId: states[0]?.agentId,
    lifecycle: states.map((s) => ({ state: s.state, at: s.at, offsetMs: tenth(s.at - start), ...(s.detail ? { detail: s.detail } : {}) })),
    turns: ordered.map(buildTurnWaterfall),
  };
}
