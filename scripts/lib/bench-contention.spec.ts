import { contentionNote, contentionReasons } from './bench-contention';
import { ServiceUsage } from './bench-proc-sampler';
import { Summary } from './bench-stats';

const CALM_LAG: Summary = { p50: 1, p95: 2, p99: 3, max: 5, count: 100 };

function usage(service: string, cpuPercent: number, cpuPeakPercent: number): ServiceUsage {
  return { service, cpuPercent, cpuPeakPercent, rssMb: 100, rssStartMb: 100 };
}

describe('contention evidence', () => {
  it('finds none on a machine with CPU to spare', () => {
    expect(contentionReasons({ usage: [usage('sandbox', 30, 60), usage('tts-worker', 80, 99)], sandboxLagMs: CALM_LAG, otherCpuPercent: 5 })).toEqual([]);
    expect(contentionReasons({ usage: [], sandboxLagMs: { p50: 0, p95: 0, p99: 0, max: 0, count: 0 }, otherCpuPercent: null })).toEqual([]);
    expect(contentionNote([])).toBeUndefined();
  });

  it('names a simulator that saturated its one event loop at its busiest, ours are not judged here', () => {
    expect(contentionReasons({ usage: [usage('sandbox-elevenlabs', 40, 95), usage('playback-worker', 90, 100)], sandboxLagMs: CALM_LAG, otherCpuPercent: null })).toEqual([
      'sandbox-elevenlabs saturated its core at its busiest (95 % in 0.5 s, 40 % on average)',
    ]);
  });

  it('names other users of the machine only as a cause of a contention seen directly', () => {
    expect(contentionReasons({ usage: [], sandboxLagMs: CALM_LAG, otherCpuPercent: 120 })).toEqual([]);
  });

  it('counts a late caller simulator, and other users of the machine beside it', () => {
    const reasons = contentionReasons({ usage: [], sandboxLagMs: { p50: 5, p95: 100, p99: 426.2, max: 841.8, count: 300 }, otherCpuPercent: 79.4 });
    expect(reasons).toEqual(["the caller's simulator answered 426.2 ms late at p99 (max 841.8 ms)", 'processes outside the benchmark used 79.4 % of a core']);
    expect(contentionNote(reasons)).toBe(
      "contended: the caller's simulator answered 426.2 ms late at p99 (max 841.8 ms); processes outside the benchmark used 79.4 % of a core. " +
        "The simulators' delays count as ours: read this level's figures as upper bounds",
    );
  });
});
