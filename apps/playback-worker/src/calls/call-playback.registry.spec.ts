import { FakeClock, flushMicrotasks } from '@app/clock';
import { AudioChunkMessage, PlaybackAssignMessage, TelnyxPlaybackMessage } from '@app/contracts';
import { AppMetrics, createLogger } from '@app/telemetry';
import { StreamsControl } from '@app/core';
import { FramePacer } from '../pacing';
import { MediaConnection } from '../media/media-connection';
import { FakeReports } from '../rest/rest-playback.harness';
import { CallPlayback } from './call-playback';
import { CLOSE_TRY_AGAIN_LATER, CallPlaybackRegistry } from './call-playback.registry';
import { DrainState } from './drain-state';
import { CallFacts, PlaybackClaims } from './playback-claims';
import { PlaybackSession, SentenceRef } from './playback-session';
import { RestPlaybackFactory } from './rest-playback.factory';
import { StreamingPlaybackFactory } from './streaming-playback.factory';

const CALL = 'v3:call-1';
const LIVE: CallFacts = { known: true, state: 'speaking', turnId: '1', agentId: 'a' };

class FakeConnection {
  open = true;
  readonly closed: Array<[number, string]> = [];
  close(code: number, reason: string): void {
    this.closed.push([code, reason]);
    this.open = false;
  }
  sendClear(): void {}
  sendAudio(): void {}
  sendMark(): void {}
}
const asConnection = (c: FakeConnection) => c as unknown as MediaConnection;

class FakeRestSession implements PlaybackSession {
  readonly mode = 'rest';
  readonly log: string[] = [];
  constructor(
    readonly callId: string,
    readonly resumeAfter: SentenceRef | undefined,
  ) {}
  onAudio(entry: AudioChunkMessage): void {
    this.log.push(`audio ${entry.turnId}:${entry.seq}`);
  }
  onTelnyxPlayback(event: TelnyxPlaybackMessage): void {
    this.log.push(`telnyx ${event.event}`);
  }
  cancel(turnId: string): void {
    this.log.push(`cancel ${turnId}`);
  }
  heardThrough(): undefined {
    return undefined;
  }
  close(): void {
    this.log.push('close');
  }
}

function setup() {
  const pacer = new FramePacer(new FakeClock(), { send: () => undefined, mark: () => undefined });
  const log: string[] = [];
  let facts: Promise<CallFacts> | CallFacts = LIVE;
  let storedHeard: SentenceRef | undefined;
  const claims = {
    callFacts: async () => facts,
    claim: async (callId: string, mode: string) => void log.push(`claim ${mode}`),
    heardThrough: async () => storedHeard,
    recordHeard: (_callId: string, s: SentenceRef) => void log.push(`heard ${s.turnId}:${s.seq}`),
    forget: async () => void log.push('forget'),
  } as unknown as PlaybackClaims;
  const streaming = {
    create: (callId: string, f: CallFacts, connection: MediaConnection) =>
      new CallPlayback(callId, 'PCMU', connection, { pacer, reports: new FakeReports(), marks: { stamp: () => undefined, publish: async () => undefined }, logger: createLogger('t', 'silent'), sentenceHeard: (id, s) => claims.recordHeard(id, s) }, f.turnId),
  } as unknown as StreamingPlaybackFactory;
  const rests: FakeRestSession[] = [];
  const rest = {
    create: (callId: string, _f: CallFacts, resumeAfter: SentenceRef | undefined) => {
      const session = new FakeRestSession(callId, resumeAfter);
      rests.push(session);
      return session;
    },
  } as unknown as RestPlaybackFactory;
  const streams: StreamsControl = {
    addStream: async (s) => void log.push(`add ${s.stream} from ${s.startId}`),
    removeStream: async (s) => void log.push(`remove ${s}`),
  };
  const liveCalls: number[] = [];
  const metrics = { setLiveCalls: (n: number) => liveCalls.push(n) } as unknown as AppMetrics;
  const drain = new DrainState();
  const registry = new CallPlaybackRegistry(streaming, rest, claims, drain, streams, metrics, createLogger('t', 'silent'));
  return {
    registry,
    log,
    rests,
    liveCalls,
    drain,
    pacer,
    setFacts: (f: Promise<CallFacts> | CallFacts) => (facts = f),
    setStoredHeard: (s: SentenceRef) => (storedHeard = s),
  };
}

const assign = (reason: PlaybackAssignMessage['reason']): PlaybackAssignMessage => ({ type: 'playback.assign', callId: CALL, agentId: 'a', reason, at: 0 });

