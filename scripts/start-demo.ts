/**
 * `npm start`: one simulated phone call of three turns through all four services and the provider
 * simulators, then the latency the caller experienced, turn by turn. `npm start -- --json` for machines.
 */
import { launchSystem } from './lib/system-launcher';
import { CallReport, SandboxClient } from './lib/sandbox-client';

const DEMO_SCRIPT = [
  { text: 'Hi, what are your opening hours on Saturday?' },
  { text: 'Great. Can I book a table for four people at seven?' },
  { text: 'Perfect, and do you have vegetarian options?' },
];
const CALL_TIMEOUT_MS = 90_000;

function round(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 10) / 10;
}

export function summarise(report: CallReport) {
  return {
    callId: report.callId,
    turns: report.turns.map((t) => ({
      text: t.text,
      firstAudioMs: round(t.firstAudioMs),
      providerMs: round(t.providerMs),
      overheadMs: round(t.overheadMs),
      gapsMs: t.gapsMs.map((g) => round(g)!),
    })),
  };
}

function printHuman(summary: ReturnType<typeof summarise>, logDir: string): void {
  console.log(`\nSimulated call ${summary.callId}: ${summary.turns.length} turns\n`);
  console.log('turn  first audio   providers   our overhead   gaps between sentences');
  summary.turns.forEach((t, i) => {
    const gaps = t.gapsMs.length ? t.gapsMs.map((g) => `${g} ms`).join(', ') : 'none';
    console.log(
      `${String(i + 1).padEnd(6)}${`${t.firstAudioMs} ms`.padEnd(14)}${`${t.providerMs} ms`.padEnd(12)}${`${t.overheadMs} ms`.padEnd(15)}${gaps}`,
    );
  });
  console.log(`\n(first audio = caller's final transcript → first audio heard, as the simulated caller's ear measured it)`);
  console.log(`logs: ${logDir}`);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const log = (line: string) => (json ? undefined : console.log(line));
  log('starting Redis, the provider simulators and the four services...');
  const system = await launchSystem({ redisUrl: process.env.REDIS_URL });
  let exitCode = 0;
  try {
    log(`redis ${system.redis.url}${system.redis.owned ? ' (private)' : ''}; placing a call of ${DEMO_SCRIPT.length} turns...`);
    const sandbox = new SandboxClient(system.sandbox.controlUrl);
    const callId = await sandbox.placeCall('+15550123456', '+15550100000', DEMO_SCRIPT);
    const report = await sandbox.waitForEnd(callId, CALL_TIMEOUT_MS);
    const summary = summarise(report);
    if (json) console.log(JSON.stringify(summary));
    else printHuman(summary, system.logDir);
    if (summary.turns.length !== DEMO_SCRIPT.length || summary.turns.some((t) => t.firstAudioMs === undefined)) {
      console.error('the call did not complete every turn: see the logs');
      exitCode = 1;
    }
  } catch (error) {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}\nlogs: ${system.logDir}`);
    exitCode = 1;
  } finally {
    await system.stop();
  }
  process.exit(exitCode);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
