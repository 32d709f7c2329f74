import { framesPlayedOfTurn, heardText } from './heard-text';

const FOX = 'The quick brown fox jumps over the lazy dog.'; // 44 characters
const turn = [
  { text: 'Hello there.', frames: 40 },
  { text: FOX, frames: 44 },
  { text: 'Anything else?', frames: 30 },
];

describe('heardText', () => {
  it('is empty before the first frame has played', () => {
    expect(heardText(turn, 0)).toEqual({ text: '', complete: false });
  });

  it('is the whole turn once every frame has played', () => {
    expect(heardText(turn, 114)).toEqual({ text: `Hello there. ${FOX} Anything else?`, complete: true });
    expect(heardText(turn, 500).complete).toBe(true);
  });

  it('keeps whole sentences when the cut falls on a sentence edge', () => {
    expect(heardText(turn, 40)).toEqual({ text: 'Hello there.', complete: false });
  });

  it('takes the share of the current sentence proportional to its played audio, back to a word edge', () => {
    expect(heardText(turn, 40 + 22).text).toBe('Hello there. The quick brown fox'); // 22 chars: mid "jumps"
    expect(heardText(turn, 40 + 19).text).toBe('Hello there. The quick brown fox'); // 19 chars: on the space
    expect(heardText(turn, 40 + 25).text).toBe('Hello there. The quick brown fox jumps'); // right after "jumps"
    expect(heardText(turn, 40 + 43).text).toBe('Hello there. The quick brown fox jumps over the lazy'); // "dog." unfinished
  });

  it('claims no word that was cut in its middle, not even the first', () => {
    expect(heardText(turn, 1)).toEqual({ text: '', complete: false }); // 1/40 of "Hello there."
    expect(heardText([{ text: 'Supercalifragilistic', frames: 10 }], 9).text).toBe('');
  });

  it('skips sentences that produced no audio', () => {
    const withSilent = [{ text: 'One.', frames: 10 }, { text: '…', frames: 0 }, { text: 'Two words.', frames: 10 }];
    expect(heardText(withSilent, 10).text).toBe('One.');
    expect(heardText(withSilent, 20)).toEqual({ text: 'One. Two words.', complete: true });
  });
});

describe('framesPlayedOfTurn', () => {
  it('turns the call-wide heard position into frames of this turn, clamped to the turn', () => {
    const record = { startFrame: 100, frames: 50 };
    expect(framesPlayedOfTurn(record, 90)).toBe(0);
    expect(framesPlayedOfTurn(record, 130)).toBe(30);
    expect(framesPlayedOfTurn(record, 400)).toBe(50);
  });
});
