import { BenchMode, PlannedCall } from './bench-call-plan';
import { HealthCall, LagProbe } from './bench-lag-probe';
import { ProcessSampler, ServiceProcess } from './bench-proc-sampler';
import { LevelRun } from './bench-report';
import { CallReport } from './sandbox-client';

/**
 * One level: place the planned calls a stagger apart, sample every process while they run, and collect
 * each call's report once its caller hung up. Reports are polled sparingly and a few at a time: the
 * sandbox builds them from every frame the caller heard, and the benchmark must not load the process
 * it measures.
 */
export interface RunnerTiming {
  /** Between two polls of a call's report: calls last tens of seconds, so seconds of lag cost nothing. */
  pollIntervalMs: number;
  /** Reports fetched at once, so a 500-call level never queues hundreds of requests on the sandbox. */
  fetchConcurrency: number;
  /**
   * Time allowed for a call once all are placed: the greeting (~4 s, up to the caller's 10 s response
   * timeout when nothing is heard) plus, per turn, pause, interims, first audio and a three-to-four
   * sentence answer (~10-20 s). Generous, so an overloaded level is measured slow, not cut off.
   */
  callBaseTimeoutMs: number;
  callTurnTimeoutMs: number;
  /**
   * No call ends sooner than its greeting (~4 s) plus, per turn, the caller's pause and interims
   * (~1.1 s), first audio (~0.6 s) and the shortest answer (~3 s): polling starts then.
   */
  earliestEndBaseMs: number;
  earliestEndPerTurnMs: number;
  /** A progress line at most this often while calls are running. */
  progressEveryMs: number;
}

export const DEFAULT_RUNNER_TIMING: RunnerTiming = {
  pollIntervalMs: 2_000,
  fetchConcurrency: 8,
  callBaseTimeoutMs: 30_000,
  callTurnTimeoutMs: 30_000,
  earliestEndBaseMs: 4_000,
  earliestEndPerTurnMs: 4_000,
  progressEveryMs: 10_000,
};

export interface SandboxCalls {
  placeCall(from: string, to: string, script: PlannedCall['script']): Promise<string>;
  report(callId: string): Promise<CallReport>;
}

export interface LevelRunnerDeps {
  sandbox: SandboxCalls;
  processes: readonly ServiceProcess[];
  ticksPerSecond: number;
  /** The sandbox's health check, timed throughout the level (see LagProbe). */
  sandboxHealth?: HealthCall;
  /** Progress lines (stderr, so stdout stays the report). */
  log(line: string): void;
  timing?: Partial<RunnerTiming>;
}

export interface LevelRunOptions {
  mode: BenchMode;
  staggerMs: number;
  turns: number;
}

export async function runLevel(deps: LevelRunnerDeps, plan: readonly PlannedCall[], options: LevelRunOptions): Promise<LevelRun> {
  const timing = { ...DEFAULT_RUNNER_TIMING, ...deps.timing };
  const sampler = new ProcessSampler(deps.processes, deps.ticksPerSecond);
  const probe = deps.sandboxHealth ? new LagProbe(deps.sandboxHealth) : undefined;
  const failures: string[] = [];
  const started = performance.now();
  sampler.start();
  probe?.start();
  const placed = await Promise.all(
    plan.map(async (call, i) => {
      await sleep(started + i * options.staggerMs - performance.now());
      try {
        return await deps.sandbox.placeCall(call.from, call.to, call.script);
      } catch (error) {
        failures.push(`call ${i + 1} not placed: ${reason(error)}`);
        return undefined;
      }
    }),
  );
  const callIds = placed.filter((id): id is string => id !== undefined);
  const deadline = performance.now() + timing.callBaseTimeoutMs + options.turns * timing.callTurnTimeoutMs;
  await sleep(started + timing.earliestEndBaseMs + options.turns * timing.earliestEndPerTurnMs - performance.now());
  const reports = await collectReports(deps, timing, callIds, deadline, failures);
  const durationMs = performance.now() - started;
  const usage = sampler.stop();
  const sandboxLagMs = (await probe?.stop()) ?? [];
  return {
    mode: options.mode,
    calls: plan.length,
    bargeInCalls: plan.filter((c) => c.bargeInTurn !== undefined).length,
    reports,
    failures,
    durationMs,
    usage: usage.services,
    machineCpuPercent: usage.machineCpuPercent,
    sandboxLagMs,
  };
}

/** Every call's report once it ended, or as it stands at the deadline (then `ended` is false). */
async function collectReports(
  deps: LevelRunnerDeps,
  timing: RunnerTiming,
  callIds: readonly string[],
  deadline: number,
  failures: string[],
): Promise<CallReport[]> {
  const latest = new Map<string, CallReport>();
  let pending = [...callIds];
  let lastProgress = performance.now();
  for (let first = true; pending.length > 0 && performance.now() < deadline; first = false) {
    if (!first) await sleep(timing.pollIntervalMs);
    const stillPending: string[] = [];
    await forEachLimited(pending, timing.fetchConcurrency, async (callId) => {
      try {
        const report = await deps.sandbox.report(callId);
        latest.set(callId, report);
        if (!report.ended) stillPending.push(callId);
      } catch {
        stillPending.push(callId);
      }
    });
    pending = stillPending;
    if (pending.length > 0 && performance.now() - lastProgress >= timing.progressEveryMs) {
      deps.log(`    ${callIds.length - pending.length}/${callIds.length} calls ended`);
      lastProgress = performance.now();
    }
  }
  for (const callId of pending) {
    try {
      latest.set(callId, await deps.sandbox.report(callId));
    } catch (error) {
      if (!latest.has(callId)) failures.push(`report of ${callId} unreadable: ${reason(error)}`);
    }
  }
  return callIds.map((id) => latest.get(id)).filter((r): r is CallReport => r !== undefined);
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
