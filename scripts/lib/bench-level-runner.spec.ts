import { planCalls } from './bench-call-plan';
import { RunnerTiming, SandboxCalls, runLevel } from './bench-level-runner';
import { CallReport } from './sandbox-client';

/** Immediate polls, and a deadline that depends only on how many polls a call needs (no timing assertion). */
const FAST: Partial<RunnerTiming> = { pollIntervalMs: 1, earliestEndBaseMs: 0, earliestEndPerTurnMs: 0, callBaseTimeoutMs: 2_000, callTurnTimeoutMs: 0 };

/** A sandbox whose calls end after `pollsToEnd` report requests; `refuse` lists call numbers it will not place. */
function fakeSandbox(pollsToEnd: (callNumber: number) => number, refuse: number[] = []) {
  const placed: Array<{ from: string; to: string; texts: string[] }> = [];
  const polls = new Map<string, number>();
  const sandbox: SandboxCalls = {
    placeCall: async (from, to, script) => {
      const n = placed.length + 1;
      placed.push({ from, to, texts: script.map((u) => u.text) });
      if (refuse.includes(n)) throw new Error('HTTP 503');
      return `call-${n}`;
    },
    report: async (callId): Promise<CallReport> => {
      const n = Number(callId.split('-')[1]);
      const count = (polls.get(callId) ?? 0) + 1;
      polls.set(callId, count);
      const ended = count >= pollsToEnd(n);
      return { callId, ended, turns: [{ index: 0, text: 'q', finalSentAt: 1, gapsMs: [], firstAudioMs: ended ? 600 + n : undefined }] };
    },
  };
  return { sandbox, placed, polls };
}

describe('bench level runner', () => {
  it('places every planned call and returns each one’s report once its caller hung up', async () => {
    const { sandbox, placed } = fakeSandbox((n) => n + 1);
    const plan = planCalls({ mode: 'persistent', calls: 3, turns: 1, bargeInShare: 0.4 });
    const run = await runLevel({ sandbox, processes: [], ticksPerSecond: 100, log: () => undefined, timing: FAST }, plan, { mode: 'persistent', staggerMs: 0, turns: 1 });
    expect(placed.map((p) => p.from)).toEqual(plan.map((c) => c.from));
    expect(run).toMatchObject({ mode: 'persistent', calls: 3, bargeInCalls: 1, failures: [] });
    expect(run.reports.map((r) => [r.callId, r.ended, r.turns[0].firstAudioMs])).toEqual([
      ['call-1', true, 601],
      ['call-2', true, 602],
      ['call-3', true, 603],
    ]);
  });

  it('records calls the sandbox refused and keeps measuring the others', async () => {
    const { sandbox } = fakeSandbox(() => 1, [2]);
    const plan = planCalls({ mode: 'baseline', calls: 3, turns: 1, bargeInShare: 0 });
    const run = await runLevel({ sandbox, processes: [], ticksPerSecond: 100, log: () => undefined, timing: FAST }, plan, { mode: 'baseline', staggerMs: 0, turns: 1 });
    expect(run.failures).toEqual(['call 2 not placed: HTTP 503']);
    expect(run.reports.map((r) => r.callId)).toEqual(['call-1', 'call-3']);
  });

  it('returns a call that never ends as it stands at the deadline, not ended', async () => {
    const { sandbox } = fakeSandbox((n) => (n === 1 ? Number.POSITIVE_INFINITY : 1));
    const plan = planCalls({ mode: 'persistent', calls: 2, turns: 1, bargeInShare: 0 });
    const timing = { ...FAST, callBaseTimeoutMs: 50 };
    const run = await runLevel({ sandbox, processes: [], ticksPerSecond: 100, log: () => undefined, timing }, plan, { mode: 'persistent', staggerMs: 0, turns: 1 });
    expect(run.reports.map((r) => [r.callId, r.ended])).toEqual([
      ['call-1', false],
      ['call-2', true],
    ]);
  });

  it('times the sandbox’s health check throughout the level when given one', async () => {
    const { sandbox } = fakeSandbox(() => 3);
    let checks = 0;
    const plan = planCalls({ mode: 'persistent', calls: 1, turns: 1, bargeInShare: 0 });
    const run = await runLevel(
      { sandbox, processes: [], ticksPerSecond: 100, log: () => undefined, timing: FAST, sandboxHealth: async () => void checks++ },
      plan,
      { mode: 'persistent', staggerMs: 0, turns: 1 },
    );
    expect(run.sandboxLagMs.length).toBe(checks);
    expect(checks).toBeGreaterThan(0);
  });
});
