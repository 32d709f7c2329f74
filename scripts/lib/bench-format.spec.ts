import { formatDistribution, formatReport, renderTable } from './bench-format';
import { BenchReport, LevelFigures } from './bench-report';
import { Summary } from './bench-stats';

function dist(p50: number, p99: number, count = 10): Summary {
  return { p50, p95: p99, p99, max: p99 + 1, count };
}

function level(calls: number, firstAudioP50: number, fields: Partial<LevelFigures> = {}): LevelFigures {
  return {
    calls,
    completedCalls: calls,
    turnsMeasured: calls * 3,
    turnsWithoutAudio: 0,
    firstAudioMs: dist(firstAudioP50, firstAudioP50 + 50),
    providerMs: dist(640, 690),
    overheadMs: dist(3, 12),
    gapsMs: dist(0, 8),
    overheadStagesMs: { toLlm: dist(9, 12), llmToTts: dist(2, 5), ttsToEar: dist(1, 2, 0) },
    bargeInMs: dist(4, 9, 2),
    cpuPercent: { 'tts-worker': 5, 'call-gateway': 3, sandbox: 30 },
    cpuPeakPercent: { 'tts-worker': 9, 'call-gateway': 6, sandbox: 50 },
    rssMb: { 'tts-worker': 110, 'call-gateway': 120, sandbox: 200 },
    perCall: { cpuPercent: 0.8, rssMb: 1.5 },
    machineCpuPercent: 60,
    otherCpuPercent: 22,
    sandboxLagMs: dist(1, 4),
    contended: false,
    durationS: 40,
    notes: [],
    ...fields,
  };
}

const REPORT: BenchReport = {
  settings: {
    turns: 3,
    bargeInShare: 0.2,
    staggerMs: 50,
    sandbox: 'split',
    capacity: false,
    providers: { llmFirstTokenMs: 250, llmTokensPerSecond: 40, ttsHandshakeMs: 350, ttsFirstByteMs: 150, ttsGenerationSpeed: 4 },
    machine: { cores: 2, cpu: 'Test CPU' },
  },
  levels: [level(1, 650), level(10, 660, { notes: ['1 of 10 calls did not complete in time'] })],
  baseline: { available: true, levels: [level(1, 2000)] },
  firstAudioRatio: 0.325,
  firstAudioRatioCalls: 1,
  firstAudioRatioByLevel: { '1': 0.325 },
  goals: [
    { id: 'overhead-p50', goal: 'our overhead p50 ≤ 5 ms at 100 calls', status: 'met', figure: 'p50 3 ms at 10 calls' },
    { id: 'gaps-p99', goal: 'gaps we insert p99 ≤ 20 ms', status: 'MISSED', figure: 'p99 25 ms at 10 calls', why: 'the 10-call level was contended' },
  ],
  notes: ['a run note'],
  logDir: '/tmp/logs',
};

describe('bench human output', () => {
  it('writes a distribution as p50 / p95 / p99 / max, and "-" when nothing was measured', () => {
    expect(formatDistribution({ p50: 1, p95: 2, p99: 3, max: 4, count: 9 })).toBe('1 / 2 / 3 / 4');
    expect(formatDistribution({ p50: 0, p95: 0, p99: 0, max: 0, count: 0 })).toBe('-');
  });

  it('aligns columns: the first to the left, the figures to the right', () => {
    expect(renderTable(['mode', 'calls'], [['persistent', '1'], ['baseline', '100']])).toEqual(['  mode         calls', '  persistent       1', '  baseline       100']);
  });

  const text = formatReport(REPORT);
  const lines = text.split('\n');

  it('states the settings the figures were measured under', () => {
    expect(lines[0]).toBe('Benchmark: 3 turns a call, 20 % of calls barge in once, calls started 50 ms apart');
    expect(lines[1]).toContain('LLM first token 250 ms, 40 tokens/s; TTS handshake 350 ms, first byte 150 ms, 4× real time');
    expect(lines[1]).toContain('simulators in 3 processes');
  });

  it('puts persistent and baseline rows of the same size next to each other', () => {
    const rows = lines.filter((l) => /^ {2}(persistent|baseline) /.test(l));
    expect(rows.slice(0, 3).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['persistent 1', 'baseline 1', 'persistent 10']);
    expect(rows[0]).toContain('650 / 700 / 700 / 701');
    expect(rows[0]).toContain('4 / 9 / 9 / 10 (2)');
  });

  it('splits our overhead into its three legs', () => {
    const header = lines.findIndex((l) => l.startsWith('Where our overhead goes'));
    expect(lines[header + 2]).toMatch(/^ {2}persistent +1 +9 \/ 12 +2 \/ 5 +-$/);
  });

  it('lists services in pipeline order with CPU mean (peak) and peak RSS, per call, others and sandbox lag', () => {
    const cpuHeader = lines.find((l) => l.trimStart().startsWith('mode') && l.includes('others'))!;
    expect(cpuHeader.indexOf('call-gateway')).toBeLessThan(cpuHeader.indexOf('tts-worker'));
    expect(cpuHeader.indexOf('tts-worker')).toBeLessThan(cpuHeader.indexOf('sandbox'));
    expect(text).toContain('5 (9)');
    expect(text).toMatch(/0\.8 +22 +1 \/ 4 \/ 5/);
  });

  it('prints the ratio, every goal as met / MISSED with its figure, the notes and the logs', () => {
    expect(text).toContain('First audio p50, persistent / baseline: 0.325 at 1 calls (1 calls: 0.325)');
    expect(text).toContain('  met     our overhead p50 ≤ 5 ms at 100 calls: p50 3 ms at 10 calls');
    expect(text).toContain('  MISSED  gaps we insert p99 ≤ 20 ms: p99 25 ms at 10 calls\n          why: the 10-call level was contended');
    expect(text).toContain('  - a run note');
    expect(text).toContain('  - persistent 10 calls: 1 of 10 calls did not complete in time');
    expect(lines[lines.length - 1]).toBe('logs: /tmp/logs');
  });

  it('prints the per-call cost and the CPU-bound estimate in a capacity run', () => {
    const text = formatReport({ ...REPORT, settings: { ...REPORT.settings, capacity: true } });
    expect(text).toContain('  persistent at 10 calls: 0.8 % of a core and 1.5 MB per call; CPU alone would run out at about 250 calls on 2 cores');
    expect(formatReport(REPORT)).not.toContain('Capacity:');
  });

  it('says why the baseline is missing instead of printing its rows', () => {
    const text = formatReport({ ...REPORT, baseline: { available: false, reason: 'REST playback heard nothing', levels: [] }, firstAudioRatio: null, firstAudioRatioCalls: null, firstAudioRatioByLevel: {} });
    expect(text).toContain('  baseline: unavailable: REST playback heard nothing');
    expect(text).toContain('First audio p50, persistent / baseline: not measured (baseline unavailable)');
    expect(text.split('\n').filter((l) => /^ {2}baseline +\d/.test(l))).toEqual([]);
  });
});
