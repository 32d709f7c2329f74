import { PLAYBACK_REST_STREAM, callKey, verifyMediaToken } from '@app/contracts';
import { DEFAULT_CONNECTION_ID } from '../../sandbox/src/telnyx';
import Telnyx from 'telnyx';
import { API_KEY, GatewayHarness, MEDIA_SECRET, OUTBOUND_TOKEN, waitUntil } from './gateway.harness';
import { GREETING, MAIN_NUMBER, REST_NUMBER, TEST_AGENTS } from './test-agents.harness';
import { decodeClientState, encodeClientState } from '../src/telnyx/client-state';
import { TELNYX_COMMANDS } from '../src/telnyx/telnyx.provider';
import { TelnyxCommands } from '@app/telnyx';

/**
 * Outbound calls: `POST /v1/calls {to, from, agentId}` behind a bearer token dials through the SDK
 * (the simulator's Call Control API) and, once the far end answers, runs the same flow as an incoming
 * call: media streaming (started now that the call id is known), TTS opened, greeting.
 */
describe('POST /v1/calls', () => {
  let h: GatewayHarness;
  const to = '+15557654321';

  beforeAll(async () => {
    h = await GatewayHarness.start({ agents: TEST_AGENTS });
  });

  afterAll(() => h?.stop());

  const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${OUTBOUND_TOKEN}` }) =>
    fetch(`${h.url}/v1/calls`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['another scheme', { authorization: `Basic ${OUTBOUND_TOKEN}` }],
  ])('answers 401 with %s, before reading the body, and dials nothing', async (_name, headers) => {
    const res = await post('{not json', headers);
    expect(res.status).toBe(401);
    expect(h.sim.calls().filter((c) => c.direction === 'outgoing')).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{to:'],
    ['a missing field', { to, from: MAIN_NUMBER }],
    ['a bad number', { to: '555-1234', from: MAIN_NUMBER, agentId: 'main' }],
    ['an unknown field', { to, from: MAIN_NUMBER, agentId: 'main', webhook_url: 'http://evil' }],
  ])('answers 400 for %s', async (_name, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
  });

  it('answers 404 for an unknown agent', async () => {
    const res = await post({ to, from: MAIN_NUMBER, agentId: 'nobody' });
    expect(res.status).toBe(404);
    expect(h.sim.calls().filter((c) => c.direction === 'outgoing')).toHaveLength(0);
  });

  it('dials, records the call (outgoing), and once answered streams, opens TTS and greets', async () => {
    const res = await post({ to, from: MAIN_NUMBER, agentId: 'main' }, { authorization: `Bearer ${OUTBOUND_TOKEN}`, 'idempotency-key': 'order-42' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { callId: string };
    const callId = created.callId;
    expect(created).toEqual({ callId, agentId: 'main', to, from: MAIN_NUMBER, state: 'initiated' });

    const dial = h.sim.call(callId)!;
    expect(dial).toMatchObject({ direction: 'outgoing', to, from: MAIN_NUMBER, connectionId: DEFAULT_CONNECTION_ID });
    expect(decodeClientState(dial.clientState)).toEqual({ agentId: 'main' });
    expect(await h.client.hgetall(callKey(callId))).toMatchObject({ direction: 'outgoing', agentId: 'main', to, from: MAIN_NUMBER });

    await h.waitForSentence(callId, 'greeting');
    const streaming = h.sim.commands(callId).filter((c) => c.command === 'streaming_start');
    expect(streaming).toHaveLength(1);
    expect(streaming[0].commandId).toBe(`${h.relay.events(callId, 'call.answered')[0].id}:streaming`);
    expect(streaming[0].body).toMatchObject({ stream_bidirectional_mode: 'rtp', stream_bidirectional_codec: 'PCMA', stream_track: 'inbound_track' });
    const token = new URL(String(streaming[0].body.stream_url)).searchParams.get('token');
    expect(verifyMediaToken(callId, token, MEDIA_SECRET)).toBe(true);
    // Transcription came with the dial (the agent's engine), so the callee's first words are heard.
    expect(dial.transcription).toMatchObject({ active: true, interimResults: true });
    await waitUntil(async () => h.peer.connections.some((c) => c.url.includes(encodeURIComponent(token!))), 'the media stream');

    expect((await h.sentences(callId))[0]).toMatchObject({ turnId: '1', kind: 'greeting', text: GREETING });
    expect((await h.shard(callId)).map((m) => m.type)).toEqual(['tts.open', 'sentence']);
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answered']);
  });

  it('carries the Idempotency-Key into the dial command_id, and a REST agent gets a playback-worker instead of a stream', async () => {
    const dial = jest.spyOn(h.gateway.app.get<TelnyxCommands>(TELNYX_COMMANDS), 'dial');
    const res = await post({ to, from: REST_NUMBER, agentId: 'rest' }, { authorization: `Bearer ${OUTBOUND_TOKEN}`, 'idempotency-key': 'crm-7:retry-safe' });
    const { callId } = (await res.json()) as { callId: string };
    await h.waitForSentence(callId, 'greeting');
    expect(h.sim.commands(callId).map((c) => c.command)).not.toContain('streaming_start');
    expect(await h.messages(PLAYBACK_REST_STREAM, callId)).toEqual([expect.objectContaining({ reason: 'agent-setting', agentId: 'rest' })]);
    expect(dial.mock.calls[0][0]).toEqual({
      connection_id: DEFAULT_CONNECTION_ID,
      to,
      from: REST_NUMBER,
      command_id: 'dial:crm-7:retry-safe',
      client_state: expect.any(String),
      transcription: true,
      transcription_config: { transcription_engine: 'Google', transcription_tracks: 'inbound', transcription_engine_config: { language: 'en', interim_results: false } },
    });
  });

  it('sets a dialled call up from its own webhooks when they overtake the dial response (agent in client_state)', async () => {
    // Dialled behind the gateway's back: only the webhooks tell it about the call.
    const sdk = new Telnyx({ apiKey: API_KEY, baseURL: h.simBaseUrl });
    const response = await sdk.calls.dial({ connection_id: DEFAULT_CONNECTION_ID, to, from: MAIN_NUMBER, client_state: encodeClientState({ agentId: 'main' }) });
    const callId = response.data!.call_control_id;
    await h.waitForSentence(callId, 'greeting');
    expect(await h.client.hgetall(callKey(callId))).toMatchObject({ direction: 'outgoing', agentId: 'main', state: 'answered' });
    expect(await h.lifecycle(callId)).toEqual(['initiated', 'answered']);
    expect(h.sim.commands(callId).map((c) => c.command)).toEqual(['streaming_start']);
  });
});
