import { LIFECYCLE_STREAM, callKey } from '@app/contracts';
import { GatewayHarness, settle, waitUntil } from './gateway.harness';
import { NOBODY_NUMBER, TEST_AGENTS } from './test-agents.harness';
import { NO_AGENT_LINE } from '../src/calls/no-agent.refusal';
import { decodeClientState } from '../src/telnyx/client-state';

/** Speaking the refusal takes the simulator ~65 ms a character; the call ends after it. */
const REFUSAL_MS = NO_AGENT_LINE.length * 65 + 5_000;

/**
 * A call to a number that no agent answers (and no default agent): the caller hears a polite line,
 * then the call is hung up. It is logged, and nothing is kept for it: no hash, no bus message.
 */
describe('a call to a number with no agent', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
  });

  afterAll(() => h?.stop());

  it('is answered, told politely, hung up after call.speak.ended, logged, and leaves no state', async () => {
    const warn = jest.spyOn(h.gateway.runtime.logger, 'warn');
    const callId = h.placeCall(NOBODY_NUMBER);
    const report = await h.sim.waitForCallEnd(callId, REFUSAL_MS);

    const commands = h.sim.commands(callId);
    expect(commands.map((c) => `${c.command} ${c.outcome}`)).toEqual(['answer ok', 'speak ok', 'hangup ok']);
    const [answer, speak, hangup] = commands;
    expect(answer.body.stream_url).toBeUndefined();
    expect(decodeClientState(answer.body.client_state)).toEqual({ refused: true });
    expect(speak.body).toMatchObject({ payload: NO_AGENT_LINE });
    expect(speak.commandId).toBe(`${h.relay.events(callId, 'call.answered')[0].id}:speak`);
    expect(hangup.commandId).toBe(`${h.relay.events(callId, 'call.speak.ended')[0].id}:hangup`);
    // The line was heard to its end before the hangup.
    expect(h.sim.call(callId)!.events).toEqual(expect.arrayContaining(['call.speak.started', 'call.speak.ended', 'call.hangup']));
    expect(report.hangupSource).toBe('callee');
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ callId }), 'no agent for the called number, refusing the call');

    await waitUntil(async () => (await h.inboxPending()) === 0, 'the call.hangup to be consumed');
    expect(await h.client.exists(callKey(callId))).toBe(0);
    expect(await h.messages(LIFECYCLE_STREAM, callId)).toEqual([]);
  }, REFUSAL_MS + 5_000);

  it('treats a command on a call that already ended (422, 90018) as benign: not retried, not an error', async () => {
    h.relay.hold((e) => e.type === 'call.answered');
    const callId = h.placeCall(NOBODY_NUMBER);
    await waitUntil(async () => h.relay.held.find((e) => e.callId === callId), 'the held call.answered');
    h.sim.hangup(callId, 'originator_cancel');
    await h.relay.release();
    await waitUntil(async () => h.sim.commands(callId).find((c) => c.command === 'speak'), 'the speak command');
    await settle(500);

    const speaks = h.sim.commands(callId).filter((c) => c.command === 'speak');
    expect(speaks.map((c) => `${c.status} ${c.outcome}`)).toEqual(['422 call-ended']);
    expect(await h.inboxPending()).toBe(0);
    expect(await h.client.xlen('dlq:gateway:inbox')).toBe(0);
  });
});
