import { ProcessSampler, SampleRound, machineCpuFromRounds, parseMachineBusyTicks, parseProcStatTicks, parseVmRssKb, usageFromRounds } from './bench-proc-sampler';

/** A /proc/<pid>/stat line whose command name holds a space and a parenthesis, as `(node) x` would. */
function statLine(pid: number, utime: number, stime: number, cutime = 0, cstime = 0): string {
  return `${pid} (node (x) y) S 1 ${pid} ${pid} 0 -1 4194560 1000 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 11 0 5000 1000000 20000 18446744073709551615 0 0 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0`;
}

function round(at: number, services: Record<string, [ticks: number, rssKb: number]>, machineBusyTicks?: number): SampleRound {
  return { at, services: new Map(Object.entries(services).map(([name, [cpuTicks, rssKb]]) => [name, { cpuTicks, rssKb }])), machineBusyTicks };
}

describe('process sampling from /proc', () => {
  it('adds utime, stime and the waited-for children’s times, whatever the command name holds', () => {
    expect(parseProcStatTicks(statLine(42, 300, 50, 7, 3))).toBe(360);
    expect(() => parseProcStatTicks('42 (node) S 1')).toThrow('unreadable /proc stat');
  });

  it('reads VmRSS in kB, and nothing for a process without memory (a zombie)', () => {
    expect(parseVmRssKb('Name:\tnode\nVmPeak:\t 900 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123456);
    expect(parseVmRssKb('Name:\tnode\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('counts the machine’s busy ticks as everything but idle and iowait', () => {
    expect(parseMachineBusyTicks('cpu  100 5 30 9000 70 1 2 3 0 0\ncpu0 50 2 15 4500 35 0 1 1 0 0\n')).toBe(141);
    expect(() => parseMachineBusyTicks('intr 1 2 3')).toThrow('unreadable /proc/stat');
  });

  it('turns tick deltas into mean and peak % of one core, and peak RSS in MB', () => {
    const rounds = [
      round(0, { app: [1000, 100 * 1024] }),
      round(500, { app: [1010, 150 * 1024] }), // 10 ticks in 0.5 s = 20 %
      round(1000, { app: [1050, 120 * 1024] }), // 40 ticks in 0.5 s = 80 %
    ];
    expect(usageFromRounds(rounds, 100)).toEqual([{ service: 'app', cpuPercent: 50, cpuPeakPercent: 80, rssMb: 150, rssStartMb: 100 }]);
  });

  it('leaves intervals too short to measure out of the peak (one tick in 10 ms would read as a full core)', () => {
    const rounds = [round(0, { app: [0, 1024] }), round(1000, { app: [10, 1024] }), round(1010, { app: [11, 1024] })];
    expect(usageFromRounds(rounds, 100, 250)[0]).toMatchObject({ cpuPeakPercent: 10 });
  });

  it('measures a service over the rounds it was seen in (a process that died is not counted as idle)', () => {
    const rounds = [round(0, { a: [0, 1024], b: [0, 2048] }), round(1000, { a: [100, 1024], b: [50, 2048] }), round(2000, { a: [200, 1024] })];
    const usage = usageFromRounds(rounds, 100);
    expect(usage.find((u) => u.service === 'a')!.cpuPercent).toBe(100);
    expect(usage.find((u) => u.service === 'b')!.cpuPercent).toBe(50);
  });

  it('measures the whole machine as % of one core (both cores busy = 200)', () => {
    expect(machineCpuFromRounds([round(0, {}, 1000), round(2000, {}, 1400)], 100)).toBe(200);
    expect(machineCpuFromRounds([round(0, {}, 1000)], 100)).toBeUndefined();
  });

  it('sums replicas of one service and samples at start and stop', () => {
    let now = 0;
    const ticks: Record<number, number> = { 11: 100, 12: 200 };
    const files = (path: string): string => {
      if (path === '/proc/stat') return `cpu  ${ticks[11] + ticks[12]} 0 0 0 0 0 0 0\n`;
      const pid = Number(path.split('/')[2]);
      if (!(pid in ticks)) throw new Error('ENOENT');
      return path.endsWith('/stat') ? statLine(pid, ticks[pid], 0) : 'VmRSS:\t 2048 kB\n';
    };
    const sampler = new ProcessSampler(
      [
        { service: 'tts-worker', pid: 11 },
        { service: 'tts-worker', pid: 12 },
        { service: 'gone', pid: 13 },
      ],
      100,
      60_000,
      files,
      () => now,
    );
    sampler.start();
    ticks[11] += 30;
    ticks[12] += 70;
    now = 1000;
    const usage = sampler.stop();
    expect(usage.services).toEqual([{ service: 'tts-worker', cpuPercent: 100, cpuPeakPercent: 100, rssMb: 4, rssStartMb: 4 }]);
    expect(usage.machineCpuPercent).toBe(100);
  });
});
