import { AudioChunkMessage, AudioEndMessage } from '@app/contracts';
import { FakeClock, flushMicrotasks } from '@app/clock';
import type { CommandOutcome, StartPlaybackBody, StopPlaybackBody } from '@app/telnyx';
import { createLogger } from '@app/telemetry';
import { ConvertibleFormat } from '../audio/audio-converter';
import { Mp3EncodeError } from './mp3-encode.error';
import { RestCallPlayback } from './rest-call-playback';
import { Mp3Encoding, PlaybackCommands, PlaybackReports } from './rest-playback.ports';

const CALL = 'v3:call-1';
const BYTES_PER_MS = 8; // μ-law 8 kHz

function chunk(turnId: string, seq: number, index: number, ms: number, text?: string): AudioChunkMessage {
  const payload = Buffer.alloc(ms * BYTES_PER_MS, 0x55 + seq).toString('base64');
  return { type: 'audio', callId: CALL, turnId, seq, chunk: index, format: 'ulaw_8000', payload, fence: 1, text, at: 0 };
}
function end(turnId: string, seq: number, chunks: number, last: boolean): AudioEndMessage {
  return { type: 'audio.end', callId: CALL, turnId, seq, chunks, last, fence: 1, at: 0 };
}
/** A whole sentence in one chunk, then its end. */
const sentence = (turnId: string, seq: number, text: string, options: { ms?: number; last?: boolean } = {}) => [
  chunk(turnId, seq, 0, options.ms ?? 1000, text),
  end(turnId, seq, 1, options.last ?? false),
];

interface EncodeJob {
  readonly audio: Buffer;
  readonly format: ConvertibleFormat;
  readonly signal?: AbortSignal;
  done(mp3?: Buffer): void;
  fail(error: Error): void;
}

/** Encodes finish when the test says so; an aborted signal rejects like the real encoder. */
class FakeEncoder implements Mp3Encoding {
  readonly jobs: EncodeJob[] = [];
  encode(audio: Buffer, format: ConvertibleFormat, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const index = this.jobs.length;
      this.jobs.push({ audio, format, signal, done: (mp3) => resolve(mp3 ?? Buffer.from(`mp3 #${index}`)), fail: reject });
      signal?.addEventListener('abort', () => reject(new Mp3EncodeError('aborted', 'cancelled')), { once: true });
    });
  }
}

interface SentCommand {
  readonly kind: 'play' | 'stop';
  readonly commandId: string;
  readonly body: StartPlaybackBody | StopPlaybackBody;
  answer(outcome?: CommandOutcome): void;
  fail(error: Error): void;
}

/** Records every command; answers at once unless `hold` is set, then when the test says so. */
class FakeCommands implements PlaybackCommands {
  readonly sent: SentCommand[] = [];
  hold = false;
  startPlayback(callId: string, commandId: string, body: StartPlaybackBody): Promise<CommandOutcome> {
    return this.record('play', callId, commandId, body);
  }
  stopPlayback(callId: string, commandId: string, body: StopPlaybackBody = {}): Promise<CommandOutcome> {
    return this.record('stop', callId, commandId, body);
  }
  get ids(): string[] {
    return this.sent.map((command) => command.commandId);
  }
  private record(kind: SentCommand['kind'], callId: string, commandId: string, body: SentCommand['body']): Promise<CommandOutcome> {
    expect(callId).toBe(CALL);
    return new Promise((resolve, reject) => {
      this.sent.push({ kind, commandId, body, answer: (outcome = 'ok') => resolve(outcome), fail: reject });
      if (!this.hold) resolve('ok');
    });
  }
}

class FakeReports implements PlaybackReports {
  readonly log: string[] = [];
  started(callId: string, turnId: string): void {
    this.log.push(`started ${turnId}`);
  }
  finished(callId: string, turnId: string): void {
    this.log.push(`finished ${turnId}`);
  }
  heard(callId: string, turnId: string, text: string, complete: boolean): void {
    this.log.push(`heard ${turnId} "${text}"${complete ? ' complete' : ''}`);
  }
}

