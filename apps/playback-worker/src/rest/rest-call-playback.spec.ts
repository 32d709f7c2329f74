import { flushMicrotasks } from '@app/clock';
import type { StartPlaybackBody } from '@app/telnyx';
import { Mp3EncodeError } from './mp3-encode.error';
import { BYTES_PER_MS, CALL, Harness, chunk, createHarness, end, sentence } from './rest-playback.harness';

describe('RestCallPlayback', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });

  it('encodes each sentence as soon as its audio is complete, without waiting for earlier ones', () => {
    h.feed(chunk('1', 0, 0, 400, 'Hello there.'));
    expect(h.encoder.jobs).toHaveLength(0);
    h.feed(chunk('1', 0, 1, 600), end('1', 0, 2, false), ...sentence('1', 1, 'How are you?', { ms: 300 }));
    expect(h.encoder.jobs.map((job) => [job.audio.length, job.format])).toEqual([
      [1000 * BYTES_PER_MS, 'ulaw_8000'],
      [300 * BYTES_PER_MS, 'ulaw_8000'],
    ]);
  });

  it('sends sentences strictly in order when later encodes finish first, with deterministic ids', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    h.encoder.jobs[2].done();
    h.encoder.jobs[1].done();
    await flushMicrotasks();
    expect(h.commands.sent).toHaveLength(0); // sentence 0 is still encoding
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:1:play`, `${CALL}:1:2:play`]);
    expect(h.commands.sent.every((command) => command.callId === CALL)).toBe(true);
    expect(h.plays().map((command) => Buffer.from((command.body as StartPlaybackBody).playback_content!, 'base64').toString())).toEqual([
      'mp3 #0',
      'mp3 #1',
      'mp3 #2',
    ]);
    expect(h.plays().every((command) => (command.body as StartPlaybackBody).audio_type === 'mp3')).toBe(true);
  });

  it('queues sentence n+1 while n plays, but never before n has been answered', async () => {
    h.commands.hold = true;
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    h.encoder.jobs[0].done();
    h.encoder.jobs[1].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`]); // in flight: the next one waits for its answer
    h.commands.sent[0].answer();
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:1:play`]); // sentence 0 has not ended
  });

  it('ignores repeated chunks and ends, and older turns', async () => {
    h.feed(...sentence('2', 0, 'New.'), ...sentence('2', 0, 'New.'), ...sentence('1', 0, 'Old.'), chunk('2', 0, 0, 1000));
    expect(h.encoder.jobs).toHaveLength(1);
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:2:0:play`]);
  });

  it('h.reports started at the first h.playback, finished and heard only after the last sentence ended', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    h.encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    expect(h.reports.log).toEqual(['started 1']);
    h.playback.onPlaybackEnded('completed');
    h.playback.onPlaybackStarted();
    h.playback.onPlaybackEnded('completed');
    h.playback.onPlaybackStarted();
    expect(h.reports.log).toEqual(['started 1']);
    h.playback.onPlaybackEnded('completed');
    expect(h.reports.log).toEqual(['started 1', 'finished 1', 'heard 1 "One. Two. Three." complete']);
  });

  it('measures the gap between sentences from the h.playback events', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    h.encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    h.clock.advance(1000);
    h.playback.onPlaybackEnded('completed');
    h.clock.advance(180);
    h.playback.onPlaybackStarted();
    h.clock.advance(1000);
    h.playback.onPlaybackEnded('completed');
    h.clock.advance(95);
    h.playback.onPlaybackStarted();
    expect(h.playback.gaps()).toEqual([
      { turnId: '1', seq: 1, gapMs: 180 },
      { turnId: '1', seq: 2, gapMs: 95 },
    ]);
    expect(h.gaps).toEqual(h.playback.gaps()); // each one handed to the metrics as it is measured
  });

  it('loses only the sentence whose encode or command failed; the turn still finishes', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.', { last: true }));
    h.encoder.jobs[0].done();
    h.encoder.jobs[1].fail(new Mp3EncodeError('process-failed', 'ffmpeg failed'));
    h.encoder.jobs[2].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:2:play`]);
    h.playback.onPlaybackStarted();
    h.playback.onPlaybackEnded('completed');
    h.playback.onPlaybackStarted();
    h.playback.onPlaybackEnded('completed');
    expect(h.reports.log).toEqual(['started 1', 'finished 1', 'heard 1 "One. Three."']);
  });

  it('after close, aborts encodes and neither encodes, sends nor h.reports anything', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.', { last: true }));
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    h.playback.close();
    expect(h.encoder.jobs[1].signal?.aborted).toBe(true);
    h.feed(...sentence('2', 0, 'Hello?', { last: true }));
    h.playback.onPlaybackEnded('completed');
    h.playback.cancel('1');
    await flushMicrotasks();
    expect(h.encoder.jobs).toHaveLength(2);
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`]);
    expect(h.reports.log).toEqual(['started 1']);
  });

  it('stops sending once Telnyx says the call has ended', async () => {
    h.commands.hold = true;
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    h.encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    h.commands.sent[0].answer('call-ended');
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`]);
  });
});
