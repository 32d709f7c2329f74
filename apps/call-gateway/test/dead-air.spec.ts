import { CONTROL_STREAM, TURNS_STREAM, callKey } from '@app/contracts';
import { GatewayHarness, settle, waitUntil } from './gateway.harness';
import { GOODBYE, MAIN_NUMBER, REPROMPTS, SILENCE_MS, TEST_AGENTS } from './test-agents.harness';
import { DeadAirService } from '../src/calls/dead-air.service';

/**
 * Dead air on the gateway's injected FakeClock: the silence counts from the end of the agent's audio
 * as the playback-worker reports it (never while audio is pending); after the configured silence a
 * reprompt plays; after N reprompts the goodbye plays and the call is hung up once it was heard.
 * Then the hangup cleans up: one `call.ended`, no timer, nothing of the call in Redis without a TTL.
 */
describe('dead air and hangup clean-up', () => {
  let h: GatewayHarness;
  let deadAir: DeadAirService;

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
    deadAir = h.get(DeadAirService);
  });

  afterAll(() => h?.stop());

  const state = (callId: string) => h.client.hget(callKey(callId), 'state');
  const armed = (callId: string) => waitUntil(async () => deadAir.isArmed(callId), 'the dead-air timer');
  const agentLines = async (callId: string) => (await h.sentences(callId)).map((s) => `${s.turnId} ${s.kind} ${s.text}`);

  /** The agent's turn is heard to its end: the silence starts. */
  async function heard(callId: string, turnId: string): Promise<void> {
    await h.playback('playback.started', callId, turnId);
    await h.playback('playback.finished', callId, turnId);
    await armed(callId);
  }

  it('reprompts after the silence, never while audio is pending, then says goodbye and hangs up', async () => {
    // Regression. Symptom: after the last reprompt the call was cut without a word. Cause: the hangup
    // was sent at once, the agent's configured goodbye never said. Fix: the goodbye is a closing turn;
    // the call is hung up when its audio has been heard (or GOODBYE_HANGUP_FALLBACK_MS after it).
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    // The greeting is still to be heard: no amount of time is dead air.
    h.clock.advance(SILENCE_MS * 3);
    await settle(100);
    expect(await agentLines(callId)).toHaveLength(1);

    await heard(callId, '1');
    h.clock.advance(SILENCE_MS - 1);
    await settle(100);
    expect(await agentLines(callId)).toHaveLength(1);
    h.clock.advance(1);
    await h.waitForSentence(callId, 'reprompt', REPROMPTS[0]);

    // The reprompt is playing (started, not finished): the silence waits for its end.
    await h.playback('playback.started', callId, '2');
    await waitUntil(async () => (await state(callId)) === 'speaking', 'speaking');
    h.clock.advance(SILENCE_MS * 3);
    await settle(100);
    expect(await agentLines(callId)).toHaveLength(2);

    await h.playback('playback.finished', callId, '2');
    await armed(callId);
    h.clock.advance(SILENCE_MS);
    await h.waitForSentence(callId, 'reprompt', REPROMPTS[1]);
    await heard(callId, '3');
    h.clock.advance(SILENCE_MS);
    await h.waitForSentence(callId, 'reprompt', GOODBYE);
    expect(await h.client.hget(callKey(callId), 'closingTurn')).toBe('4');
    expect(h.sim.commands(callId).filter((c) => c.command === 'hangup')).toEqual([]);

    await h.playback('playback.started', callId, '4');
    await h.playback('playback.finished', callId, '4');
    const report = await h.sim.waitForCallEnd(callId, 5_000);
    await waitUntil(async () => (await state(callId)) === 'ended', 'the call to end');

    expect(await agentLines(callId)).toEqual([`1 greeting ${TEST_AGENTS.agents[0].greeting}`, `2 reprompt ${REPROMPTS[0]}`, `3 reprompt ${REPROMPTS[1]}`, `4 reprompt ${GOODBYE}`]);
    expect(h.sim.commands(callId).filter((c) => c.command === 'hangup').map((c) => c.commandId)).toEqual([`${callId}:dead-air-hangup`]);
    expect(report.hangupSource).toBe('callee');
    expect(await h.messages(TURNS_STREAM, callId)).toEqual([]);
    await expectCleanedUp(callId);
  });

  it('starts counting again when the caller speaks, and an interim alone postpones the reprompt', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await heard(callId, '1');
    h.clock.advance(SILENCE_MS);
    await h.waitForSentence(callId, 'reprompt', REPROMPTS[0]);
    await heard(callId, '2');

    // The caller starts a sentence (interim only): the silence starts over from there.
    await h.transcript(callId, 'hmm let me', false);
    await waitUntil(async () => Number(await h.client.hget(callKey(callId), 'lastHeardAt')) > 0, 'the interim');
    h.clock.advance(SILENCE_MS);
    await settle(150);
    expect(await agentLines(callId)).toHaveLength(2);
    await armed(callId);

    await h.transcript(callId, 'hmm let me think about it', true);
    await waitUntil(async () => (await h.messages(TURNS_STREAM, callId)).length === 1, 'the user turn');
    expect(deadAir.isArmed(callId)).toBe(false);
    expect(await h.client.hget(callKey(callId), 'reprompts')).toBe('0');
    await heard(callId, '3');
    h.clock.advance(SILENCE_MS);
    // The count started again: the first reprompt line, not the second.
    await h.waitForSentence(callId, 'reprompt', REPROMPTS[0]);
    expect((await h.sentences(callId)).filter((s) => s.text === REPROMPTS[1])).toEqual([]);
  });

  it('cleans up on the caller hanging up: one call.ended (even if the hangup is re-delivered), timers freed', async () => {
    const callId = h.placeCall(MAIN_NUMBER);
    await h.waitForSentence(callId, 'greeting');
    await heard(callId, '1');
    h.sim.hangup(callId);
    await waitUntil(async () => (await state(callId)) === 'ended', 'the call to end');
    expect(deadAir.isArmed(callId)).toBe(false);
    await h.relay.post(h.relay.events(callId, 'call.hangup')[0].body);
    await h.inject('call.hangup', callId, { hangup_cause: 'normal_clearing', hangup_source: 'caller' });
    // Late reports of the ended call change nothing (and never bring its hash back without a TTL).
    await h.playback('playback.finished', callId, '1');
    await h.transcript(callId, 'are you still there', true);
    await settle(300);
    await expectCleanedUp(callId);
    expect(await state(callId)).toBe('ended');
    expect(deadAir.isArmed(callId)).toBe(false);
    expect((await h.shard(callId)).map((m) => m.type)).toEqual(['tts.open', 'sentence', 'tts.close']);
  });

  /** One ended event and one call.ended; no timer of the call; every key of the call expires. */
  async function expectCleanedUp(callId: string): Promise<void> {
    // call.ended is the hangup handling's last message: everything else has been published by then.
    await waitUntil(async () => (await h.messages(CONTROL_STREAM, callId)).some((m) => m.type === 'call.ended'), 'call.ended');
    expect((await h.lifecycle(callId)).filter((s) => s === 'ended')).toHaveLength(1);
    expect((await h.lifecycle(callId)).at(-1)).toBe('ended');
    expect((await h.messages(CONTROL_STREAM, callId)).filter((m) => m.type === 'call.ended')).toHaveLength(1);
    expect(deadAir.isArmed(callId)).toBe(false);
    const keys = await h.client.keys(`*${callId}*`);
    expect(keys).toContain(callKey(callId));
    for (const key of keys) {
      expect(await h.client.type(key)).not.toBe('stream');
      expect(await h.client.ttl(key)).toBeGreaterThan(0);
    }
    expect(await h.client.ttl(callKey(callId))).toBeLessThanOrEqual(300);
  }

  it('leaves no timer and no key without a TTL once every call has ended', async () => {
    for (const call of h.sim.calls()) if (call.state !== 'ended') h.sim.hangup(call.callControlId);
    await waitUntil(async () => (await h.inboxPending()) === 0 && deadAir.liveTimers() === 0, 'every hangup to be handled');
    expect(h.clock.pendingTimers()).toBe(0);
    for (const key of await h.client.keys('*')) {
      if ((await h.client.type(key)) === 'stream') continue;
      expect([key, await h.client.ttl(key)]).toEqual([key, expect.any(Number)]);
      expect(await h.client.ttl(key)).toBeGreaterThan(0);
    }
  });
});
