import Redis from 'ioredis';
import { DEFAULT_TTS_SHARDS, shardOf, ttsShardLeaseKey } from '@app/contracts';
import { AppName } from '../../scripts/lib/system-launcher';
import { CallReport, SandboxClient } from '../../scripts/lib/sandbox-client';
import { ReplicatedSystem, launchReplicatedSystem, workOf } from '../support/replicated-system';
import { auditCall, grepLogs, waitFor } from '../support/call-audit';

/**
 * Two replicas of every app at once, behind round-robin balancers (webhooks to the gateways, media
 * WebSockets to the playback-workers), several calls at the same time: every call completes with every
 * sentence heard, and the work is spread: both gateways took webhooks, both llm-workers answered turns,
 * both tts-workers hold shards and spoke for calls, both playback-workers played calls (each call by one).
 */
jest.setTimeout(115_000);

const REPLICAS: Record<AppName, number> = { 'call-gateway': 2, 'llm-worker': 2, 'tts-worker': 2, 'playback-worker': 2 };
const CALLS = 6;
/** More calls are placed (up to this many) if the first ones all landed in one tts-worker's shards. */
const MAX_CALLS = 10;
const SCRIPT = [{ text: 'What are your opening hours on Saturday?' }, { text: 'Do you have vegetarian options?' }];

describe('two replicas of every app, several calls at once', () => {
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

  /** Instance holding each shard's lease (the token is `<instanceId>:<random>`). */
  const shardOwners = async (): Promise<Array<string | undefined>> => {
    const tokens = await redis.mget(...Array.from({ length: DEFAULT_TTS_SHARDS }, (_, shard) => ttsShardLeaseKey(shard)));
    return tokens.map((token) => token?.split(':')[0]);
  };

  it('completes every call and spreads the work over the replicas of each app', async () => {
    const { system, webhooks, media } = replicated;
    const ttsIds = replicated.running('tts-worker').map((i) => `${i.app}-${i.index}`);
    // The tts-workers share the shards fairly (each takes about half) before the calls come.
    await waitFor(async () => {
      const owners = await shardOwners();
      return ttsIds.every((id) => owners.filter((o) => o === id).length >= DEFAULT_TTS_SHARDS / 2 - 2) ? owners : undefined;
    }, 20_000, 'the shards shared by the tts-workers');

    const callIds: string[] = [];
    const ttsOwnerOfCall = new Map<string, string | undefined>();
    const place = async (n: number) => {
      const callId = await sandbox.placeCall(`+1555010${String(n).padStart(4, '0')}`, '+15550100000', SCRIPT);
      callIds.push(callId);
      ttsOwnerOfCall.set(callId, (await shardOwners())[shardOf(callId, DEFAULT_TTS_SHARDS)]);
    };
    for (let n = 0; n < CALLS; n++) {
      await place(n);
      await sleep(250);
    }
    // Shards are a hash of the call id: if chance put every call on one tts-worker, a few more calls fix that.
    while (new Set(ttsOwnerOfCall.values()).size < ttsIds.length && callIds.length < MAX_CALLS) await place(callIds.length);

    const reports: CallReport[] = await Promise.all(callIds.map((callId) => sandbox.waitForEnd(callId, 80_000)));

    // Every call completed: greeted, every turn answered and heard, hung up by the caller.
    for (const report of reports) {
      expect({ callId: report.callId, ended: report.ended, hangupSource: (report as CallReport & { hangupSource?: string }).hangupSource }).toEqual({
        callId: report.callId,
        ended: true,
        hangupSource: 'caller',
      });
      expect(report.greeting?.firstHeardAt).toBeDefined();
      expect(report.turns.map((t) => t.firstAudioMs !== undefined)).toEqual(SCRIPT.map(() => true));
    }
    const audits = await Promise.all(
      callIds.map((callId) => waitFor(async () => {
        const audit = await auditCall(redis, callId);
        return audit.problems.length === 0 && audit.turns.length === SCRIPT.length + 1 ? audit : undefined;
      }, 5_000, `every sentence of ${callId} heard`).catch(() => auditCall(redis, callId))),
    );
    expect(audits.flatMap((a) => a.problems)).toEqual([]);

    // The spread, per app type.
    const spread: Record<string, Record<string, number>> = {};
    for (const app of Object.keys(REPLICAS) as AppName[]) {
      spread[app] = {};
      for (const instance of replicated.running(app)) {
        const work = workOf(system, instance);
        const mine = app === 'llm-worker' ? [...work.turns].filter((t) => callIds.includes(t.split('#')[0])).length : callIds.filter((c) => work.calls.has(c)).length;
        spread[app][`${instance.app}-${instance.index}`] = mine;
      }
    }
    const ttsCalls: Record<string, number> = {};
    for (const owner of ttsOwnerOfCall.values()) ttsCalls[owner ?? '?'] = (ttsCalls[owner ?? '?'] ?? 0) + 1;
    console.log(
      `${callIds.length} calls over ${JSON.stringify(REPLICAS)}: calls (llm: turns) each instance worked on ${JSON.stringify(spread)}; ` +
        `webhook connections per gateway port ${JSON.stringify(Object.fromEntries(webhooks.connections))}; ` +
        `media connections per playback port ${JSON.stringify(Object.fromEntries(media.connections))}; calls per tts shard owner ${JSON.stringify(ttsCalls)}`,
    );
    for (const app of Object.keys(REPLICAS) as AppName[]) {
      const counts = Object.values(spread[app]);
      expect({ app, instances: counts.length, idle: counts.filter((n) => n === 0).length }).toEqual({ app, instances: REPLICAS[app], idle: 0 });
    }
    // Each call was played by exactly one playback-worker (the one its media socket reached).
    const playbackCalls = replicated.running('playback-worker').map((i) => workOf(system, i).calls);
    for (const callId of callIds) expect(playbackCalls.filter((calls) => calls.has(callId))).toHaveLength(1);
    // Each call's speech came from the tts-worker holding its shard's lease.
    for (const [callId, owner] of ttsOwnerOfCall) {
      const speaker = replicated.running('tts-worker').find((i) => `${i.app}-${i.index}` === owner);
      expect({ callId, spokenByShardOwner: speaker ? workOf(system, speaker).calls.has(callId) : false }).toEqual({ callId, spokenByShardOwner: true });
    }
    expect(grepLogs(system.logDir)).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
