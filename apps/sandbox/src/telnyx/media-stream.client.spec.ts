import { FakeClock } from '@app/clock';
import { PCMA, PCMU, tone } from './audio-codec';
import { CallWebhooks } from './call-webhooks';
import { CallRegistry, CallState, SimCall } from './call.registry';
import { DEFAULT_EAR_OPTIONS, GREETING_TURN } from './ear';
import { MediaStreamClient, MediaStreamParams, MediaStreamState } from './media-stream.client';
import { eventually } from './testing/eventually';
import { MediaPeer } from './testing/media-peer';
import { DEFAULT_WEBHOOK_DELIVERY, WebhookSender } from './webhook.sender';
import { WebhookSigner } from './webhook.signer';

const EPOCH = 1_000_000;
const speech = () => tone(PCMU, 20);

describe('MediaStreamClient (Telnyx connecting to our playback-worker)', () => {
  let clock: FakeClock;
  let peer: MediaPeer;
  let url: string;
  let sender: WebhookSender;
  let call: SimCall;
  let client: MediaStreamClient | undefined;

  beforeEach(async () => {
    clock = new FakeClock(0, EPOCH);
    peer = new MediaPeer();
    url = await peer.start();
    sender = new WebhookSender(new WebhookSigner(), clock, DEFAULT_WEBHOOK_DELIVERY);
    call = new CallRegistry(clock, DEFAULT_EAR_OPTIONS).create({ direction: 'incoming', from: '+15550001111', to: '+15550002222', connectionId: 'conn-1' });
    call.state = CallState.Answered;
  });

  afterEach(async () => {
    client?.stop();
    client = undefined;
    sender.close();
    await peer.close();
  });

  async function open(overrides: Partial<MediaStreamParams> = {}): Promise<MediaStreamClient> {
    const webhooks = new CallWebhooks(sender, clock, () => undefined);
    const params: MediaStreamParams = {
      url: `${url}?token=abc`,
      track: 'inbound_track',
      inboundCodec: PCMU,
      outboundCodec: PCMU,
      bidirectionalMode: 'rtp',
      customParameters: { customer_id: 'c-1' },
      ...overrides,
    };
    client = new MediaStreamClient(call, params, { clock, webhooks, userId: 'user-1', callerAudio: 'silence', random: () => 0.5, connectDelayMs: 0 });
    call.stream = client;
    void client.connect();
    await eventually(() => peer.frames('start').length === 1, 'the start frame');
    return client;
  }

  async function sendAudio(count: number): Promise<void> {
    const before = client!.stats.mediaReceived;
    for (let i = 0; i < count; i++) peer.sendAudio(speech());
    await eventually(() => client!.stats.mediaReceived === before + count, `${count} frames to arrive`);
  }

  it('sends connected, then start with the call and media format, then a caller frame every 20 ms', async () => {
    const stream = await open();
    expect(peer.last.url).toBe('/media?token=abc');
    expect(peer.last.frames).toEqual([
      { event: 'connected', version: '1.0.0' },
      {
        event: 'start',
        sequence_number: '1',
        stream_id: stream.streamId,
        start: {
          user_id: 'user-1',
          call_control_id: call.callControlId,
          call_session_id: call.callSessionId,
          from: '+15550001111',
          to: '+15550002222',
          tags: [],
          client_state: null,
          custom_parameters: { customer_id: 'c-1' },
          media_format: { encoding: 'PCMU', sample_rate: 8000, channels: 1 },
        },
      },
    ]);
    expect(call.events).toEqual(['streaming.started']);
    clock.advance(60);
    await eventually(() => peer.frames('media').length === 3, 'three caller frames');
    const silence = Buffer.alloc(160, 0xff).toString('base64');
    expect(peer.frames('media')).toEqual([1, 2, 3].map((chunk) => ({
      event: 'media',
      sequence_number: String(chunk + 1),
      media: { track: 'inbound', chunk: String(chunk), timestamp: String(chunk * 20), payload: silence },
      stream_id: stream.streamId,
    })));
  });

  it('reports the caller leg codec in media_format and encodes the caller audio with it', async () => {
    await open({ inboundCodec: PCMA });
    expect(peer.frames('start')[0].start.media_format).toEqual({ encoding: 'PCMA', sample_rate: 8000, channels: 1 });
    clock.advance(20);
    await eventually(() => peer.frames('media').length === 1, 'a caller frame');
    expect(Buffer.from(peer.frames('media')[0].media.payload, 'base64')).toEqual(Buffer.alloc(160, 0xd5));
  });

  it('plays our frames back to back from their arrival and measures a late frame as a gap', async () => {
    await open();
    clock.advance(40);
    await sendAudio(3);
    clock.advance(100);
    await sendAudio(1);
    clock.advance(20);
    expect(call.ear.heard().map((s) => s.start - EPOCH)).toEqual([40, 60, 80, 140]);
    expect(call.ear.gapsMs(GREETING_TURN)).toEqual([40]);
  });

  it('echoes a mark when the audio before it has played, and at once when nothing is queued', async () => {
    const stream = await open();
    await sendAudio(3);
    peer.send({ event: 'mark', mark: { name: 'sentence-1' } });
    await eventually(() => stream.stats.marksReceived === 1, 'the mark');
    clock.advance(59);
    expect(stream.marks.echoed).toEqual([]);
    clock.advance(1);
    expect(stream.marks.echoed).toEqual([{ name: 'sentence-1', receivedAt: EPOCH, echoedAt: EPOCH + 60, cleared: false }]);
    peer.send({ event: 'mark', mark: { name: 'idle' } });
    await eventually(() => peer.frames('mark').length === 2, 'both mark echoes');
    expect(stream.marks.echoed[1]).toEqual({ name: 'idle', receivedAt: EPOCH + 60, echoedAt: EPOCH + 60, cleared: false });
    expect(peer.frames('mark').map((f) => [f.mark.name, f.stream_id])).toEqual([
      ['sentence-1', stream.streamId],
      ['idle', stream.streamId],
    ]);
  });

  it('clear discards the queued audio at once and returns the pending marks', async () => {
    const stream = await open();
    await sendAudio(5);
    peer.send({ event: 'mark', mark: { name: 'end' } });
    await eventually(() => stream.stats.marksReceived === 1, 'the mark');
    clock.advance(30);
    peer.send({ event: 'clear' });
    await eventually(() => stream.stats.clearsReceived === 1, 'the clear');
    expect(call.ear.clears).toEqual([{ at: EPOCH + 30, discardedMs: 70, turn: GREETING_TURN }]);
    expect(stream.marks.echoed).toEqual([{ name: 'end', receivedAt: EPOCH, echoedAt: EPOCH + 30, cleared: true }]);
    await eventually(() => peer.frames('mark').length === 1, 'the returned mark');
    await sendAudio(1);
    expect(call.ear.heard().map((s) => [s.start - EPOCH, s.end - EPOCH])).toEqual([
      [0, 20],
      [20, 30],
      [30, 50],
    ]);
  });

  it('drops our media without stream_bidirectional_mode, as Telnyx does', async () => {
    const stream = await open({ bidirectionalMode: undefined });
    peer.sendAudio(speech());
    peer.send({ event: 'clear' });
    await eventually(() => stream.stats.mediaDropped === 2, 'the frames to be dropped');
    expect(stream.stats.mediaReceived).toBe(0);
    expect(call.ear.heard()).toEqual([]);
    expect(stream.stats.errorsSent).toEqual([]);
  });

  it('answers malformed frames with 100003 and bad media with 100004', async () => {
    const stream = await open();
    peer.send('not json');
    peer.send({ media: {} });
    peer.send({ event: 'play' });
    peer.last.socket.send(Buffer.from([1, 2, 3]));
    peer.send({ event: 'media', media: { payload: 'abc' } });
    peer.send({ event: 'media', media: { payload: Buffer.alloc(100, 0xff).toString('base64') } });
    await eventually(() => peer.frames('error').length === 6, 'six error frames');
    expect(peer.frames('error').map((f) => [f.payload.code, f.payload.title, f.stream_id])).toEqual([
      [100003, 'malformed_frame', stream.streamId],
      [100003, 'malformed_frame', stream.streamId],
      [100003, 'malformed_frame', stream.streamId],
      [100003, 'malformed_frame', stream.streamId],
      [100004, 'invalid_media', stream.streamId],
      [100004, 'invalid_media', stream.streamId],
    ]);
    expect(call.ear.heard()).toEqual([]);
  });

  it('sends stop, closes and reports streaming.stopped when the stream ends', async () => {
    const stream = await open();
    stream.stop();
    await eventually(() => peer.last.closed, 'the socket to close');
    expect(peer.frames('stop')).toEqual([
      { event: 'stop', sequence_number: '2', stream_id: stream.streamId, stop: { user_id: 'user-1', call_control_id: call.callControlId } },
    ]);
    expect(stream.state).toBe(MediaStreamState.Stopped);
    expect(call.events).toEqual(['streaming.started', 'streaming.stopped']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports streaming.failed when our server cannot be reached', async () => {
    const webhooks = new CallWebhooks(sender, clock, () => undefined);
    const params = { url: 'ws://127.0.0.1:1/media', track: 'inbound_track' as const, inboundCodec: PCMU, outboundCodec: PCMU, customParameters: {} };
    const stream = new MediaStreamClient(call, params, { clock, webhooks, userId: 'u', callerAudio: 'silence', random: Math.random, connectDelayMs: 0 });
    void stream.connect();
    await eventually(() => stream.state === MediaStreamState.Failed, 'the connection to fail');
    expect(call.events).toEqual(['streaming.failed']);
  });
});
