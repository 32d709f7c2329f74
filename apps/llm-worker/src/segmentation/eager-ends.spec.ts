import { EAGER_CASES, EagerCase, WAITING_CASES } from './eager-ends.cases';
import { SentenceSegmenter } from './sentence-segmenter';
import { feed, feedRecording } from './streaming.harness';

/**
 * Symptom: every turn's first audio started one LLM token (20–25 ms at 40 tokens/s) after the
 * token that finished its first sentence. Cause: an end was confirmed only by the character after
 * the terminator, and LLM tokens carry their leading space (" Then"), so that character came with
 * the next token. Fix: eager-rules.ts confirms the ends that nothing could change in the push of
 * the terminator's own delta (eagerEnds, default true); the strict behaviour stays behind
 * eagerEnds: false.
 */

function emissions({ deltas, options }: EagerCase, eagerEnds?: boolean): Array<[string, number]> {
  const segmenter = new SentenceSegmenter({ ...options, ...(eagerEnds === undefined ? {} : { eagerEnds }) });
  return feedRecording(segmenter, deltas).map(({ sentence, delta }): [string, number] => [sentence, delta]);
}

function lastCharacter(text: string): string {
  return Array.from(text).pop() ?? '';
}

describe('eager ends (default options)', () => {
  describe.each(EAGER_CASES)('$name', (testCase) => {
    it('gives the expected sentences, each from the expected push', () => {
      expect(emissions(testCase)).toEqual(testCase.expected);
    });

    it('emits each sentence in the push of the delta holding its terminator, or in end()', () => {
      for (const [sentence, delta] of testCase.expected) {
        if (delta === testCase.deltas.length) continue;
        expect({ sentence, delta: testCase.deltas[delta] }).toEqual({ sentence, delta: expect.stringContaining(lastCharacter(sentence)) });
      }
    });

    it('with eagerEnds: false gives the strict sentences, the same as for the whole text', () => {
      const strict = testCase.strict ?? testCase.expected.map(([sentence]) => sentence);
      const options = { ...testCase.options, eagerEnds: false };
      expect(feed(new SentenceSegmenter(options), testCase.deltas)).toEqual(strict);
      expect(feed(new SentenceSegmenter(options), [testCase.deltas.join('')])).toEqual(strict);
    });
  });

  describe.each(WAITING_CASES)('waits as the strict rules do: $name', (testCase) => {
    it('gives the expected sentences, each from the expected push', () => {
      expect(emissions(testCase)).toEqual(testCase.expected);
    });

    it('gives the same sentences as with eagerEnds: false', () => {
      const sentences = testCase.expected.map(([sentence]) => sentence);
      expect(feed(new SentenceSegmenter({ ...testCase.options, eagerEnds: false }), testCase.deltas)).toEqual(sentences);
    });
  });
});

describe('eagerEnds: false', () => {
  it('waits for the token after the terminator, as before', () => {
    const [exclamation, period, comma] = [EAGER_CASES[0], EAGER_CASES[4], EAGER_CASES[11]];
    expect(emissions(exclamation, false)).toEqual([['That is wonderful news!', 5], ['Tell me more.', 9]]);
    expect(emissions(period, false)).toEqual([['Your table is ready now.', 6], ['Please come in.', 10]]);
    expect(emissions(comma, false)).toEqual([['I looked through all of your recent orders,', 9], ['and the blue jacket shipped.', 15]]);
  });
});