describe('CallPlaybackRegistry', () => {
  it('claims a streamed call, reads its audio from the start, counts it live, and frees it on detach', async () => {
    const t = setup();
    const connection = new FakeConnection();
    t.registry.attach(CALL, 'PCMU', asConnection(connection));
    await flushMicrotasks();
    expect(t.registry.get(CALL)?.mode).toBe('stream');
    expect(t.log).toEqual(['claim stream', `add audio:{${CALL}} from 0`]);
    const empty = t.registry.whenEmpty();
    t.registry.detach(CALL, asConnection(new FakeConnection())); // another socket: not this call's
    expect(t.registry.size).toBe(1);
    t.registry.detach(CALL, asConnection(connection));
    await empty;
    expect(t.liveCalls).toEqual([1, 0]);
    expect(t.log.slice(2)).toEqual([`remove audio:{${CALL}}`]);
  });

  it('while draining, refuses new media streams with 1013 but keeps a held call’s reconnection', async () => {
    const t = setup();
    const held = new FakeConnection();
    t.registry.attach(CALL, 'PCMU', asConnection(held));
    await flushMicrotasks();
    t.drain.begin(0);
    const stranger = new FakeConnection();
    t.registry.attach('v3:call-2', 'PCMU', asConnection(stranger));
    expect(stranger.closed).toEqual([[CLOSE_TRY_AGAIN_LATER, 'playback-worker draining']]);
    expect(t.registry.get('v3:call-2')).toBeUndefined();
    const reconnect = new FakeConnection();
    t.registry.attach(CALL, 'PCMU', asConnection(reconnect));
    expect(reconnect.closed).toEqual([]);
    expect((t.registry.get(CALL) as CallPlayback).connection).toBe(reconnect);
  });

  it('moves a streaming call to REST after the last sentence heard, here or recorded elsewhere', async () => {
    const t = setup();
    const connection = new FakeConnection();
    t.registry.attach(CALL, 'PCMU', asConnection(connection));
    await flushMicrotasks();
    (t.registry.get(CALL) as CallPlayback).markPlayed('1:2'); // heard here: sentence 2 of turn 1
    t.setStoredHeard({ turnId: '1', seq: 1 }); // an older record in Redis
    t.log.length = 0;
    await t.registry.assignRest(assign('streaming-failed'));
    expect(t.rests[0].resumeAfter).toEqual({ turnId: '1', seq: 2 });
    expect(connection.closed).toEqual([[1000, 'playback moved to REST']]);
    expect(t.pacer.stats(CALL)).toBeUndefined(); // nothing more is paced for it
    expect(t.log).toEqual(['claim rest', `remove audio:{${CALL}}`, `add audio:{${CALL}} from 0`]);
    t.registry.detach(CALL, asConnection(connection)); // the old socket closing does not end REST
    expect(t.registry.get(CALL)?.mode).toBe('rest');
    t.registry.onAudio({ type: 'audio', callId: CALL, turnId: '1', seq: 3, chunk: 0, format: 'ulaw_8000', payload: 'AA==', fence: 1, at: 0 });
    t.registry.onTelnyxPlayback({ type: 'telnyx.playback', callId: CALL, event: 'started', at: 0 });
    t.registry.cancel(CALL, '1');
    await t.registry.release(CALL, true);
    expect(t.rests[0].log).toEqual(['audio 1:3', 'telnyx started', 'cancel 1', 'close']);
    expect(t.liveCalls).toEqual([1, 1, 0]);
  });

  it('takes an assignment once, and never for an ended or unknown call', async () => {
    const t = setup();
    t.setStoredHeard({ turnId: '1', seq: 0 });
    await t.registry.assignRest(assign('agent-setting'));
    await t.registry.assignRest(assign('agent-setting'));
    expect(t.rests).toHaveLength(1);
    expect(t.rests[0].resumeAfter).toEqual({ turnId: '1', seq: 0 });
    await t.registry.release(CALL, true);
    t.setFacts({ ...LIVE, state: 'ended' });
    await t.registry.assignRest(assign('agent-setting'));
    t.setFacts({ known: false, turnId: '0' });
    await t.registry.assignRest(assign('agent-setting'));
    expect(t.rests).toHaveLength(1);
  });

  it('starts nothing for a call that ended while its set-up was reading Redis', async () => {
    const t = setup();
    let resolveFacts!: (f: CallFacts) => void;
    t.setFacts(new Promise<CallFacts>((resolve) => (resolveFacts = resolve)));
    const connection = new FakeConnection();
    t.registry.attach(CALL, 'PCMU', asConnection(connection));
    await t.registry.release(CALL, true); // call.ended on the control lane, meanwhile
    resolveFacts(LIVE);
    await flushMicrotasks();
    expect(t.registry.size).toBe(0);
    expect(connection.closed).toEqual([[1000, 'call ended']]);
    expect(t.log).toEqual(['forget']);
  });
});
