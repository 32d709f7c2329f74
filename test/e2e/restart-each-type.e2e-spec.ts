import Redis from 'ioredis';
import { DEFAULT_TTS_SHARDS, GROUPS, TURNS_STREAM, playbackClaimKey, shardOf, ttsShardLeaseKey } from '@app/contracts';
import { AppInstance, AppName } from '../../scripts/lib/system-launcher';
import { CallReport, SandboxClient } from '../../scripts/lib/sandbox-client';
import { ReplicatedSystem, launchReplicatedSystem, logLinesOf } from '../support/replicated-system';
import { auditCall, grepLogs, waitFor } from '../support/call-audit';

/**
 * A rolling restart of every worker type in turn while calls are in progress, as Kubernetes does it:
 * the instance leaves its balancer, gets SIGTERM, and a replacement starts. Each victim is chosen to be
 * busy: the llm-worker generating a turn (it holds the turn's entry), the tts-worker holding a speaking
 * call's shard, the gateway while webhooks flow, the playback-worker holding the most calls' media.
 * Nothing may be lost: every call ends normally, every turn of every call is heard, every sentence said
 * is reported heard in full, and every victim exits by itself (its drain finished) within the bound.
 * On failure the message names each call and turn that went wrong and the restart nearest to it.
 */
jest.setTimeout(118_000);

const REPLICAS: Record<AppName, number> = { 'call-gateway': 2, 'llm-worker': 2, 'tts-worker': 2, 'playback-worker': 2 };
const CALLS = 4;
const SCRIPT = [
  { text: 'Hi, what are your opening hours on Saturday?' },
  { text: 'Can I book a table for four at seven?' },
  { text: 'Do you have vegetarian options?' },
];
/** The harness SIGKILLs a victim still running this long after SIGTERM: longer than any call here, so only a hung drain hits it. */
const DRAIN_BOUND_MS = 60_000;
/** From a final transcript to the end of its answer (3-4 sentences at the simulator's speech rate). */
const TURN_SPAN_MS = 15_000;
/** Between two restarts: each one lands in a different turn. */
const BETWEEN_RESTARTS_MS = 4_000;

interface Restart {
  app: AppName;
  victim: string;
  why: string;
  /** The call whose work the restart was aimed at, if one: what the other instances then logged about it is shown. */
  callId?: string;
  at: number;
  replacement?: string;
  exitedAfterMs?: number;
  exit?: string;
}

