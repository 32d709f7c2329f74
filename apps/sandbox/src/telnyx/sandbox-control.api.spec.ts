import Telnyx from 'telnyx';
import { eventually } from './testing/eventually';
import { WebhookInbox } from './testing/webhook-inbox';
import { TelnyxSimulator } from './telnyx.simulator';

describe('SandboxControlApi (driving the simulator from another process)', () => {
  let sim: TelnyxSimulator;
  let inbox: WebhookInbox;
  let root: string;

  beforeEach(async () => {
    sim = new TelnyxSimulator({ caller: { pauseMs: 1e9 } });
    inbox = new WebhookInbox(new Telnyx({ apiKey: 'KEY', publicKey: sim.publicKeyBase64 }));
    sim.setWebhookUrl(await inbox.start());
    const { port, baseUrl } = await sim.start();
    expect(baseUrl).toBe(`http://127.0.0.1:${port}/v2`);
    root = `http://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    await sim.close();
    await inbox.close();
  });

  const post = (path: string, body: string) => fetch(`${root}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('places a call that Telnyx announces with call.initiated, and reports on it', async () => {
    const res = await post('/sandbox/calls', JSON.stringify({ from: '+15550001111', to: '+15550002222', script: [{ text: 'hello', bargeInAfterMs: 100 }] }));
    expect(res.status).toBe(201);
    const { callId } = (await res.json()) as { callId: string };
    expect(callId).toMatch(/^v3:/);
    await eventually(() => inbox.find('call.initiated', callId), 'call.initiated');

    const report = await fetch(`${root}/sandbox/calls/${encodeURIComponent(callId)}/report`);
    expect(report.status).toBe(200);
    expect(await report.json()).toEqual({
      callId,
      direction: 'incoming',
      from: '+15550001111',
      to: '+15550002222',
      greeting: { gapsMs: [], maxAheadMs: 0, bursts: 0 },
      turns: [],
      ended: false,
      clears: [],
    });
    expect(await (await fetch(`${root}/sandbox/health`)).json()).toEqual({ status: 'ok', calls: 1 });
  });

  it('rejects an invalid call request with the fields named', async () => {
    const res = await post('/sandbox/calls', JSON.stringify({ from: '+15550001111', script: [{ text: 'hi', dtmf: 'x' }] }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid call request', issues: [expect.stringMatching(/^to: /), expect.stringMatching(/^script\.0\.dtmf: /)] });
    expect((await post('/sandbox/calls', '{nope')).status).toBe(400);
    expect(sim.calls()).toEqual([]);
  });

  it('answers 404 for an unknown call or path, and keeps /sandbox apart from /v2', async () => {
    expect((await fetch(`${root}/sandbox/calls/${encodeURIComponent('v3:unknown')}/report`)).status).toBe(404);
    expect((await fetch(`${root}/sandbox/nothing`)).status).toBe(404);
    expect((await fetch(`${root}/v2/sandbox/health`)).status).toBe(401);
  });
});
