import { ServiceUsage } from './bench-proc-sampler';
import { LevelRun, RunSettings, baselineUnavailableReason, buildReport, callsPerMachine, isOurs, levelFigures } from './bench-report';
import { CallReport, TurnReport } from './sandbox-client';

const SETTINGS: RunSettings = {
  turns: 2,
  bargeInShare: 0.5,
  staggerMs: 50,
  sandbox: 'split',
  capacity: false,
  providers: { llmFirstTokenMs: 250, llmTokensPerSecond: 40, ttsHandshakeMs: 350, ttsFirstByteMs: 150, ttsGenerationSpeed: 4 },
  machine: { cores: 2, cpu: 'test' },
};

function turn(index: number, fields: Partial<TurnReport>): TurnReport {
  return { index, text: `question ${index}`, finalSentAt: 1_000 * index, gapsMs: [], ...fields };
}

/** A heard turn: first audio = providers + ours. */
function heard(index: number, providerMs: number, overheadMs: number, extra: Partial<TurnReport> = {}): TurnReport {
  return turn(index, { firstAudioMs: providerMs + overheadMs, providerMs, overheadMs, ...extra });
}

let calls = 0;
function call(turns: TurnReport[], ended = true, greetingHeard = true): CallReport {
  return { callId: `call-${++calls}`, ended, greeting: { firstHeardAt: greetingHeard ? 1 : undefined, gapsMs: [] }, turns };
}

function usage(service: string, cpuPercent: number, rssMb: number, rssStartMb = rssMb): ServiceUsage {
  return { service, cpuPercent, cpuPeakPercent: cpuPercent * 2, rssMb, rssStartMb };
}

function run(fields: Partial<LevelRun>): LevelRun {
  return { mode: 'persistent', calls: 2, bargeInCalls: 1, reports: [], failures: [], durationMs: 30_000, usage: [], sandboxLagMs: [], ...fields };
}

