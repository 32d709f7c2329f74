import { TurnAbortRegistry, TurnCancelledError } from './turn-abort.registry';

describe('TurnAbortRegistry', () => {
  it('aborts only the named turn of the call, with a reason that says which', () => {
    const registry = new TurnAbortRegistry();
    const c = registry.begin('call-1', '4');
    expect(registry.abort('call-1', '3', 'barge-in')).toBe(false);
    expect(c.signal.aborted).toBe(false);
    expect(registry.abort('call-1', '4', 'barge-in')).toBe(true);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBeInstanceOf(TurnCancelledError);
    expect((c.signal.reason as TurnCancelledError).reason).toBe('barge-in');
    expect(registry.size()).toBe(0);
  });

  it('a newer turn of the same call supersedes the older one; other calls are untouched', () => {
    const registry = new TurnAbortRegistry();
    const old = registry.begin('call-1', '1');
    const other = registry.begin('call-2', '1');
    const next = registry.begin('call-1', '2');
    expect(old.signal.aborted).toBe(true);
    expect(next.signal.aborted).toBe(false);
    expect(other.signal.aborted).toBe(false);
    registry.finish('call-1', '1');
    expect(registry.size()).toBe(2);
    registry.finish('call-1', '2');
    expect(registry.size()).toBe(1);
  });
});
