import type { BenchReport, LevelFigures } from './bench-report';
import type { Summary } from './bench-stats';

/**
 * The issue's latency goals, checked against a run's report (never by timed unit tests). Each check
 * says met / MISSED with the figure it judged, or "not measured" when the run had no sample for it.
 */
/** The load at which the overhead goals are judged: 100 concurrent calls on a 2-core machine. */
export const GOAL_CALLS = 100;
/** Our share of first audio, the median turn: invisible next to ~600 ms of provider time. */
export const OVERHEAD_P50_GOAL_MS = 5;
/** Our share of first audio, the 1-in-100 turn. */
export const OVERHEAD_P99_GOAL_MS = 15;
/** A hole between sentences a listener does not notice as a pause (20 ms = one telephony frame). */
export const GAP_P99_GOAL_MS = 20;
/** From the caller talking over the agent to silence: within a frame of our own time. */
export const BARGE_IN_P99_GOAL_MS = 10;
/** "At least 60 % lower than the baseline": persistent / baseline first-audio p50 ≤ 0.4. */
export const FIRST_AUDIO_RATIO_GOAL = 0.4;

export type GoalStatus = 'met' | 'MISSED' | 'not measured';

export interface GoalCheck {
  id: 'overhead-p50' | 'overhead-p99' | 'gaps-p99' | 'first-audio-vs-baseline' | 'barge-in-p99';
  goal: string;
  status: GoalStatus;
  /** The figure judged, with where it comes from. */
  figure: string;
  /** For a missed goal: the same figure at the lightest level, and whether the judged level was contended. */
  why?: string;
}

export function checkGoals(report: Omit<BenchReport, 'goals'>): GoalCheck[] {
  const goalLevel = report.levels.find((l) => l.calls === GOAL_CALLS) ?? largest(report.levels);
  const at = goalLevel ? ` at ${goalLevel.calls} calls${goalLevel.calls === GOAL_CALLS ? '' : ` (no ${GOAL_CALLS}-call level in this run)`}` : '';
  const lightest = report.levels.reduce<LevelFigures | undefined>((a, b) => (!a || b.calls < a.calls ? b : a), undefined);
  const overhead = (l: LevelFigures) => l.overheadMs;
  return [
    explain(threshold('overhead-p50', `our overhead p50 ≤ ${OVERHEAD_P50_GOAL_MS} ms at ${GOAL_CALLS} calls`, goalLevel?.overheadMs, 'p50', OVERHEAD_P50_GOAL_MS, at), goalLevel, lightest, overhead, 'p50', OVERHEAD_P50_GOAL_MS),
    explain(threshold('overhead-p99', `our overhead p99 ≤ ${OVERHEAD_P99_GOAL_MS} ms at ${GOAL_CALLS} calls`, goalLevel?.overheadMs, 'p99', OVERHEAD_P99_GOAL_MS, at), goalLevel, lightest, overhead, 'p99', OVERHEAD_P99_GOAL_MS),
    worstLevel('gaps-p99', `gaps we insert p99 ≤ ${GAP_P99_GOAL_MS} ms`, report.levels, (l) => l.gapsMs, GAP_P99_GOAL_MS, lightest),
    firstAudioGoal(report),
    worstLevel('barge-in-p99', `barge-in to silence p99 ≤ ${BARGE_IN_P99_GOAL_MS} ms`, report.levels, (l) => l.bargeInMs, BARGE_IN_P99_GOAL_MS, lightest),
  ];
}

/**
 * Why a goal was missed, from the run's own evidence: the same figure at the lightest level (what is
 * ours even without load) and whether the judged level was contended (its figure is then an upper bound).
 */
function explain(
  check: GoalCheck,
  judged: LevelFigures | undefined,
  lightest: LevelFigures | undefined,
  pick: (l: LevelFigures) => Summary,
  key: 'p50' | 'p99',
  limit: number,
): GoalCheck {
  if (check.status !== 'MISSED' || !judged) return check;
  const reasons: string[] = [];
  if (lightest && lightest !== judged && pick(lightest).count > 0) {
    const light = `${key} ${pick(lightest)[key]} ms at ${plural(lightest.calls, 'call')}`;
    reasons.push(pick(lightest)[key] > limit ? `already ${light}: our own time, without load` : `${light}: within the goal without load, so the load costs it`);
  }
  if (judged.contended) reasons.push(`the ${judged.calls}-call level was contended (see its note), so its figure is an upper bound`);
  return reasons.length > 0 ? { ...check, why: reasons.join('; ') } : check;
}

function threshold(id: GoalCheck['id'], goal: string, summary: Summary | undefined, key: 'p50' | 'p99', limit: number, where: string): GoalCheck {
  if (!summary || summary.count === 0) return { id, goal, status: 'not measured', figure: `no turn was measured${where}` };
  return { id, goal, status: summary[key] <= limit ? 'met' : 'MISSED', figure: `${key} ${summary[key]} ms${where}` };
}

/** Judged at the level where the figure is worst, so a goal is met only if every level meets it. */
function worstLevel(
  id: GoalCheck['id'],
  goal: string,
  levels: readonly LevelFigures[],
  pick: (l: LevelFigures) => Summary,
  limit: number,
  lightest: LevelFigures | undefined,
): GoalCheck {
  const measured = levels.filter((l) => pick(l).count > 0);
  if (measured.length === 0) return { id, goal, status: 'not measured', figure: 'no sample in this run' };
  const worst = measured.reduce((a, b) => (pick(b).p99 > pick(a).p99 ? b : a));
  const all = measured.length > 1 ? ` (worst of ${measured.map((l) => l.calls).join('/')} calls: at ${worst.calls})` : ` at ${worst.calls} calls`;
  const check: GoalCheck = { id, goal, status: pick(worst).p99 <= limit ? 'met' : 'MISSED', figure: `p99 ${pick(worst).p99} ms${all}, ${plural(pick(worst).count, 'sample')}` };
  return explain(check, worst, lightest, pick, 'p99', limit);
}

function firstAudioGoal(report: Omit<BenchReport, 'goals'>): GoalCheck {
  const id = 'first-audio-vs-baseline';
  const goal = `first audio ≥ ${Math.round((1 - FIRST_AUDIO_RATIO_GOAL) * 100)} % lower than the per-turn REST baseline`;
  if (!report.baseline.available) return { id, goal, status: 'not measured', figure: `baseline unavailable: ${report.baseline.reason}` };
  if (report.firstAudioRatio === null) return { id, goal, status: 'not measured', figure: 'no level measured both modes' };
  const calls = report.firstAudioRatioCalls;
  const persistent = report.levels.find((l) => l.calls === calls)!.firstAudioMs.p50;
  const baseline = report.baseline.levels.find((l) => l.calls === calls)!.firstAudioMs.p50;
  const lower = Math.round((1 - report.firstAudioRatio) * 100);
  return {
    id,
    goal,
    status: report.firstAudioRatio <= FIRST_AUDIO_RATIO_GOAL ? 'met' : 'MISSED',
    figure: `${lower} % lower: p50 ${persistent} vs ${baseline} ms at ${calls} calls (ratio ${report.firstAudioRatio})`,
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function largest(levels: readonly LevelFigures[]): LevelFigures | undefined {
  return levels.reduce<LevelFigures | undefined>((a, b) => (!a || b.calls > a.calls ? b : a), undefined);
}