describe('bench report', () => {
  describe('one level’s figures', () => {
    const level = run({
      calls: 2,
      reports: [
        call([heard(0, 600, 4, { gapsMs: [3, 12] }), heard(1, 620, 6, { bargeInToSilenceMs: 7.25 })]),
        call([heard(0, 610, 5), turn(1, { gapsMs: [] })], false),
      ],
      usage: [usage('call-gateway', 10, 120, 100), usage('redis', 2, 20, 10), usage('sandbox', 40, 200, 80), usage('bench-driver', 3, 90, 60)],
      machineCpuPercent: 80,
      sandboxLagMs: [1, 2, 3],
    });
    const figures = levelFigures(level);

    it('summarises the heard turns: first audio, providers, our overhead', () => {
      expect(figures).toMatchObject({ calls: 2, completedCalls: 1, turnsMeasured: 3, turnsWithoutAudio: 1 });
      expect(figures.firstAudioMs).toEqual({ p50: 615, p95: 626, p99: 626, max: 626, count: 3 });
      expect(figures.providerMs).toEqual({ p50: 610, p95: 620, p99: 620, max: 620, count: 3 });
      expect(figures.overheadMs).toEqual({ p50: 5, p95: 6, p99: 6, max: 6, count: 3 });
    });

    it('splits our overhead into its legs where the sandbox reported the turn’s stages', () => {
      const staged = levelFigures(
        run({
          calls: 1,
          reports: [call([heard(0, 600, 20, { stagesMs: { llmRequest: 8, llmFirstTextDone: 480, ttsFirstText: 490, ttsFirstAudio: 618, firstHeard: 620 } })])],
        }),
      );
      expect(staged.overheadStagesMs).toEqual({
        toLlm: { p50: 8, p95: 8, p99: 8, max: 8, count: 1 },
        llmToTts: { p50: 10, p95: 10, p99: 10, max: 10, count: 1 },
        ttsToEar: { p50: 2, p95: 2, p99: 2, max: 2, count: 1 },
      });
      expect(figures.overheadStagesMs.toLlm.count).toBe(0);
    });

    it('takes each heard turn’s largest gap, 0 for a seamless turn', () => {
      expect(figures.gapsMs).toEqual({ p50: 0, p95: 12, p99: 12, max: 12, count: 3 });
    });

    it('counts barge-in to silence only where the caller talked over the agent', () => {
      expect(figures.bargeInMs).toEqual({ p50: 7.3, p95: 7.3, p99: 7.3, max: 7.3, count: 1 });
    });

    it('reports CPU and RSS per service, and per call only for ours (apps + Redis)', () => {
      expect(figures.cpuPercent).toEqual({ 'call-gateway': 10, redis: 2, sandbox: 40, 'bench-driver': 3 });
      expect(figures.cpuPeakPercent).toEqual({ 'call-gateway': 20, redis: 4, sandbox: 80, 'bench-driver': 6 });
      expect(figures.rssMb).toEqual({ 'call-gateway': 120, redis: 20, sandbox: 200, 'bench-driver': 90 });
      expect(figures.perCall).toEqual({ cpuPercent: 6, rssMb: 15 });
      expect(figures.machineCpuPercent).toBe(80);
      expect(figures.otherCpuPercent).toBe(25);
      expect(figures.sandboxLagMs).toMatchObject({ p50: 2, max: 3, count: 3 });
    });

    it('says which calls did not complete and which turns were never heard', () => {
      expect(figures.notes).toEqual([
        '1 of 2 calls did not complete in time',
        '1 of 4 turns were never heard',
      ]);
      expect(figures.contended).toBe(false);
    });
  });

  it('extrapolates the calls that would use up the machine’s CPU from the per-call cost', () => {
    expect(callsPerMachine(0.4, 2)).toBe(500);
    expect(callsPerMachine(0.3, 2)).toBe(666);
    expect(callsPerMachine(0, 2)).toBeUndefined();
  });

  it('counts the simulators and the benchmark itself as not ours', () => {
    expect(['call-gateway', 'llm-worker', 'tts-worker', 'playback-worker', 'redis'].every(isOurs)).toBe(true);
    expect(['sandbox', 'sandbox-openai', 'sandbox-elevenlabs', 'bench-driver'].some(isOurs)).toBe(false);
  });

  it('marks a level contended when the caller’s simulator answered late', () => {
    const late = levelFigures(run({ reports: [call([heard(0, 600, 5)])], calls: 1, usage: [usage('sandbox', 30, 100)], sandboxLagMs: [1, 80] }));
    expect(late.contended).toBe(true);
    expect(late.notes).toEqual([expect.stringContaining("the caller's simulator answered 80 ms late at p99 (max 80 ms)")]);
    const saturated = levelFigures(run({ reports: [call([heard(0, 600, 5)])], calls: 1, usage: [usage('sandbox', 50, 100)], machineCpuPercent: 150 }));
    expect(saturated.notes).toEqual([
      "contended: sandbox saturated its core at its busiest (100 % in 0.5 s, 50 % on average); processes outside the benchmark used 100 % of a core. The simulators' delays count as ours: read this level's figures as upper bounds",
    ]);
    const calm = levelFigures(run({ reports: [call([heard(0, 600, 5)])], calls: 1, usage: [usage('sandbox', 30, 100)], sandboxLagMs: [1, 2], machineCpuPercent: 40 }));
    expect(calm.contended).toBe(false);
    expect(calm.notes).toEqual([]);
  });

  it('keeps the JSON shape when a level measured nothing', () => {
    const empty = levelFigures(run({ calls: 3, failures: ['call 1 not placed: HTTP 500', 'b', 'c', 'd', 'e'] }));
    expect(empty.firstAudioMs).toEqual({ p50: 0, p95: 0, p99: 0, max: 0, count: 0 });
    expect(empty.perCall).toEqual({ cpuPercent: 0, rssMb: 0 });
    expect(empty.machineCpuPercent).toBeNull();
    expect(empty.notes).toEqual(['3 of 3 calls did not complete in time', 'call 1 not placed: HTTP 500', 'b', 'c', '... and 2 more failures']);
  });

  describe('the baseline', () => {
    it('is unavailable, with the reason, when the caller heard none of its turns', () => {
      const silent = run({ mode: 'baseline', reports: [call([turn(0, {}), turn(1, {})], true, false)] });
      expect(baselineUnavailableReason([silent])).toMatch(/^the caller heard nothing in REST mode: 0 of 2 turns and 0 greetings had audio/);
      expect(baselineUnavailableReason([run({ mode: 'baseline', failures: ['call 1 not placed: HTTP 500'] })])).toBe(
        'no baseline call reached a turn (call 1 not placed: HTTP 500)',
      );
      expect(baselineUnavailableReason([run({ mode: 'baseline', reports: [call([heard(0, 900, 1500)])] })])).toBeUndefined();
    });

    it('is compared level by level: the ratio of first-audio p50 at the largest level both measured', () => {
      const report = buildReport({
        settings: SETTINGS,
        persistent: [run({ calls: 1, reports: [call([heard(0, 600, 10)])] }), run({ calls: 10, reports: [call([heard(0, 600, 40)])] }), run({ calls: 100, reports: [call([heard(0, 700, 100)])] })],
        baseline: [run({ mode: 'baseline', calls: 1, reports: [call([heard(0, 1500, 500)])] }), run({ mode: 'baseline', calls: 10, reports: [call([heard(0, 1500, 1700)])] })],
        logDir: '/tmp/logs',
      });
      expect(report.baseline.available).toBe(true);
      expect(report.baseline.levels.map((l) => l.calls)).toEqual([1, 10]);
      expect(report.firstAudioRatioByLevel).toEqual({ '1': 0.305, '10': 0.2 });
      expect(report.firstAudioRatio).toBe(0.2);
      expect(report.firstAudioRatioCalls).toBe(10);
    });

    it('gives no ratio and keeps no figures when it is unavailable or not run', () => {
      const silent = buildReport({
        settings: SETTINGS,
        persistent: [run({ calls: 1, reports: [call([heard(0, 600, 10)])] })],
        baseline: [run({ mode: 'baseline', calls: 1, reports: [call([turn(0, {})])] })],
        logDir: '/tmp/logs',
      });
      expect(silent.baseline).toEqual({ available: false, reason: expect.stringContaining('heard nothing'), levels: [] });
      expect(silent.firstAudioRatio).toBeNull();
      const skipped = buildReport({ settings: SETTINGS, persistent: [], baseline: [], logDir: '/tmp/logs' });
      expect(skipped.baseline.reason).toBe('not run (--baseline-levels none)');
      const known = buildReport({ settings: SETTINGS, persistent: [], baseline: [], baselineUnavailable: 'warm-up heard nothing', logDir: '/tmp/logs' });
      expect(known.baseline.reason).toBe('warm-up heard nothing');
    });
  });

  it('serialises to the documented JSON shape', () => {
    const report = buildReport({
      settings: SETTINGS,
      persistent: [run({ calls: 1, reports: [call([heard(0, 600, 10)])], usage: [usage('tts-worker', 5, 100)] })],
      baseline: [run({ mode: 'baseline', calls: 1, reports: [call([heard(0, 1500, 500)])], usage: [usage('tts-worker', 6, 110)] })],
      notes: ['a note'],
      logDir: '/tmp/logs',
    });
    const json = JSON.parse(JSON.stringify(report));
    const distribution = { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) };
    const level = {
      calls: 1,
      firstAudioMs: expect.objectContaining(distribution),
      overheadMs: expect.objectContaining(distribution),
      gapsMs: expect.objectContaining(distribution),
      bargeInMs: expect.objectContaining(distribution),
      cpuPercent: { 'tts-worker': expect.any(Number) },
      rssMb: { 'tts-worker': expect.any(Number) },
    };
    expect(json).toMatchObject({
      levels: [level],
      baseline: { available: true, levels: [level] },
      firstAudioRatio: 0.305,
      notes: ['a note'],
      logDir: '/tmp/logs',
      settings: { turns: 2, sandbox: 'split' },
    });
    expect(json.goals.map((g: { id: string }) => g.id)).toEqual(['overhead-p50', 'overhead-p99', 'gaps-p99', 'first-audio-vs-baseline', 'barge-in-p99']);
  });
});
