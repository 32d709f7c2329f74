import { flushMicrotasks } from '@app/clock';
import { CALL, createHarness, sentence } from './rest-playback.harness';

/**
 * Media streaming failed mid-turn and the call moved to REST playback: the sentences the caller heard
 * whole over the stream (up to `resumeAfter`) must not be played again, the rest must all be played,
 * and the turn's reports must read as one turn (started once, heard text of every sentence).
 */
describe('RestCallPlayback resuming after media streaming', () => {
  const turn = () => [
    ...sentence('1', 0, 'One.'),
    ...sentence('1', 1, 'Two.'),
    ...sentence('1', 2, 'Three.'),
    ...sentence('1', 3, 'Four.', { last: true }),
  ];

  it('plays only the sentences after the last one heard, and reports the whole turn as heard', async () => {
    const h = createHarness({ turnId: '1', resumeAfter: { turnId: '1', seq: 1 } });
    h.feed(...turn());
    expect(h.encoder.jobs).toHaveLength(2); // sentences 2 and 3 only
    h.encoder.jobs.forEach((job) => job.done());
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:1:2:play`, `${CALL}:1:3:play`]);
    for (let i = 0; i < 2; i++) {
      h.playback.onPlaybackStarted();
      h.playback.onPlaybackEnded('completed');
    }
    // Started was reported by the streaming side; finished and heard once, with all four sentences.
    expect(h.reports.log).toEqual(['finished 1', 'heard 1 "One. Two. Three. Four." complete']);
  });

  it('plays nothing and reports nothing when the stream had played the whole turn', async () => {
    const h = createHarness({ turnId: '1', resumeAfter: { turnId: '1', seq: 3 } });
    h.feed(...turn());
    await flushMicrotasks();
    expect(h.encoder.jobs).toHaveLength(0);
    expect(h.reports.log).toEqual([]);
    h.feed(...sentence('2', 0, 'Next turn.', { last: true })); // later turns play as usual
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    expect(h.commands.ids).toEqual([`${CALL}:2:0:play`]);
  });

  it('counts the sentences heard over the stream in the barge-in report', async () => {
    const h = createHarness({ turnId: '1', resumeAfter: { turnId: '1', seq: 0 } });
    h.feed(...sentence('1', 0, 'One two.'), ...sentence('1', 1, 'Three four five six.', { ms: 1000 }));
    h.encoder.jobs[0].done();
    await flushMicrotasks();
    h.playback.onPlaybackStarted();
    h.clock.advance(500); // half of sentence 1 played
    h.playback.cancel('1');
    expect(h.reports.log).toEqual(['heard 1 "One two. Three four"']);
  });

  it('resumes only within the turn it names: an older position does not skip a newer turn', async () => {
    const h = createHarness({ turnId: '2', resumeAfter: { turnId: '1', seq: 5 } });
    h.feed(...sentence('2', 0, 'Hello.', { last: true }));
    expect(h.encoder.jobs).toHaveLength(1);
  });
});
