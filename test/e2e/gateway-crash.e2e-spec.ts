import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { GATEWAY_INBOX_STREAM, GROUPS, LIFECYCLE_STREAM, decodeMessage } from '@app/contracts';
import { TelnyxSimulator } from '../../apps/sandbox/src/telnyx';
import { MediaPeer } from '../../apps/sandbox/src/telnyx/testing/media-peer';
import { ManagedChild, startNodeChild, waitForHttpOk } from '../../scripts/lib/child-process';
import { builtAppScript, projectRoot } from '../../scripts/lib/project-root';
import { TestRedis, startTestRedis } from '../support/redis-server';
import { freePort } from '../support/free-port';

/**
 * The gateway acknowledges a webhook only once it is in the durable inbox, so a crash after the answer
 * loses nothing. Here the gateway really dies (SIGKILL, a child process of `dist`) at the worst moments,
 * and a restarted one finishes the work, once: Telnyx (the simulator) sees every command once, or
 * again with the same command_id, which it ignores and counts as a duplicate.
 */
jest.setTimeout(60_000);

const CALLER = '+15550123456';
const CALLED = '+15550100000';
/** The bus reclaims a dead consumer's entries once they are idle this long (DEFAULT_CLAIM_IDLE_MS, 30 s). */
const PAST_CLAIM_IDLE_MS = 60_000;
const START_TIMEOUT_MS = 20_000;