describe('RestCallPlayback', () => {
  let clock: FakeClock;
  let encoder: FakeEncoder;
  let commands: FakeCommands;
  let reports: FakeReports;
  let playback: RestCallPlayback;
  const feed = (...entries: Array<AudioChunkMessage | AudioEndMessage>) => entries.forEach((entry) => playback.onAudio(entry));
  const plays = () => commands.sent.filter((command) => command.kind === 'play');

  beforeEach(() => {
    clock = new FakeClock();
    encoder = new FakeEncoder();
    commands = new FakeCommands();
    reports = new FakeReports();
    playback = new RestCallPlayback(CALL, { commands, encoder, reports, clock, logger: createLogger('test', 'silent') });
  });

  it('encodes each sentence as soon as its audio is complete, without waiting for earlier ones', () => {
    feed(chunk('1', 0, 0, 400, 'Hello there.'));
    expect(encoder.jobs).toHaveLength(0);
    feed(chunk('1', 0, 1, 600), end('1', 0, 2, false), ...sentence('1', 1, 'How are you?', { ms: 300 }));
    expect(encoder.jobs.map((job) => [job.audio.length, job.format])).toEqual([
      [1000 * BYTES_PER_MS, 'ulaw_8000'],
      [300 * BYTES_PER_MS, 'ulaw_8000'],
    ]);
  });

  it('sends sentences strictly in order when later encodes finish first, with deterministic ids', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    encoder.jobs[2].done();
    encoder.jobs[1].done();
    await flushMicrotasks();
    expect(commands.sent).toHaveLength(0); // sentence 0 is still encoding
    encoder.jobs[0].done();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:1:play`, `${CALL}:1:2:play`]);
    expect(plays().map((command) => Buffer.from((command.body as StartPlaybackBody).playback_content!, 'base64').toString())).toEqual([
      'mp3 #0',
      'mp3 #1',
      'mp3 #2',
    ]);
    expect(plays().every((command) => (command.body as StartPlaybackBody).audio_type === 'mp3')).toBe(true);
  });

  it('queues sentence n+1 while n plays, but never before n has been answered', async () => {
    commands.hold = true;
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    encoder.jobs[0].done();
    encoder.jobs[1].done();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`]); // in flight: the next one waits for its answer
    commands.sent[0].answer();
    await flushMicrotasks();
    playback.onPlaybackStarted();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:1:play`]); // sentence 0 has not ended
  });

  it('ignores repeated chunks and ends, and older turns', async () => {
    feed(...sentence('2', 0, 'New.'), ...sentence('2', 0, 'New.'), ...sentence('1', 0, 'Old.'), chunk('2', 0, 0, 1000));
    expect(encoder.jobs).toHaveLength(1);
    encoder.jobs[0].done();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:2:0:play`]);
  });

  it('reports started at the first playback, finished and heard only after the last sentence ended', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    playback.onPlaybackStarted();
    expect(reports.log).toEqual(['started 1']);
    playback.onPlaybackEnded('completed');
    playback.onPlaybackStarted();
    playback.onPlaybackEnded('completed');
    playback.onPlaybackStarted();
    expect(reports.log).toEqual(['started 1']);
    playback.onPlaybackEnded('completed');
    expect(reports.log).toEqual(['started 1', 'finished 1', 'heard 1 "One. Two. Three." complete']);
  });

  it('measures the gap between sentences from the playback events', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    playback.onPlaybackStarted();
    clock.advance(1000);
    playback.onPlaybackEnded('completed');
    clock.advance(180);
    playback.onPlaybackStarted();
    clock.advance(1000);
    playback.onPlaybackEnded('completed');
    clock.advance(95);
    playback.onPlaybackStarted();
    expect(playback.gaps()).toEqual([
      { turnId: '1', seq: 1, gapMs: 180 },
      { turnId: '1', seq: 2, gapMs: 95 },
    ]);
  });

  it('barge-in: stops all at once, aborts the turn\'s encodes and sends nothing of it afterwards', async () => {
    feed(...sentence('1', 0, 'The first sentence is right here.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.'));
    encoder.jobs[0].done();
    await flushMicrotasks();
    playback.onPlaybackStarted();
    clock.advance(600); // 60 % of sentence 0: whole words up to that point
    playback.cancel('1');
    expect(commands.sent.map((command) => [command.kind, command.commandId, command.body.stop])).toEqual([
      ['play', `${CALL}:1:0:play`, undefined],
      ['stop', `${CALL}:1:stop`, 'all'],
    ]);
    expect(encoder.jobs.slice(1).every((job) => job.signal?.aborted)).toBe(true);
    expect(reports.log).toEqual(['started 1', 'heard 1 "The first sentence"']);
    encoder.jobs[1].done(); // an encode finishing anyway
    feed(...sentence('1', 3, 'Four.', { last: true }));
    playback.cancel('1');
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]);
    expect(encoder.jobs).toHaveLength(3);
  });

  it('sends no stop when nothing was queued at Telnyx yet', async () => {
    feed(...sentence('1', 0, 'One.'));
    playback.cancel('1');
    encoder.jobs[0].done();
    await flushMicrotasks();
    expect(commands.sent).toHaveLength(0);
    expect(reports.log).toEqual([]);
  });

  it('stops again after a play that was in flight at the barge-in', async () => {
    commands.hold = true;
    feed(...sentence('1', 0, 'One.'));
    encoder.jobs[0].done();
    await flushMicrotasks();
    playback.cancel('1'); // the play may reach Telnyx after this stop
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]); // the stop does not wait for the play
    commands.sent[0].answer();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`, `${CALL}:1:0:stop`]);
  });

  it('holds the next turn\'s first play until the barge-in\'s stop is answered', async () => {
    feed(...sentence('1', 0, 'One.'));
    encoder.jobs[0].done();
    await flushMicrotasks();
    commands.hold = true;
    playback.cancel('1');
    feed(...sentence('2', 0, 'Sorry, go on.', { last: true }));
    encoder.jobs[1].done();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]);
    commands.sent[1].answer();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`, `${CALL}:2:0:play`]);
  });

  it('after a barge-in, the stopped playback\'s events do not finish the next turn early', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    playback.onPlaybackStarted();
    playback.cancel('1');
    feed(...sentence('2', 0, 'Yes?'), ...sentence('2', 1, 'Go on.', { last: true }));
    encoder.jobs.slice(2).forEach((job) => job.done());
    await flushMicrotasks();
    playback.onPlaybackEnded('cancelled'); // turn 1's sentence 0
    playback.onPlaybackEnded('cancelled'); // turn 1's sentence 1, if Telnyx reports queued ones too
    playback.onPlaybackStarted();
    playback.onPlaybackEnded('completed');
    expect(reports.log).toEqual(['started 1', 'heard 1 ""', 'started 2']);
    playback.onPlaybackStarted();
    playback.onPlaybackEnded('completed');
    expect(reports.log.slice(3)).toEqual(['finished 2', 'heard 2 "Yes? Go on." complete']);
  });

  it('loses only the sentence whose encode or command failed; the turn still finishes', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    encoder.jobs[0].done();
    encoder.jobs[1].fail(new Mp3EncodeError('process-failed', 'ffmpeg failed'));
    encoder.jobs[2].done();
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:2:play`]);
    playback.onPlaybackStarted();
    playback.onPlaybackEnded('completed');
    playback.onPlaybackStarted();
    playback.onPlaybackEnded('completed');
    expect(reports.log).toEqual(['started 1', 'finished 1', 'heard 1 "One. Three."']);
  });

  it('after close, aborts encodes and neither encodes, sends nor reports anything', async () => {
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.', { last: true }));
    encoder.jobs[0].done();
    await flushMicrotasks();
    playback.onPlaybackStarted();
    playback.close();
    expect(encoder.jobs[1].signal?.aborted).toBe(true);
    feed(...sentence('2', 0, 'Hello?', { last: true }));
    playback.onPlaybackEnded('completed');
    playback.cancel('1');
    await flushMicrotasks();
    expect(encoder.jobs).toHaveLength(2);
    expect(commands.ids).toEqual([`${CALL}:1:0:play`]);
    expect(reports.log).toEqual(['started 1']);
  });

  it('stops sending once Telnyx says the call has ended', async () => {
    commands.hold = true;
    feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    commands.sent[0].answer('call-ended');
    await flushMicrotasks();
    expect(commands.ids).toEqual([`${CALL}:1:0:play`]);
  });
});
