import { flushMicrotasks } from '@app/clock';
import { CALL, Harness, createHarness, sentence } from './rest-playback.harness';

describe('RestCallPlayback barge-in', () => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness();
  });

  it('barge-in: stops all at once, aborts the turn\'s encodes and sends nothing of it afterwards', async () => {
    h.feed(...sentence('1', 0, 'The first sentence is right here.'), ...sentence('1', 1, 'Two.'), ...sentence('1', 2, 'Three.'));
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    h.clock.advance(600); // 60 % of sentence 0: whole words up to that point
    h.playback.cancel('1');
    expect(h.commands.sent.map((command) => [command.kind, command.commandId, command.body.stop])).toEqual([
      ['play', `${CALL}:1:0:play`, undefined],
      ['stop', `${CALL}:1:stop`, 'all'],
    ]);
    expect(h.encoder.jobs.slice(1).every((job) => job.signal?.aborted)).toBe(true);
    expect(h.reports.log).toEqual(['started 1', 'heard 1 "The first sentence"']);
    h.encoder.jobs[1].done(); // an encode finishing anyway
    h.feed(...sentence('1', 3, 'Four.', { last: true }));
    h.playback.cancel('1');
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]);
    expect(h.encoder.jobs).toHaveLength(3);
  });

  it('sends no stop when nothing was queued at Telnyx yet', async () => {
    h.feed(...sentence('1', 0, 'One.'));
    h.playback.cancel('1');
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    expect(h.commands.sent).toHaveLength(0);
    expect(h.reports.log).toEqual([]);
  });

  it('stops again after a play that was in flight at the barge-in', async () => {
    h.commands.hold = true;
    h.feed(...sentence('1', 0, 'One.'));
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    h.playback.cancel('1'); // the play may reach Telnyx after this stop
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]); // the stop does not wait for the play
    h.commands.sent[0].answer();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`, `${CALL}:1:0:stop`]);
  });

  it('holds the next turn\'s first play until the barge-in\'s stop is answered', async () => {
    h.feed(...sentence('1', 0, 'One.'));
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    h.commands.hold = true;
    h.playback.cancel('1');
    h.feed(...sentence('2', 0, 'Sorry, go on.', { last: true }));
    h.encoder.jobs[1].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`]);
    h.commands.sent[1].answer();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:0:play`, `${CALL}:1:stop`, `${CALL}:2:0:play`]);
  });

  it('after a barge-in, the stopped h.playback\'s events do not finish the next turn early', async () => {
    h.feed(...sentence('1', 0, 'One.'), ...sentence('1', 1, 'Two.'));
    h.encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    h.playback.cancel('1');
    h.feed(...sentence('2', 0, 'Yes?'), ...sentence('2', 1, 'Go on.', { last: true }));
    h.encoder.jobs.slice(2).forEach((job) => job.done());
    await flushMicrotasks();
    h.playback.onPlaybackEnded('cancelled'); // turn 1's sentence 0
    h.playback.onPlaybackEnded('cancelled'); // turn 1's sentence 1, if Telnyx h.reports queued ones too
    h.playback.onPlaybackStarted();
    h.playback.onPlaybackEnded('completed');
    expect(h.reports.log).toEqual(['started 1', 'heard 1 ""', 'started 2']);
    h.playback.onPlaybackStarted();
    h.playback.onPlaybackEnded('completed');
    expect(h.reports.log.slice(3)).toEqual(['finished 2', 'heard 2 "Yes? Go on." complete']);
  });
});
