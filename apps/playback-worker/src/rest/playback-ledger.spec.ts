import { FakeClock } from '@app/clock';
import { GAPS_KEPT, PlaybackLedger } from './playback-ledger';

describe('PlaybackLedger', () => {
  let clock: FakeClock;
  let ledger: PlaybackLedger;
  const queue = (turnId: string, seq: number) => ledger.add({ turnId, seq, durationMs: 1000 });
  const ids = (playback: { turnId: string; seq: number } | undefined) => playback && `${playback.turnId}/${playback.seq}`;

  beforeEach(() => {
    clock = new FakeClock();
    ledger = new PlaybackLedger(clock);
  });

  it('matches starts and ends to playbacks in queue order', () => {
    queue('1', 0);
    queue('1', 1);
    expect(ids(ledger.started())).toBe('1/0');
    expect(ids(ledger.playing())).toBe('1/0');
    expect(ids(ledger.ended('completed'))).toBe('1/0');
    expect(ledger.playing()).toBeUndefined(); // 1/1 is queued but its start has not been seen
    expect(ids(ledger.started())).toBe('1/1');
    expect(ids(ledger.ended('completed'))).toBe('1/1');
    expect(ledger.started()).toBeUndefined();
    expect(ledger.ended('completed')).toBeUndefined();
  });

  it('measures the gap from one sentence ending to the next one starting, within a turn', () => {
    queue('1', 0);
    queue('1', 1);
    queue('2', 0);
    ledger.started();
    clock.advance(1000);
    ledger.ended('completed');
    clock.advance(135);
    ledger.started();
    clock.advance(900);
    ledger.ended('completed');
    clock.advance(40);
    ledger.started(); // another turn: not a gap between sentences
    expect(ledger.gaps()).toEqual([{ turnId: '1', seq: 1, gapMs: 135 }]);
  });

  it('keeps only the last GAPS_KEPT gaps', () => {
    for (let seq = 0; seq <= GAPS_KEPT + 5; seq++) queue('1', seq);
    for (let seq = 0; seq <= GAPS_KEPT + 5; seq++) {
      ledger.started();
      clock.advance(seq);
      ledger.ended('completed');
    }
    expect(ledger.gaps()).toHaveLength(GAPS_KEPT);
    expect(ledger.gaps()[GAPS_KEPT - 1].seq).toBe(GAPS_KEPT + 5);
  });

  it('absorbs the events of a stopped queue when Telnyx sends one per playback', () => {
    queue('1', 0);
    queue('1', 1);
    ledger.started();
    expect(ledger.dropAll().map(ids)).toEqual(['1/0', '1/1']);
    queue('2', 0);
    expect(ledger.ended('cancelled')).toBeUndefined(); // 1/0, which was playing
    expect(ledger.ended('cancelled')).toBeUndefined(); // 1/1, which was queued
    expect(ids(ledger.started())).toBe('2/0');
    expect(ids(ledger.ended('completed'))).toBe('2/0');
  });

  it('absorbs the events of a stopped queue when Telnyx sends only the playing one', () => {
    queue('1', 0);
    queue('1', 1);
    ledger.started();
    ledger.dropAll();
    queue('2', 0);
    expect(ledger.ended('cancelled')).toBeUndefined();
    expect(ids(ledger.started())).toBe('2/0');
    expect(ids(ledger.ended('completed'))).toBe('2/0');
    // The allowance for queued playbacks lapsed with 2/0's end: a later cancel is a real one.
    queue('2', 1);
    ledger.started();
    expect(ids(ledger.ended('cancelled'))).toBe('2/1');
  });

  it('takes the playing playback ending normally just before the stop as a stray too', () => {
    queue('1', 0);
    ledger.started();
    ledger.dropAll();
    queue('2', 0);
    expect(ledger.ended('completed')).toBeUndefined();
    ledger.started();
    expect(ids(ledger.ended('completed'))).toBe('2/0');
  });

  it('forgets a playback whose command failed', () => {
    const failed = queue('1', 0);
    queue('1', 1);
    ledger.remove(failed);
    expect(ids(ledger.started())).toBe('1/1');
    expect(ledger.size).toBe(1);
  });
});