describe('gateway crash between the inbox write and the processing', () => {
  let redis: TestRedis;
  let client: Redis;
  let sim: TelnyxSimulator;
  let peer: MediaPeer;
  let port: number;
  let baseEnv: NodeJS.ProcessEnv;
  const logDir = mkdtempSync(join(tmpdir(), 'gateway-crash-'));
  const children: ManagedChild[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    peer = new MediaPeer();
    const mediaUrl = (await peer.start()).replace(/\/media$/, '');
    port = await freePort();
    // Webhooks are retried quickly and for long enough to outlive a restart.
    sim = new TelnyxSimulator({
      callerAudio: 'silence',
      webhooks: { retryDelayMs: 300, maxAttempts: 40 },
      caller: { answerTimeoutMs: 600_000, mediaTimeoutMs: 600_000, responseTimeoutMs: 600_000 },
      webhookUrl: `http://127.0.0.1:${port}/webhooks/telnyx`,
    });
    const { baseUrl } = await sim.start();
    baseEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'info',
      REDIS_URL: redis.url,
      GATEWAY_PORT: String(port),
      TELNYX_BASE_URL: baseUrl,
      TELNYX_API_KEY: 'KEY_CRASH_TEST',
      TELNYX_PUBLIC_KEY: sim.publicKeyBase64,
      MEDIA_PUBLIC_URL: mediaUrl,
      MEDIA_TOKEN_SECRET: 'crash-test-media-token-secret',
      AGENTS_FILE: join(projectRoot(), 'deploy', 'agents.example.yaml'),
    };
  });

  afterAll(async () => {
    for (const child of children) await child.stop('SIGKILL');
    await sim?.close();
    await peer?.close();
    client?.disconnect();
    await redis?.stop();
  });

  async function startGateway(name: string, script = builtAppScript('call-gateway'), env: NodeJS.ProcessEnv = {}): Promise<ManagedChild> {
    const child = startNodeChild(name, script, { ...baseEnv, INSTANCE_ID: name, ...env }, logDir);
    children.push(child);
    await waitForHttpOk(`http://127.0.0.1:${port}/health/ready`, START_TIMEOUT_MS);
    return child;
  }

  async function kill(child: ManagedChild): Promise<void> {
    const exited = new Promise((resolve) => child.process.once('exit', resolve));
    child.kill9();
    await exited;
  }

  const answers = (callId: string) => sim.commands(callId).filter((c) => c.command === 'answer');
  const initiatedId = (callId: string) => sim.webhookDeliveries(callId).find((d) => d.eventType === 'call.initiated')!.eventId;
  const lifecycle = async (callId: string) =>
    (await client.xrange(LIFECYCLE_STREAM, '-', '+'))
      .map(([, fields]) => decodeMessage(fields))
      .flatMap((d) => (d.ok && d.message.type === 'call.lifecycle' && d.message.callId === callId ? [d.message.state] : []));
  const pending = async () => Number(((await client.xpending(GATEWAY_INBOX_STREAM, GROUPS.gateway)) as [number])[0]);

  it('processes, after a restart, a webhook stored by a gateway that died before reading it: once', async () => {
    // A real gateway whose inbox consumer is stopped: it stores and acknowledges, and reads nothing,
    // which holds open the window between the inbox write and the processing.
    const intakeOnly = join(logDir, 'intake-only-gateway.js');
    writeFileSync(
      intakeOnly,
      `const { callGatewayApp } = require(${JSON.stringify(builtAppScript('call-gateway'))});
const { bootstrapApp } = require(${JSON.stringify(join(projectRoot(), 'dist', 'libs', 'core', 'src', 'index.js'))});
bootstrapApp({ ...callGatewayApp, streams: () => [] });`,
    );
    const first = await startGateway('gateway-intake-only', intakeOnly);
    const inboxBefore = await client.xlen(GATEWAY_INBOX_STREAM);
    const { callId } = sim.placeCall({ from: CALLER, to: CALLED, script: [] });
    await waitFor(() => sim.webhookDeliveries(callId).some((d) => d.eventType === 'call.initiated' && d.status === 200), 'the acknowledged call.initiated');
    expect(await client.xlen(GATEWAY_INBOX_STREAM)).toBe(inboxBefore + 1);
    expect(answers(callId)).toEqual([]);
    await kill(first);

    await startGateway('gateway-restarted');
    // The lifecycle event follows the hash's change: wait for the event itself.
    await waitFor(async () => (await lifecycle(callId)).includes('answered'), 'the call answered after the restart');
    expect(answers(callId).map((a) => `${a.commandId} ${a.outcome}`)).toEqual([`${initiatedId(callId)}:answer ok`]);
    expect(await lifecycle(callId)).toEqual(['initiated', 'answering', 'answered']);
    await waitFor(async () => (await pending()) === 0, 'every inbox entry acked');
  });

  it('finishes, after a restart, a webhook whose handling died half-way: the answer reaches Telnyx once', async () => {
    // Regression. Symptom: a gateway killed after recording the call but before its answer went out left
    // the call unanswered for good. Cause: the redelivered call.initiated found the call recorded and
    // was taken for Telnyx re-sending it. Fix: a transition remembers the event that made it (stateEvent)
    // and the inbox entry that owns the event id; the same event on the same entry resumes its work.
    // The answer takes effect at Telnyx at once but its response is late: the gateway dies waiting for it.
    sim.faults.delayNext(1, 30_000);
    const { callId } = sim.placeCall({ from: CALLER, to: CALLED, script: [] });
    await waitFor(() => answers(callId).length === 1, 'the answer to reach Telnyx');
    await kill(children.at(-1)!);
    expect(await pending()).toBeGreaterThan(0);

    // A dead consumer's pending entries are reclaimed once idle past the bus's claim limit (30 s): mark
    // them that old instead of waiting (the entries, their owner and their delivery counts stay as they are).
    const entries = (await client.xpending(GATEWAY_INBOX_STREAM, GROUPS.gateway, '-', '+', 100)) as Array<[string, string]>;
    for (const [id, consumer] of entries) {
      await client.call('XCLAIM', GATEWAY_INBOX_STREAM, GROUPS.gateway, consumer, '0', id, 'IDLE', String(PAST_CLAIM_IDLE_MS), 'JUSTID');
    }
    const restarted = await startGateway('gateway-after-crash');
    await waitFor(async () => (await lifecycle(callId)).includes('answered'), 'the call answered after the restart');
    await waitFor(async () => (await pending()) === 0, 'every inbox entry acked');

    const commandId = `${initiatedId(callId)}:answer`;
    expect(answers(callId).map((a) => `${a.commandId} ${a.outcome}`)).toEqual([`${commandId} ok`, `${commandId} duplicate`]);
    expect(sim.call(callId)!.streams).toHaveLength(1);
    expect((await lifecycle(callId)).filter((s) => s === 'answered')).toHaveLength(1);
    expect(readFileSync(restarted.logFile, 'utf8')).toContain('webhook handled again after an unfinished attempt');
  });

  it.each([
    ['an agent in the agents file', { AGENTS_FILE: 'bad-agents.yaml' }, 'call-gateway failed to start: agent sales: bargeIn.minWords'],
    ['the webhook key', { TELNYX_PUBLIC_KEY: '' }, 'call-gateway failed to start: config: TELNYX_PUBLIC_KEY: required while WEBHOOK_SIGNATURE_CHECK is on'],
  ])('does not start with a mistake in %s, and says what it is in one line', async (_name, env, line) => {
    writeFileSync(join(logDir, 'bad-agents.yaml'), 'agents:\n  - id: sales\n    bargeIn: { minWords: 0 }\n');
    const overrides = { ...env, ...('AGENTS_FILE' in env ? { AGENTS_FILE: join(logDir, env.AGENTS_FILE) } : {}) };
    const child = startNodeChild(`gateway-bad-${Object.keys(env)[0]}`, builtAppScript('call-gateway'), { ...baseEnv, GATEWAY_PORT: '0', ...overrides }, logDir);
    const code = await new Promise<number | null>((resolve) => child.process.once('exit', resolve));
    expect(code).toBe(1);
    expect(readFileSync(child.logFile, 'utf8')).toContain(line);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