describe('restarting each worker type in turn while calls are in progress', () => {
  let replicated: ReplicatedSystem;
  let redis: Redis;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    replicated = await launchReplicatedSystem({ privateRedis: true, replicas: REPLICAS, env: { LOG_LEVEL: 'info' } });
    redis = new Redis(replicated.system.redis.url);
    sandbox = new SandboxClient(replicated.system.sandbox.controlUrl);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await replicated?.stop();
  });

  const nameOf = (i: AppInstance) => `${i.app}-${i.index}`;
  const byName = (app: AppName, name: string | undefined) => replicated.running(app).find((i) => nameOf(i) === name);

  /** Waits for a user turn published after `seen` entries of the turns stream; returns its call. */
  const nextTurn = async (seen: { count: number }): Promise<{ callId: string; id: string }> => {
    const entry = await waitFor(async () => {
      const entries = await redis.xrange(TURNS_STREAM, '-', '+');
      if (entries.length <= seen.count) return undefined;
      seen.count = entries.length;
      return entries[entries.length - 1];
    }, 30_000, 'a user turn', 10);
    const fields = entry[1];
    return { callId: fields[fields.indexOf('callId') + 1], id: entry[0] };
  };

  it('loses no call and no sentence', async () => {
    const t0 = Date.now();
    const rel = (at: number) => `+${((at - t0) / 1000).toFixed(1)}s`;
    const turnsSeen = { count: (await redis.xlen(TURNS_STREAM)) as number };
    const callIds: string[] = [];
    for (let n = 0; n < CALLS; n++) {
      callIds.push(await sandbox.placeCall(`+1555020${String(n).padStart(4, '0')}`, '+15550100000', SCRIPT));
      await new Promise((r) => setTimeout(r, 400));
    }
    const calls = new Set(callIds);
    const restarts: Restart[] = [];
    const stops: Array<Promise<void>> = [];

    const restart = async (app: AppName, victim: AppInstance, why: string, callId?: string) => {
      const record: Restart = { app, victim: nameOf(victim), why, callId, at: Date.now() };
      restarts.push(record);
      replicated.unroute(victim);
      const signalled = Date.now();
      stops.push(
        victim.child.stop('SIGTERM', DRAIN_BOUND_MS).then(() => {
          const { exitCode, signalCode } = victim.child.process;
          record.exitedAfterMs = Date.now() - signalled;
          record.exit = signalCode ? `signal ${signalCode}` : `code ${exitCode}`;
        }),
      );
      const replacement = await replicated.startReplacement(app);
      record.replacement = nameOf(replacement);
    };

    // llm-worker: the instance holding a turn it is generating right now (the turn's pending entry).
    for (;;) {
      const { id } = await nextTurn(turnsSeen);
      const pending = (await redis.xpending(TURNS_STREAM, GROUPS.llm, id, id, 1)) as Array<[string, string]>;
      const victim = byName('llm-worker', pending[0]?.[1]);
      if (victim) {
        await restart('llm-worker', victim, `generating turn entry ${id}`);
        break;
      }
    }
    await sleep(BETWEEN_RESTARTS_MS);

    // tts-worker: the holder of the shard of a call whose turn was just published (its audio is being made).
    {
      const { callId } = await nextTurn(turnsSeen);
      await sleep(600);
      const token = await redis.get(ttsShardLeaseKey(shardOf(callId, DEFAULT_TTS_SHARDS)));
      const victim = byName('tts-worker', token?.split(':')[0]) ?? replicated.running('tts-worker')[0];
      await restart('tts-worker', victim, `holding the shard of ${callId}, speaking its turn`, callId);
    }
    await sleep(BETWEEN_RESTARTS_MS);

    // call-gateway: while a caller's webhooks are coming (a turn was just published).
    {
      await nextTurn(turnsSeen);
      await restart('call-gateway', replicated.running('call-gateway')[0], 'webhooks and playback events in flight');
    }
    await sleep(BETWEEN_RESTARTS_MS);

    // playback-worker: the one playing the most live calls.
    {
      const claims = await Promise.all(callIds.map((callId) => claimOwner(redis, callId)));
      const held = (i: AppInstance) => claims.filter((c) => c === nameOf(i)).length;
      const victim = [...replicated.running('playback-worker')].sort((a, b) => held(b) - held(a))[0];
      const playing = callIds.filter((_, n) => claims[n] === nameOf(victim));
      await restart('playback-worker', victim, `playing ${playing.length} live calls: ${playing.join(' ')}`);
    }

    const reports: CallReport[] = await Promise.all(callIds.map((callId) => sandbox.waitForEnd(callId, 90_000).catch(() => sandbox.report(callId))));
    await Promise.all(stops);

    // Everything that went wrong, each with the restarts under way around it (SIGTERM to exit, overlapping
    // the turn from its final transcript to the end of a typical answer).
    const nearest = (at: number | undefined) => {
      if (at === undefined) return '';
      const around = restarts.filter((r) => r.at <= at + TURN_SPAN_MS && r.at + (r.exitedAfterMs ?? 0) >= at - 1_000);
      return around.length === 0 ? ' (no restart under way)' : ` (restarts under way: ${around.map((r) => `${r.victim} SIGTERM ${rel(r.at)}, ${r.exit} ${rel(r.at + (r.exitedAfterMs ?? 0))}`).join('; ')})`;
    };
    const problems: string[] = [];
    for (const report of reports) {
      const source = (report as CallReport & { hangupSource?: string }).hangupSource;
      if (!report.ended || source !== 'caller') problems.push(`${report.callId}: not ended by the caller (ended ${report.ended}, hangup by ${source})`);
      if (report.greeting?.firstHeardAt === undefined) problems.push(`${report.callId}: greeting never heard`);
      if (report.turns.length !== SCRIPT.length) problems.push(`${report.callId}: ${report.turns.length} of ${SCRIPT.length} utterances spoken`);
      for (const turn of report.turns) {
        if (turn.firstAudioMs === undefined) problems.push(`${report.callId} utterance ${turn.index} at ${rel(turn.finalSentAt ?? t0)}: no answer heard${nearest(turn.finalSentAt)}`);
      }
    }
    for (const callId of callIds) {
      const audit = await auditCall(redis, callId);
      const finals = reports.find((r) => r.callId === callId)?.turns ?? [];
      for (const problem of audit.problems) {
        const turnNo = Number(/ turn (\d+) /.exec(problem)?.[1] ?? NaN);
        // Turn ids: 1 is the greeting, 2.. the utterances in order (no merge or barge-in in this script).
        const turn = Number.isFinite(turnNo) ? finals[turnNo - 2] : undefined;
        // A silence of the caller's pause (600 ms) inside an answer makes the caller speak over its rest.
        const silence = turn ? `; longest silence heard in it ${Math.max(0, ...turn.gapsMs)} ms` : '';
        problems.push(`${problem}${silence}${nearest(turn?.finalSentAt)}`);
      }
    }
    for (const r of restarts) {
      if (r.exit !== 'code 0') problems.push(`${r.victim} (${r.why}) did not drain and exit by itself: ${r.exit} after ${r.exitedAfterMs} ms`);
    }
    const drains = restarts.map((r) => {
      const victim = replicated.system.apps.find((i) => nameOf(i) === r.victim)!;
      const drainLines = logLinesOf(replicated.system, victim)
        .filter((line) => /drain|stopping|handed over|closed/i.test(String(line.msg)))
        .map((line) => String(line.msg));
      // Who carried the call on: the other instances' lines about it after the SIGTERM (e.g. a takeover).
      const carriedOn = r.callId
        ? replicated.system.apps
            .filter((i) => i.app === r.app && nameOf(i) !== r.victim)
            .flatMap((i) => logLinesOf(replicated.system, i).filter((line) => line.callId === r.callId && Date.parse(String(line.time)) >= r.at).map((line) => `${nameOf(i)}: ${String(line.msg)}`))
        : [];
      const handover = carriedOn.length > 0 ? `; then ${[...new Set(carriedOn)].slice(0, 4).join(' | ')}` : '';
      return `${r.victim} SIGTERM ${rel(r.at)} (${r.why}) → ${r.exit} after ${r.exitedAfterMs} ms, replaced by ${r.replacement}; ${[...new Set(drainLines)].join(' | ')}${handover}`;
    });
    console.log(`rolling restart over ${CALLS} calls:\n  ${drains.join('\n  ')}\n  problems: ${problems.length === 0 ? 'none' : `\n    ${problems.join('\n    ')}`}`);

    expect(calls.size).toBe(CALLS);
    expect(problems).toEqual([]);
    expect(grepLogs(replicated.system.logDir)).toEqual([]);
  });
});

/** The playback-worker playing a call: its claim (a hash with `owner`, or a plain value in older versions). */
async function claimOwner(redis: Redis, callId: string): Promise<string | null> {
  const key = playbackClaimKey(callId);
  return (await redis.type(key)) === 'hash' ? redis.hget(key, 'owner') : redis.get(key);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
