import { GoalCheck, checkGoals } from './bench-goals';
import { BenchReport, LevelFigures } from './bench-report';
import { Summary } from './bench-stats';

function dist(p50: number, p99: number, count = 100): Summary {
  return { p50, p95: p99, p99, max: p99, count };
}

const NONE: Summary = { p50: 0, p95: 0, p99: 0, max: 0, count: 0 };

function level(calls: number, fields: Partial<LevelFigures> = {}): LevelFigures {
  return {
    calls,
    completedCalls: calls,
    turnsMeasured: calls * 3,
    turnsWithoutAudio: 0,
    firstAudioMs: dist(650, 700),
    providerMs: dist(640, 690),
    overheadMs: dist(3, 12),
    gapsMs: dist(0, 8),
    overheadStagesMs: { toLlm: NONE, llmToTts: NONE, ttsToEar: NONE },
    bargeInMs: dist(4, 9, 10),
    cpuPercent: {},
    cpuPeakPercent: {},
    rssMb: {},
    perCall: { cpuPercent: 0.4, rssMb: 1.5 },
    machineCpuPercent: null,
    otherCpuPercent: null,
    sandboxLagMs: NONE,
    contended: false,
    durationS: 40,
    notes: [],
    ...fields,
  };
}

function report(levels: LevelFigures[], baseline?: LevelFigures[], ratio?: { value: number; calls: number }): Omit<BenchReport, 'goals'> {
  return {
    settings: { turns: 3, bargeInShare: 0.2, staggerMs: 50, sandbox: 'split', capacity: false, providers: {}, machine: { cores: 2, cpu: 'test' } },
    levels,
    baseline: baseline ? { available: true, levels: baseline } : { available: false, reason: 'REST playback heard nothing', levels: [] },
    firstAudioRatio: ratio?.value ?? null,
    firstAudioRatioCalls: ratio?.calls ?? null,
    firstAudioRatioByLevel: {},
    notes: [],
    logDir: '/tmp/logs',
  };
}

function goal(checks: GoalCheck[], id: GoalCheck['id']): GoalCheck {
  return checks.find((c) => c.id === id)!;
}

describe('bench goals', () => {
  it('judges our overhead at the 100-call level, p50 ≤ 5 ms and p99 ≤ 15 ms', () => {
    const checks = checkGoals(report([level(1, { overheadMs: dist(50, 90) }), level(100, { overheadMs: dist(4.9, 15.1) })]));
    expect(goal(checks, 'overhead-p50')).toEqual({ id: 'overhead-p50', goal: 'our overhead p50 ≤ 5 ms at 100 calls', status: 'met', figure: 'p50 4.9 ms at 100 calls' });
    expect(goal(checks, 'overhead-p99')).toEqual({
      id: 'overhead-p99',
      goal: 'our overhead p99 ≤ 15 ms at 100 calls',
      status: 'MISSED',
      figure: 'p99 15.1 ms at 100 calls',
      why: 'already p99 90 ms at 1 call: our own time, without load',
    });
  });

  it('explains a missed goal by the lightest level’s figure and the judged level’s contention', () => {
    const checks = checkGoals(report([level(1, { overheadMs: dist(3, 9) }), level(100, { overheadMs: dist(40, 200), contended: true, gapsMs: dist(0, 30) })]));
    expect(goal(checks, 'overhead-p50').why).toBe(
      'p50 3 ms at 1 call: within the goal without load, so the load costs it; the 100-call level was contended (see its note), so its figure is an upper bound',
    );
    expect(goal(checks, 'gaps-p99')).toMatchObject({ status: 'MISSED', why: expect.stringContaining('the 100-call level was contended') });
    expect(goal(checks, 'barge-in-p99').why).toBeUndefined();
  });

  it('falls back to the largest level, and says so, when the run had no 100-call level', () => {
    const checks = checkGoals(report([level(1), level(10, { overheadMs: dist(5, 15) })]));
    expect(goal(checks, 'overhead-p50')).toMatchObject({ status: 'met', figure: 'p50 5 ms at 10 calls (no 100-call level in this run)' });
    expect(goal(checks, 'overhead-p99')).toMatchObject({ status: 'met' });
  });

  it('judges gaps and barge-in at the worst level, so every level must meet them', () => {
    const checks = checkGoals(report([level(1, { gapsMs: dist(0, 25, 3) }), level(10, { gapsMs: dist(0, 20) }), level(100, { bargeInMs: dist(5, 10.5, 20) })]));
    expect(goal(checks, 'gaps-p99')).toMatchObject({ status: 'MISSED', figure: 'p99 25 ms (worst of 1/10/100 calls: at 1), 3 samples' });
    expect(goal(checks, 'barge-in-p99')).toMatchObject({ status: 'MISSED', figure: 'p99 10.5 ms (worst of 1/10/100 calls: at 100), 20 samples' });
    const single = checkGoals(report([level(10, { bargeInMs: dist(5, 10, 1) })]));
    expect(goal(single, 'barge-in-p99')).toMatchObject({ status: 'met', figure: 'p99 10 ms at 10 calls, 1 sample' });
  });

  it('wants first audio at least 60 % lower than the baseline (ratio ≤ 0.4)', () => {
    const met = checkGoals(report([level(10, { firstAudioMs: dist(700, 800) })], [level(10, { firstAudioMs: dist(1750, 2000) })], { value: 0.4, calls: 10 }));
    expect(goal(met, 'first-audio-vs-baseline')).toEqual({
      id: 'first-audio-vs-baseline',
      goal: 'first audio ≥ 60 % lower than the per-turn REST baseline',
      status: 'met',
      figure: '60 % lower: p50 700 vs 1750 ms at 10 calls (ratio 0.4)',
    });
    const missed = checkGoals(report([level(10)], [level(10, { firstAudioMs: dist(1000, 1100) })], { value: 0.65, calls: 10 }));
    expect(goal(missed, 'first-audio-vs-baseline')).toMatchObject({ status: 'MISSED', figure: expect.stringMatching(/^35 % lower/) });
  });

  it('says "not measured", with the reason, where the run has no figure to judge', () => {
    const checks = checkGoals(report([level(100, { overheadMs: NONE, gapsMs: NONE, bargeInMs: NONE })]));
    expect(checks.map((c) => c.status)).toEqual(['not measured', 'not measured', 'not measured', 'not measured', 'not measured']);
    expect(goal(checks, 'first-audio-vs-baseline').figure).toBe('baseline unavailable: REST playback heard nothing');
    expect(goal(checkGoals(report([])), 'overhead-p50').figure).toBe('no turn was measured');
    expect(goal(checkGoals(report([level(1)], [level(10)])), 'first-audio-vs-baseline').figure).toBe('no level measured both modes');
  });
});
