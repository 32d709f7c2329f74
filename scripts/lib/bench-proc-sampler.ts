import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * CPU and memory of each service's process during a level, read from Linux's /proc:
 * `/proc/<pid>/stat` for CPU ticks (utime + stime, plus cutime + cstime so that children the service
 * waited for, e.g. ffmpeg in REST playback, count as its own), `/proc/<pid>/status` VmRSS for memory.
 * CPU % is of one core (200 % = both cores of a 2-core machine).
 */
/** Often enough to catch a level's peak RSS and 1-s CPU bursts, rarely enough to cost nothing. */
export const SAMPLE_INTERVAL_MS = 500;
/** USER_HZ on every mainstream Linux build; `getconf CLK_TCK` confirms it at start. */
export const DEFAULT_CLOCK_TICKS_PER_SECOND = 100;

export interface ServiceProcess {
  /** Replicas of one service share the name: their figures are summed. */
  service: string;
  pid: number;
}

export interface ProcReading {
  cpuTicks: number;
  rssKb: number;
}

export interface SampleRound {
  at: number;
  /** Per service, the sum over its processes that could be read this round. */
  services: Map<string, ProcReading>;
  /** Busy ticks of the whole machine (all cores) from /proc/stat, when readable. */
  machineBusyTicks?: number;
}

export interface ServiceUsage {
  service: string;
  /** Mean CPU over the window, % of one core. */
  cpuPercent: number;
  /** The busiest sampling interval's CPU, % of one core. */
  cpuPeakPercent: number;
  /** Peak resident memory during the window, MB. */
  rssMb: number;
  /** Resident memory at the window's start, MB. */
  rssStartMb: number;
}

/** CPU ticks from a /proc/<pid>/stat line; the command name may hold spaces and parentheses. */
export function parseProcStatTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
  // fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14..17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if ([utime, stime, cutime, cstime].some((n) => !Number.isFinite(n))) throw new Error(`unreadable /proc stat: ${stat.slice(0, 80)}`);
  return utime + stime + cutime + cstime;
}

/**
 * Busy ticks of all cores together from /proc/stat's first line (user nice system idle iowait irq
 * softirq steal ...): everything but idle and iowait.
 */
export function parseMachineBusyTicks(procStat: string): number {
  const line = procStat.split('\n', 1)[0];
  if (!line.startsWith('cpu ')) throw new Error('unreadable /proc/stat');
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  if (!Number.isFinite(busy)) throw new Error('unreadable /proc/stat');
  return busy;
}

/** The whole machine's CPU over the window, % of one core (all cores busy on 2 cores = 200). */
export function machineCpuFromRounds(rounds: readonly SampleRound[], ticksPerSecond: number): number | undefined {
  const seen = rounds.filter((r) => r.machineBusyTicks !== undefined);
  if (seen.length < 2) return undefined;
  const first = seen[0];
  const last = seen[seen.length - 1];
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? round1((((last.machineBusyTicks! - first.machineBusyTicks!) / ticksPerSecond) * 100) / seconds) : undefined;
}

/** VmRSS in kB from /proc/<pid>/status (absent for a zombie). */
export function parseVmRssKb(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/**
 * Mean and peak CPU and peak RSS per service over a window of sample rounds (oldest first). The peak
 * considers only intervals of at least `minPeakIntervalMs`: over a few ms, one 10-ms tick reads as a
 * full core.
 */
export function usageFromRounds(rounds: readonly SampleRound[], ticksPerSecond: number, minPeakIntervalMs = SAMPLE_INTERVAL_MS / 2): ServiceUsage[] {
  if (rounds.length === 0) return [];
  const names = [...new Set(rounds.flatMap((r) => [...r.services.keys()]))];
  return names.map((service) => {
    const seen = rounds.filter((r) => r.services.has(service));
    const first = seen[0];
    const last = seen[seen.length - 1];
    const cpuPercent = (from: SampleRound, to: SampleRound) => {
      const seconds = (to.at - from.at) / 1000;
      return seconds > 0 ? (((to.services.get(service)!.cpuTicks - from.services.get(service)!.cpuTicks) / ticksPerSecond) * 100) / seconds : 0;
    };
    const mean = cpuPercent(first, last);
    let peak: number | undefined;
    for (let i = 1; i < seen.length; i++) {
      if (seen[i].at - seen[i - 1].at >= minPeakIntervalMs) peak = Math.max(peak ?? 0, cpuPercent(seen[i - 1], seen[i]));
    }
    return {
      service,
      cpuPercent: round1(mean),
      // A window too short for any full interval has no busier part than its mean.
      cpuPeakPercent: round1(peak ?? mean),
      rssMb: round1(Math.max(...seen.map((r) => r.services.get(service)!.rssKb)) / 1024),
      rssStartMb: round1(first.services.get(service)!.rssKb / 1024),
    };
  });
}

export function clockTicksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return result.status === 0 && Number.isInteger(ticks) && ticks > 0 ? ticks : DEFAULT_CLOCK_TICKS_PER_SECOND;
}

export function procAvailable(): boolean {
  try {
    parseProcStatTicks(readFileSync(`/proc/${process.pid}/stat`, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Reads every process each SAMPLE_INTERVAL_MS between `start` and `stop`. */
export class ProcessSampler {
  private readonly rounds: SampleRound[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly processes: readonly ServiceProcess[],
    private readonly ticksPerSecond: number,
    private readonly intervalMs = SAMPLE_INTERVAL_MS,
    private readonly readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): { services: ServiceUsage[]; machineCpuPercent?: number } {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return {
      services: usageFromRounds(this.rounds, this.ticksPerSecond, this.intervalMs / 2),
      machineCpuPercent: machineCpuFromRounds(this.rounds, this.ticksPerSecond),
    };
  }

  private sample(): void {
    const services = new Map<string, ProcReading>();
    for (const { service, pid } of this.processes) {
      const reading = this.read(pid);
      if (!reading) continue;
      const sum = services.get(service) ?? { cpuTicks: 0, rssKb: 0 };
      services.set(service, { cpuTicks: sum.cpuTicks + reading.cpuTicks, rssKb: sum.rssKb + reading.rssKb });
    }
    let machineBusyTicks: number | undefined;
    try {
      machineBusyTicks = parseMachineBusyTicks(this.readFile('/proc/stat'));
    } catch {
      machineBusyTicks = undefined;
    }
    this.rounds.push({ at: this.now(), services, machineBusyTicks });
  }

  /** Undefined when the process is gone (it crashed or was stopped): the window uses what was read. */
  private read(pid: number): ProcReading | undefined {
    try {
      const cpuTicks = parseProcStatTicks(this.readFile(`/proc/${pid}/stat`));
      const rssKb = parseVmRssKb(this.readFile(`/proc/${pid}/status`));
      return rssKb === undefined ? undefined : { cpuTicks, rssKb };
    } catch {
      return undefined;
    }
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
