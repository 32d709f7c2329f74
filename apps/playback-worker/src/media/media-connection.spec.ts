import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { outboundMediaFrame, signMediaToken } from '@app/contracts';
import { createLogger } from '@app/telemetry';
import { CallCodec, MediaConnection, MediaSink, mediaFrameJson } from './media-connection';

const SECRET = 'test-media-token-secret-0123456789';
const CALL = 'v3:call-1';

/** A `ws` socket as MediaConnection uses it: message and close events in, send and close out. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: string[] = [];
  closedWith?: [number, string];
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
    this.emit('close');
  }
  receive(frame: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(frame)), false);
  }
}

class RecordingSink implements MediaSink {
  readonly log: string[] = [];
  attach(callId: string, inboundCodec: CallCodec): void {
    this.log.push(`attach ${callId} ${inboundCodec}`);
  }
  detach(callId: string): void {
    this.log.push(`detach ${callId}`);
  }
  markPlayed(callId: string, name: string): void {
    this.log.push(`mark ${callId} ${name}`);
  }
}

function open(token: string | null) {
  const socket = new FakeSocket();
  const sink = new RecordingSink();
  const connection = new MediaConnection(socket as unknown as WebSocket, token, SECRET, sink, createLogger('test', 'silent'));
  return { socket, sink, connection };
}
const start = (callId: string, encoding: string) => ({ event: 'start', start: { call_control_id: callId, media_format: { encoding, sample_rate: 8000, channels: 1 } } });

describe('MediaConnection', () => {
  it('attaches the call named in start when the token was signed for it, learning the inbound codec', () => {
    const { socket, sink, connection } = open(signMediaToken(CALL, SECRET));
    socket.receive({ event: 'connected', version: '1.0.0' });
    socket.receive(start(CALL, 'PCMA'));
    socket.receive({ event: 'media', media: { track: 'inbound', payload: '1dXV1Q==' } });
    socket.receive({ sequence_number: '5', event: 'media', media: { track: 'inbound', payload: '1dXV1Q==' } });
    socket.receive({ event: 'mark', mark: { name: '1:0' } });
    socket.receive({ event: 'stop' });
    expect(sink.log).toEqual([`attach ${CALL} PCMA`, `mark ${CALL} 1:0`, `detach ${CALL}`]);
    expect(connection.inboundCodec).toBe('PCMA');
    expect(connection.inboundFrames).toBe(2);
  });

  it.each([
    ['without a token', null],
    ['with a token of another call', signMediaToken('v3:other', SECRET)],
    ['with a forged token', 'x'.repeat(43)],
  ])('refuses a stream %s with 1008, before anything is attached', (_name, token) => {
    const { socket, sink } = open(token);
    socket.receive(start(CALL, 'PCMU'));
    expect(socket.closedWith).toEqual([1008, 'invalid token']);
    expect(sink.log).toEqual([]);
  });

  it('builds media frames as the contract shapes them, without an object per frame', () => {
    const frame = Buffer.from([0xff, 0x7f, 0x00, 0xd5]);
    expect(mediaFrameJson(frame)).toBe(JSON.stringify(outboundMediaFrame(frame.toString('base64'))));
  });
});
