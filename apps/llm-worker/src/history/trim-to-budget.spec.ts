import { HistoryEntry, trimToBudget } from './conversation-history.store';

const turn = (id: string, q: string, a: string): HistoryEntry[] => [
  { turnId: id, role: 'user', content: q },
  { turnId: id, role: 'assistant', content: a },
];

describe('history budget', () => {
  it('keeps everything that fits', () => {
    const h = [...turn('1', 'aaaa', 'bbbb'), ...turn('2', 'cc', 'dd')];
    expect(trimToBudget(h, 100)).toEqual(h);
  });

  it('drops the oldest turns first and never starts on an answer without its question', () => {
    const h = [...turn('1', 'q1-long-question', 'a1'), ...turn('2', 'q2', 'a2-long-answer'), ...turn('3', 'q3', 'a3')];
    // Newest first: turn 3 costs 4, the answer of turn 2 brings it to 18, its question to 20.
    expect(trimToBudget(h, 19)).toEqual(turn('3', 'q3', 'a3'));
    expect(trimToBudget(h, 20)).toEqual([...turn('2', 'q2', 'a2-long-answer'), ...turn('3', 'q3', 'a3')]);
  });

  it('keeps nothing when even the last turn is over budget', () => {
    expect(trimToBudget(turn('1', 'x'.repeat(50), 'y'), 10)).toEqual([]);
  });
});
