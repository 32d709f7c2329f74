import { BenchMode } from './bench-call-plan';
import { contentionNote, contentionReasons } from './bench-contention';
import { GoalCheck, checkGoals } from './bench-goals';
import { ServiceUsage } from './bench-proc-sampler';
import { Summary, ratio, roundFigure, summarise } from './bench-stats';
import { CallReport } from './sandbox-client';

/**
 * From what the simulated callers heard (the sandbox's call reports) and what /proc said about each
 * process, the figures of one level, and the whole run's report (`--json` prints it as it is).
 *
 * Per turn: first audio = final transcript → first audio heard; our overhead = first audio − the
 * providers' share (LLM + TTS time on the path, from the simulators' timeline); the gap figure is the
 * turn's largest hole between sentences, 0 for a seamless turn, so "p99 gap" reads "99 % of turns had no
 * hole longer than this"; barge-in = the caller starting to talk over the agent → the agent's audio
 * stopping.
 */
/** Processes that are not ours (the simulators, the benchmark itself): excluded from the per-call cost. */
export function isOurs(service: string): boolean {
  return !service.startsWith('sandbox') && service !== 'bench-driver';
}

/** What the runner measured for one level of one mode. */
export interface LevelRun {
  mode: BenchMode;
  calls: number;
  /** Calls whose script barges in once. */
  bargeInCalls: number;
  reports: CallReport[];
  /** Calls that could not be placed, or whose report could not be read. */
  failures: string[];
  durationMs: number;
  usage: ServiceUsage[];
  /** The whole machine's CPU during the level, % of one core. */
  machineCpuPercent?: number;
  /** Round trips of the sandbox's health check during the level (see bench-lag-probe). */
  sandboxLagMs: number[];
}

export interface LevelFigures {
  calls: number;
  completedCalls: number;
  turnsMeasured: number;
  turnsWithoutAudio: number;
  firstAudioMs: Summary;
  providerMs: Summary;
  overheadMs: Summary;
  gapsMs: Summary;
  bargeInMs: Summary;
  /**
   * Where our overhead went, per heard turn: final transcript → LLM request; LLM's first text complete →
   * TTS received it; TTS's first audio → the caller heard it. The three add up to our overhead.
   */
  overheadStagesMs: { toLlm: Summary; llmToTts: Summary; ttsToEar: Summary };
  /** % of one core, mean over the level, per service (sandbox and the bench's own driver included). */
  cpuPercent: Record<string, number>;
  cpuPeakPercent: Record<string, number>;
  /** Peak resident memory during the level, MB, per service. */
  rssMb: Record<string, number>;
  /** Our services' (apps + Redis) CPU and RSS growth over the level, divided by its calls. */
  perCall: { cpuPercent: number; rssMb: number };
  /** The whole machine, and what of it went to processes outside the benchmark (other users). */
  machineCpuPercent: number | null;
  otherCpuPercent: number | null;
  /** How late the sandbox answered a trivial request during the level. */
  sandboxLagMs: Summary;
  /** Whether the simulators or other processes lacked CPU: the figures are then upper bounds (see notes). */
  contended: boolean;
  durationS: number;
  notes: string[];
}

export interface BaselineSection {
  available: boolean;
  reason?: string;
  levels: LevelFigures[];
}

export interface RunSettings {
  turns: number;
  bargeInShare: number;
  staggerMs: number;
  /** The simulators' layout: "single" process or "split" in three. */
  sandbox: string;
  /** A --capacity run: the per-call cost is the point. */
  capacity: boolean;
  providers: Record<string, number>;
  machine: { cores: number; cpu: string };
}

export interface BenchReport {
  settings: RunSettings;
  levels: LevelFigures[];
  baseline: BaselineSection;
  /** First-audio p50, persistent / baseline, at the largest level both modes measured. */
  firstAudioRatio: number | null;
  firstAudioRatioCalls: number | null;
  firstAudioRatioByLevel: Record<string, number>;
  goals: GoalCheck[];
  notes: string[];
  logDir: string;
}

/**
 * How many calls our services (apps + Redis) could carry on `cores` at the per-call CPU measured, by
 * linear extrapolation: an upper bound, since latency degrades well before the CPU is all used.
 */
export function callsPerMachine(perCallCpuPercent: number, cores: number): number | undefined {
  return perCallCpuPercent > 0 ? Math.floor((cores * 100) / perCallCpuPercent) : undefined;
}

