import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { CONTROL_STREAM, LIFECYCLE_STREAM, audioStream, callKey, decodeMessage, historyKey } from '@app/contracts';
import { RunningSystem, launchSystem } from '../../scripts/lib/system-launcher';
import { SandboxClient } from '../../scripts/lib/sandbox-client';

/**
 * The gateway's promises with every service running as its own process, against the simulators: the
 * scripted caller barges in and the agent stops (one cancel, every stage obeys); an outbound call placed
 * with `POST /v1/calls` is answered by the far end, greeted, and cleaned up when the far end hangs up.
 */
jest.setTimeout(120_000);

const TOKEN = 'system-test-outbound-token';
const AGENTS = `defaultAgent: receptionist
agents:
  - id: receptionist
    numbers: ["+15550100000"]
    greeting: "Hello, thanks for calling Acme. How can I help you today?"
    bargeIn: { enabled: true, minWords: 2 }
`;

describe('the gateway in the whole system', () => {
  let system: RunningSystem;
  let redis: Redis;
  let sandbox: SandboxClient;

  beforeAll(async () => {
    const agentsFile = join(mkdtempSync(join(tmpdir(), 'gateway-system-')), 'agents.yaml');
    writeFileSync(agentsFile, AGENTS);
    system = await launchSystem({
      privateRedis: true,
      agentsFile,
      env: { LOG_LEVEL: 'info', OUTBOUND_API_TOKEN: TOKEN, TELNYX_CONNECTION_ID: '2101012345678901234' },
    });
    redis = new Redis(system.redis.url);
    sandbox = new SandboxClient(system.sandbox.controlUrl);
  });

  afterAll(async () => {
    redis?.disconnect();
    await system?.stop();
  });

  const gatewayUrl = () => `http://127.0.0.1:${system.apps.find((a) => a.app === 'call-gateway')!.port}`;
  const ofCall = async (stream: string, callId: string) =>
    (await redis.xrange(stream, '-', '+')).map(([, f]) => decodeMessage(f)).flatMap((d) => (d.ok && 'callId' in d.message && d.message.callId === callId ? [d.message] : []));

  async function expectCleanedUp(callId: string): Promise<void> {
    await waitFor(async () => (await ofCall(CONTROL_STREAM, callId)).some((m) => m.type === 'call.ended'), 5_000);
    const control = await ofCall(CONTROL_STREAM, callId);
    expect(control.filter((m) => m.type === 'call.ended')).toHaveLength(1);
    const states = (await ofCall(LIFECYCLE_STREAM, callId)).map((m) => (m.type === 'call.lifecycle' ? m.state : ''));
    expect(states.filter((s) => s === 'ended')).toHaveLength(1);
    await waitFor(async () => (await redis.exists(audioStream(callId), historyKey(callId))) === 0, 5_000);
    for (const key of await redis.keys(`*${callId}*`)) expect(await redis.ttl(key)).toBeGreaterThan(0);
  }

  it('stops the agent when the scripted caller barges in: one cancel, the audio cut, the caller answered', async () => {
    const callId = await sandbox.placeCall('+15550123456', '+15550100000', [
      { text: 'Can you tell me everything about your menu and your opening hours?' },
      { text: 'Sorry, stop there please, just the hours.', bargeInAfterMs: 400 },
    ]);
    const report = await sandbox.waitForEnd(callId, 60_000);

    expect(report.turns).toHaveLength(2);
    expect(report.turns[1].bargeInToSilenceMs).toBeDefined();
    expect(report.turns[1].firstAudioMs).toBeDefined();
    const cancels = (await ofCall(CONTROL_STREAM, callId)).filter((m) => m.type === 'turn.cancel');
    expect(cancels.map((m) => (m.type === 'turn.cancel' ? m.reason : ''))).toEqual(['barge-in']);
    await expectCleanedUp(callId);
  });

  it('places an outbound call: dialled, answered by the far end, greeted, cleaned up after its hangup', async () => {
    const unauthorized = await fetch(`${gatewayUrl()}/v1/calls`, { method: 'POST', body: '{}' });
    expect(unauthorized.status).toBe(401);
    const res = await fetch(`${gatewayUrl()}/v1/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+15557654321', from: '+15550100000', agentId: 'receptionist' }),
    });
    expect(res.status).toBe(201);
    const { callId } = (await res.json()) as { callId: string };
    // The far end listens to the greeting and hangs up.
    const report = await sandbox.waitForEnd(callId, 30_000);

    expect(report.greeting?.firstHeardAt).toBeDefined();
    expect(await redis.hget(callKey(callId), 'direction')).toBe('outgoing');
    const states = (await ofCall(LIFECYCLE_STREAM, callId)).map((m) => (m.type === 'call.lifecycle' ? m.state : ''));
    expect(states).toEqual(['initiated', 'answered', 'speaking', 'listening', 'ended']);
    await expectCleanedUp(callId);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
