import { AlignmentAttributor, countSpeakable } from './alignment-attributor';
import type { ChunkAlignment } from './elevenlabs.wire';

const original = (text: string): ChunkAlignment => ({ chars: [...text], source: 'alignment' });
const normalized = (text: string): ChunkAlignment => ({ chars: [...text], source: 'normalized' });

describe('AlignmentAttributor', () => {
  it('counts letters and digits only', () => {
    expect(countSpeakable('Hello, world! 42 ')).toBe(12);
    expect(countSpeakable('Ça va? Ñandú.')).toBe(9);
    expect(countSpeakable(' ... ')).toBe(0);
  });

  it('attributes chunks by characters and spills exact surplus into the next sentence', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'Hi there. ');
    a.add(1, 'Bye now. ');
    expect(a.attribute(original('Hi th'))).toEqual({ owner: 0, completed: [] });
    // This chunk starts in sentence 0 and runs into sentence 1 ("By").
    expect(a.attribute(original('ere. By'))).toEqual({ owner: 0, completed: [0] });
    expect(a.audioStarted(1)).toBe(true);
    expect(a.attribute(original('e now. '))).toEqual({ owner: 1, completed: [1] });
    // Trailing audio after everything is covered: the tail of the sentence that spoke last.
    expect(a.attribute(original(''))).toEqual({ owner: 1, completed: [] });
  });

  it('a chunk with no speakable character is the tail of the sentence before, not the start of the next', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'Hi there. ');
    a.add(1, 'Bye now. ');
    expect(a.attribute(original('Hi there'))).toEqual({ owner: 0, completed: [0] });
    expect(a.attribute(original('. '))).toEqual({ owner: 0, completed: [] });
    expect(a.audioStarted(1)).toBe(false);
    expect(a.attribute(original(' Bye'))).toEqual({ owner: 1, completed: [] });
  });

  it('with normalized alignment, discards the surplus of an expanded sentence instead of eating the next', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'I have 2 cats. '); // 10 speakable characters; normalized: "I have two cats" (12)
    a.add(1, 'They sleep. ');
    expect(a.attribute(normalized('I have two'))).toEqual({ owner: 0, completed: [] });
    expect(a.attribute(normalized(' cats. '))).toEqual({ owner: 0, completed: [0] });
    expect(a.attribute(normalized('They '))).toEqual({ owner: 1, completed: [] });
    expect(a.attribute(normalized('sleep. '))).toEqual({ owner: 1, completed: [1] });
  });

  it('without alignment, gives every chunk to the first uncovered sentence until isFinal', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'One. ');
    a.add(1, 'Two. ');
    expect(a.awaitingAudio()).toBe(true);
    expect(a.attribute(undefined)).toEqual({ owner: 0, completed: [] });
    expect(a.attribute(undefined)).toEqual({ owner: 0, completed: [] });
    expect(a.awaitingAudio()).toBe(false); // cannot tell the sentences apart: audio counts as started for all
    expect(a.finishAll()).toEqual([0, 1]);
    expect(a.isCovered(1)).toBe(true);
  });

  it('covers sentences with nothing to say as soon as the count reaches them', () => {
    const a = new AlignmentAttributor();
    expect(a.add(0, 'Well. ')).toEqual([]);
    expect(a.add(1, '... ')).toEqual([]);
    expect(a.attribute(original('Well. '))).toEqual({ owner: 0, completed: [0, 1] });
    expect(a.add(2, '— ')).toEqual([2]);
    expect(a.audioStarted(2)).toBe(true);
  });

  it('handles multi-character alignment entries', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'Okay then. ');
    expect(a.attribute({ chars: ['Ok', 'ay', ' ', 'then', '.'], source: 'alignment' })).toEqual({ owner: 0, completed: [0] });
  });

  it('tracks which flushed sentences still wait for their first audio', () => {
    const a = new AlignmentAttributor();
    a.add(0, 'First. ');
    a.add(1, 'Second. ');
    expect(a.audioStarted(0)).toBe(false);
    a.attribute(original('First. '));
    expect(a.audioStarted(0)).toBe(true);
    expect(a.audioStarted(1)).toBe(false);
    expect(a.awaitingAudio()).toBe(true);
    a.attribute(original('Sec'));
    expect(a.awaitingAudio()).toBe(false);
  });
});
