import { ServiceUsage } from './bench-proc-sampler';
import { Summary } from './bench-stats';

/**
 * Whether a level was measured on a machine with CPU to spare. The simulated caller stamps when it
 * spoke and when it heard; if its process (or the whole machine) was too busy to run on time, those
 * stamps are late and the delay lands in our overhead, gaps and barge-in figures. This says so, with
 * the evidence, so a contended level is read as an upper bound rather than as our own time.
 */
/** A Node process is one event loop: at this share of a core in its busiest 0.5 s, it queued work. */
export const SIMULATOR_SATURATED_PEAK_PERCENT = 90;
/** The caller's simulator answering a trivial request later than this (p99) delays what it stamps. */
export const SANDBOX_LAG_P99_LIMIT_MS = 20;
/** Processes outside the benchmark above this share of a core are named among a contended level's causes. */
export const OTHER_CPU_NOTE_PERCENT = 20;

export interface ContentionEvidence {
  usage: readonly ServiceUsage[];
  sandboxLagMs: Summary;
  otherCpuPercent: number | null;
}

/**
 * The reasons a level was contended, empty when it was not. The evidence that counts is direct: a
 * simulator out of CPU, or the caller's simulator answering late. Other users' CPU is context only: on
 * two cores, a light level runs on time beside a busy neighbour, and the lag probe would say otherwise.
 */
export function contentionReasons(evidence: ContentionEvidence): string[] {
  const reasons: string[] = [];
  for (const u of evidence.usage.filter((u) => u.service.startsWith('sandbox'))) {
    if (u.cpuPeakPercent >= SIMULATOR_SATURATED_PEAK_PERCENT) {
      reasons.push(`${u.service} saturated its core at its busiest (${u.cpuPeakPercent} % in 0.5 s, ${u.cpuPercent} % on average)`);
    }
  }
  if (evidence.sandboxLagMs.count > 0 && evidence.sandboxLagMs.p99 > SANDBOX_LAG_P99_LIMIT_MS) {
    reasons.push(`the caller's simulator answered ${evidence.sandboxLagMs.p99} ms late at p99 (max ${evidence.sandboxLagMs.max} ms)`);
  }
  if (reasons.length > 0 && evidence.otherCpuPercent !== null && evidence.otherCpuPercent > OTHER_CPU_NOTE_PERCENT) {
    reasons.push(`processes outside the benchmark used ${evidence.otherCpuPercent} % of a core`);
  }
  return reasons;
}

export function contentionNote(reasons: readonly string[]): string | undefined {
  if (reasons.length === 0) return undefined;
  return `contended: ${reasons.join('; ')}. The simulators' delays count as ours: read this level's figures as upper bounds`;
}
