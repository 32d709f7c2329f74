import { insideQuoteOrBracket } from './quote-balance';

describe('insideQuoteOrBracket', () => {
  it.each([
    ['He said "Stop', true],
    ['He said "Stop" and "Go', true],
    ['He said "Stop" and left', false],
    ['Bring the form (see above', true],
    ['Bring the form (see above) now', false],
    ['She replied “Of course', true],
    ['She replied ‘Of course', true],
    ["She said 'Stop", true],
    ["She said 'Stop' twice", false],
    ["That's what we don't do", false],
    ["The dogs' bowl is empty", false],
    ["Rock 'n' roll is back", false],
    ['Nice :) see you', false],
    ['「ありがとう', true],
  ])('%s → %s', (text, open) => {
    expect(insideQuoteOrBracket(text, text.length)).toBe(open);
  });
});
