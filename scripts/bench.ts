/**
 * `npm run bench`: the whole system as real processes (a private Redis, the provider simulators at
 * fixed latencies, the four services) under 1, 10 and 100 concurrent calls, in the persistent mode and
 * in the seed system's per-turn REST baseline, side by side; latency as the simulated callers heard it,
 * CPU and memory per service and per call, and the goals checked. `--help` for the options.
 */
import { cpus } from 'node:os';
import Redis from 'ioredis';
import { BenchMode, planCalls } from './lib/bench-call-plan';
import { formatReport } from './lib/bench-format';
import { sandboxHealthCall } from './lib/bench-lag-probe';
import { runLevel } from './lib/bench-level-runner';
import { BENCH_PROVIDERS, BenchOptions, USAGE, parseBenchArgs, sandboxLatencies } from './lib/bench-options';
import { ServiceProcess, clockTicksPerSecond, procAvailable } from './lib/bench-proc-sampler';
import { LevelRun, baselineUnavailableReason, buildReport } from './lib/bench-report';
import { SandboxClient } from './lib/sandbox-client';
import { RunningSystem, launchSystem } from './lib/system-launcher';

/** After each level, before the next: hangups propagate and sockets close, so levels do not overlap. */
export const SETTLE_MS = 2_000;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function redisPid(url: string): Promise<number | undefined> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const match = /process_id:(\d+)/.exec(await client.info('server'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

async function processesOf(system: RunningSystem): Promise<ServiceProcess[]> {
  const processes: ServiceProcess[] = system.apps.map((a) => ({ service: a.app, pid: a.child.process.pid! }));
  const simulators = system.sandbox.processes ?? { sandbox: system.sandboxChild.process.pid! };
  for (const [service, pid] of Object.entries(simulators)) processes.push({ service, pid });
  const redis = system.redis.owned ? await redisPid(system.redis.url) : undefined;
  if (redis !== undefined) processes.push({ service: 'redis', pid: redis });
  processes.push({ service: 'bench-driver', pid: process.pid });
  return processes;
}

async function runBench(options: BenchOptions, system: RunningSystem): Promise<ReturnType<typeof buildReport>> {
  const notes: string[] = [];
  if (!procAvailable()) notes.push('no /proc on this machine: CPU and memory were not sampled');
  const deps = {
    sandbox: new SandboxClient(system.sandbox.controlUrl),
    processes: procAvailable() ? await processesOf(system) : [],
    ticksPerSecond: clockTicksPerSecond(),
    sandboxHealth: sandboxHealthCall(system.sandbox.controlUrl),
    log,
  };
  let callNumber = 0;
  const level = async (mode: BenchMode, calls: number, turns = options.turns, bargeInShare = options.bargeInShare): Promise<LevelRun> => {
    const plan = planCalls({ mode, calls, turns, bargeInShare, firstCallNumber: callNumber });
    callNumber += calls;
    const run = await runLevel(deps, plan, { mode, staggerMs: options.staggerMs, turns });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return run;
  };
  let baselineUnavailable: string | undefined;
  if (options.warmup) {
    const wantsBaseline = options.baselineLevels.length > 0;
    log(`warm-up: one unmeasured call per mode...`);
    const [, baselineWarmup] = await Promise.all([level('persistent', 1, 1, 0), wantsBaseline ? level('baseline', 1, 1, 0) : undefined]);
    if (baselineWarmup) baselineUnavailable = baselineUnavailableReason([baselineWarmup]);
    if (baselineUnavailable) log(`baseline unavailable: ${baselineUnavailable}`);
  }
  const persistent: LevelRun[] = [];
  const baseline: LevelRun[] = [];
  let baselineStopped: string | undefined;
  const sizes = [...new Set([...options.levels, ...options.baselineLevels])].sort((a, b) => a - b);
  for (const calls of sizes) {
    if (options.levels.includes(calls)) {
      log(`persistent: ${calls} concurrent calls of ${options.turns} turns...`);
      persistent.push(await level('persistent', calls));
    }
    if (options.baselineLevels.includes(calls) && !baselineUnavailable && !baselineStopped) {
      log(`baseline: ${calls} concurrent calls of ${options.turns} turns...`);
      baseline.push(await level('baseline', calls));
      // A level that heard nothing ends the baseline's larger levels; whether it is unavailable as a
      // whole is decided over all its levels when the report is built.
      baselineStopped = baselineUnavailableReason([baseline[baseline.length - 1]]);
      if (baselineStopped) {
        log(`baseline heard nothing at ${calls} calls, larger baseline levels skipped: ${baselineStopped}`);
        notes.push(`baseline levels above ${calls} calls skipped: ${baselineStopped}`);
      }
    }
  }
  return buildReport({
    settings: {
      turns: options.turns,
      bargeInShare: options.bargeInShare,
      staggerMs: options.staggerMs,
      sandbox: options.sandbox,
      capacity: options.capacity,
      providers: { ...BENCH_PROVIDERS },
      machine: { cores: cpus().length, cpu: cpus()[0]?.model.trim() ?? 'unknown' },
    },
    persistent,
    baseline,
    baselineUnavailable,
    notes,
    logDir: system.logDir,
  });
}

async function main(): Promise<number> {
  const parsed = parseBenchArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    console.error(`${parsed.error}\n${USAGE}`);
    return 2;
  }
  const options = parsed.options;
  log('starting a private Redis, the provider simulators and the four services...');
  const system = await launchSystem({ privateRedis: true, sandbox: { ...sandboxLatencies(), processes: options.sandbox } });
  const stopOnSignal = () => void system.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const report = await runBench(options, system);
    console.log(options.json ? JSON.stringify(report) : formatReport(report));
    return 0;
  } catch (error) {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}\nlogs: ${system.logDir}`);
    return 1;
  } finally {
    await system.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