export function levelFigures(run: LevelRun): LevelFigures {
  const turns = run.reports.flatMap((r) => r.turns);
  const heard = turns.filter((t) => t.firstAudioMs !== undefined);
  const cpuPercent: Record<string, number> = {};
  const cpuPeakPercent: Record<string, number> = {};
  const rssMb: Record<string, number> = {};
  for (const u of run.usage) {
    cpuPercent[u.service] = u.cpuPercent;
    cpuPeakPercent[u.service] = u.cpuPeakPercent;
    rssMb[u.service] = u.rssMb;
  }
  const ours = run.usage.filter((u) => isOurs(u.service));
  const perCallCpu = run.calls > 0 ? ours.reduce((sum, u) => sum + u.cpuPercent, 0) / run.calls : 0;
  const perCallRss = run.calls > 0 ? Math.max(0, ours.reduce((sum, u) => sum + u.rssMb - u.rssStartMb, 0)) / run.calls : 0;
  const completedCalls = run.reports.filter((r) => r.ended).length;
  const notes: string[] = [];
  if (completedCalls < run.calls) notes.push(`${run.calls - completedCalls} of ${run.calls} calls did not complete in time`);
  if (turns.length > heard.length) notes.push(`${turns.length - heard.length} of ${turns.length} turns were never heard`);
  notes.push(...run.failures.slice(0, 3));
  if (run.failures.length > 3) notes.push(`... and ${run.failures.length - 3} more failures`);
  const sandboxLagMs = summarise(run.sandboxLagMs);
  const sampled = run.usage.reduce((sum, u) => sum + u.cpuPercent, 0);
  const otherCpuPercent = run.machineCpuPercent === undefined ? null : roundFigure(Math.max(0, run.machineCpuPercent - sampled));
  const contention = contentionReasons({ usage: run.usage, sandboxLagMs, otherCpuPercent });
  const note = contentionNote(contention);
  if (note) notes.push(note);
  return {
    calls: run.calls,
    completedCalls,
    turnsMeasured: heard.length,
    turnsWithoutAudio: turns.length - heard.length,
    firstAudioMs: summarise(heard.map((t) => t.firstAudioMs)),
    providerMs: summarise(heard.map((t) => t.providerMs)),
    overheadMs: summarise(heard.map((t) => t.overheadMs)),
    gapsMs: summarise(heard.map((t) => (t.gapsMs.length > 0 ? Math.max(...t.gapsMs) : 0))),
    bargeInMs: summarise(turns.map((t) => t.bargeInToSilenceMs)),
    overheadStagesMs: {
      toLlm: summarise(heard.map((t) => t.stagesMs?.llmRequest)),
      llmToTts: summarise(heard.map((t) => difference(t.stagesMs?.ttsFirstText, t.stagesMs?.llmFirstTextDone))),
      ttsToEar: summarise(heard.map((t) => difference(t.stagesMs?.firstHeard, t.stagesMs?.ttsFirstAudio))),
    },
    cpuPercent,
    cpuPeakPercent,
    rssMb,
    perCall: { cpuPercent: roundFigure(perCallCpu, 2), rssMb: roundFigure(perCallRss, 2) },
    machineCpuPercent: run.machineCpuPercent ?? null,
    otherCpuPercent,
    sandboxLagMs,
    contended: contention.length > 0,
    durationS: roundFigure(run.durationMs / 1000),
    notes,
  };
}

function difference(later: number | undefined, earlier: number | undefined): number | undefined {
  return later === undefined || earlier === undefined ? undefined : later - earlier;
}

/** Why the baseline cannot be compared, or undefined when it can (at least one turn heard). */
export function baselineUnavailableReason(runs: readonly LevelRun[]): string | undefined {
  const turns = runs.flatMap((r) => r.reports.flatMap((c) => c.turns));
  if (turns.some((t) => t.firstAudioMs !== undefined)) return undefined;
  if (turns.length === 0) {
    const failure = runs.flatMap((r) => r.failures)[0];
    return `no baseline call reached a turn${failure ? ` (${failure})` : ''}`;
  }
  const greetings = runs.flatMap((r) => r.reports).filter((c) => c.greeting?.firstHeardAt !== undefined).length;
  return (
    `the caller heard nothing in REST mode: 0 of ${turns.length} turns and ${greetings} greetings had audio ` +
    '(baseline-rest plays through Telnyx playback_start: no playback reached the caller, see the playback-worker log)'
  );
}

export interface ReportInput {
  settings: RunSettings;
  persistent: LevelRun[];
  baseline: LevelRun[];
  /** Set when the baseline was found unusable before (or instead of) running its levels. */
  baselineUnavailable?: string;
  notes?: string[];
  logDir: string;
}

export function buildReport(input: ReportInput): BenchReport {
  const levels = input.persistent.map(levelFigures);
  const reason = input.baselineUnavailable ?? (input.baseline.length > 0 ? baselineUnavailableReason(input.baseline) : 'not run (--baseline-levels none)');
  const baselineLevels = reason ? [] : input.baseline.map(levelFigures);
  const byLevel: Record<string, number> = {};
  let firstAudioRatio: number | null = null;
  let firstAudioRatioCalls: number | null = null;
  for (const level of levels) {
    const base = baselineLevels.find((b) => b.calls === level.calls);
    if (!base || level.firstAudioMs.count === 0 || base.firstAudioMs.count === 0) continue;
    const r = ratio(level.firstAudioMs.p50, base.firstAudioMs.p50);
    if (r === undefined) continue;
    byLevel[String(level.calls)] = r;
    firstAudioRatio = r;
    firstAudioRatioCalls = level.calls;
  }
  const report: Omit<BenchReport, 'goals'> = {
    settings: input.settings,
    levels,
    baseline: reason ? { available: false, reason, levels: [] } : { available: true, levels: baselineLevels },
    firstAudioRatio,
    firstAudioRatioCalls,
    firstAudioRatioByLevel: byLevel,
    notes: input.notes ?? [],
    logDir: input.logDir,
  };
  return { ...report, goals: checkGoals(report) };
}
