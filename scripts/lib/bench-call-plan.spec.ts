import { AGENT_NUMBERS, BARGE_IN_AFTER_MS, QUESTIONS, bargeInCalls, bargeInCount, callerNumber, planCalls } from './bench-call-plan';

describe('bench call plan', () => {
  it('rounds the barge-in share, with at least one barging call whenever the share is positive', () => {
    expect(bargeInCount(100, 0.2)).toBe(20);
    expect(bargeInCount(10, 0.2)).toBe(2);
    expect(bargeInCount(1, 0.2)).toBe(1);
    expect(bargeInCount(3, 1)).toBe(3);
    expect(bargeInCount(100, 0)).toBe(0);
    expect(bargeInCount(0, 0.5)).toBe(0);
  });

  it('spreads the barging calls evenly over the level', () => {
    expect([...bargeInCalls(10, 2)]).toEqual([0, 5]);
    expect([...bargeInCalls(100, 4)]).toEqual([0, 25, 50, 75]);
    expect(bargeInCalls(5, 5).size).toBe(5);
  });

  it('gives every call its own number and the agent of its mode', () => {
    const persistent = planCalls({ mode: 'persistent', calls: 3, turns: 2, bargeInShare: 0, firstCallNumber: 10 });
    const baseline = planCalls({ mode: 'baseline', calls: 3, turns: 2, bargeInShare: 0, firstCallNumber: 13 });
    const numbers = [...persistent, ...baseline].map((c) => c.from);
    expect(new Set(numbers).size).toBe(6);
    expect(numbers[0]).toBe('+15552000010');
    expect(persistent.every((c) => c.to === AGENT_NUMBERS.persistent)).toBe(true);
    expect(baseline.every((c) => c.to === AGENT_NUMBERS.baseline)).toBe(true);
    expect(AGENT_NUMBERS).toEqual({ persistent: '+15550100000', baseline: '+15550100999' });
  });

  it('asks `turns` questions per call, rotating so neighbouring calls ask different ones', () => {
    const [first, second] = planCalls({ mode: 'persistent', calls: 2, turns: 3, bargeInShare: 0 });
    expect(first.script.map((u) => u.text)).toEqual(QUESTIONS.slice(0, 3));
    expect(second.script.map((u) => u.text)).toEqual(QUESTIONS.slice(1, 4));
    expect(first.script.every((u) => u.bargeInAfterMs === undefined)).toBe(true);
  });

  it('barges in on the second utterance (over the first answer), or over the greeting with one turn', () => {
    const [barging, quiet] = planCalls({ mode: 'persistent', calls: 2, turns: 3, bargeInShare: 0.5 });
    expect(barging.bargeInTurn).toBe(1);
    expect(barging.script.map((u) => u.bargeInAfterMs)).toEqual([undefined, BARGE_IN_AFTER_MS, undefined]);
    expect(quiet.bargeInTurn).toBeUndefined();
    const [single] = planCalls({ mode: 'persistent', calls: 1, turns: 1, bargeInShare: 1 });
    expect(single.script).toEqual([{ text: QUESTIONS[0], bargeInAfterMs: BARGE_IN_AFTER_MS }]);
  });

  it('asks questions long enough that the first interim transcript already triggers barge-in (2 words)', () => {
    for (const question of QUESTIONS) expect(Math.ceil(question.split(/\s+/).length / 3)).toBeGreaterThanOrEqual(2);
  });

  it('formats fictional caller numbers in E.164', () => {
    expect(callerNumber(0)).toBe('+15552000000');
    expect(callerNumber(499)).toBe('+15552000499');
    expect(callerNumber(499)).toMatch(/^\+1\d{10}$/);
  });
});
