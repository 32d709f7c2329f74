import { SentenceSegmenter } from './sentence-segmenter';
import { ALL_CASES } from './sentence-segmenter.cases';
import { StreamSegmenter, deltaPlans, feed, feedRecording, randomDeltas, seededRandom } from './streaming.harness';

/** Extra seeds for the whole-versus-split comparison, beyond the three splits checked against `expected`. */
const EXTRA_SPLIT_SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

describe('SentenceSegmenter cases', () => {
  it('has at least 60 cases with unique names', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ALL_CASES.map((c) => c.name)).size).toBe(ALL_CASES.length);
  });

  describe.each(ALL_CASES)('$name', ({ input, expected, options }) => {
    it.each(deltaPlans(input))('gives the expected sentences when fed $label', ({ deltas }) => {
      expect(feed(new SentenceSegmenter(options), deltas)).toEqual(expected);
    });

    it('gives the same sentences under 20 more random splits', () => {
      const whole = feed(new SentenceSegmenter(options), [input]);
      for (const seed of EXTRA_SPLIT_SEEDS) {
        const sentences = feed(new SentenceSegmenter(options), randomDeltas(input, seed));
        expect({ seed, sentences }).toEqual({ seed, sentences: whole });
      }
    });
  });
});

/** Fragments that exercise every rule at once, so random texts hit the rules' edges where they meet. */
const FUZZ_FRAGMENTS = [
  'a', 'The', 'I', ' ', ' ', '  ', '\n', '\n\n', '.', '. ', '!', '?', '...', '…', '"', "'", '(', ')', '[', '](', '![',
  '*', '**', '_', '~~', '`', '```', '|', '#', '## ', '- ', '1. ', '> ', 'Dr.', 'e.g.', 'U.S.', '3.14', ', ', ':', '—',
  ' - ', ' and ', 'so', '\\', '。', '」', 'Y', '😊', '---', 'No. 5',
];

/** Random texts per run: enough to find a split-dependent rule within a second of test time. */
const FUZZ_TEXTS = 300;

describe('SentenceSegmenter on random markdown-like text', () => {
  it.each([
    ['default options', {}],
    ['every rule enabled at small sizes', { firstChunkMinChars: 5, minSentenceChars: 4, firstChunkMaxWaitChars: 15 }],
  ])('gives the same trimmed, non-empty sentences whole and split (%s)', (_label, options) => {
    for (let n = 0; n < FUZZ_TEXTS; n++) {
      const random = seededRandom(n);
      const length = 1 + Math.floor(random() * 40);
      const text = Array.from({ length }, () => FUZZ_FRAGMENTS[Math.floor(random() * FUZZ_FRAGMENTS.length)]).join('');
      const whole = feed(new SentenceSegmenter(options), [text]);
      for (const sentence of whole) expect(sentence).toBe(sentence.trim());
      expect(whole).not.toContain('');
      for (const deltas of [Array.from(text), randomDeltas(text, n), randomDeltas(text, n + FUZZ_TEXTS)]) {
        expect({ text, sentences: feed(new SentenceSegmenter(options), deltas) }).toEqual({ text, sentences: whole });
      }
    }
  });
});

/**
 * Each sentence must come out of the push() of the character that confirms it — not earlier (that
 * would be a guess) and not later (that would be latency). Fed one code point at a time.
 */
const TIMING_CASES = [
  { name: 'period: by the first letter of the next word', input: 'Your table is ready now. Please come in.', sentence: 'Your table is ready now.', confirmedBy: 'Your table is ready now. P' },
  { name: 'exclamation: by the space after it', input: 'That is wonderful news! Tell me more.', sentence: 'That is wonderful news!', confirmedBy: 'That is wonderful news! ' },
  { name: 'question: by the space after it', input: 'Can I help you with anything else? Thanks.', sentence: 'Can I help you with anything else?', confirmedBy: 'Can I help you with anything else? ' },
  { name: 'quoted exclamation: by the next word', input: 'He shouted "Stop right there!" Then he ran.', sentence: 'He shouted "Stop right there!"', confirmedBy: 'He shouted "Stop right there!" T' },
  { name: 'abbreviation: by the word after the real end', input: 'Please ask Dr. Smith about it. Thanks a lot.', sentence: 'Please ask Dr. Smith about it.', confirmedBy: 'Please ask Dr. Smith about it. T' },
  { name: 'newline: by the newline', input: 'Here are your options\n- one', sentence: 'Here are your options', confirmedBy: 'Here are your options\n' },
  { name: 'CJK stop: by the next character', input: '今日はとてもいい天気ですね。明日も', sentence: '今日はとてもいい天気ですね。', confirmedBy: '今日はとてもいい天気ですね。明' },
  { name: 'fast-path comma: by the space after it', input: 'I looked through all of your recent orders, and found it.', sentence: 'I looked through all of your recent orders,', confirmedBy: 'I looked through all of your recent orders, ' },
  { name: 'fast-path conjunction: by the space after it', input: 'Your reservation for four people is confirmed and a text will follow.', sentence: 'Your reservation for four people is confirmed', confirmedBy: 'Your reservation for four people is confirmed and ' },
  { name: 'fast-path em dash: by the dash itself', input: 'The earliest appointment we have this week—Thursday.', sentence: 'The earliest appointment we have this week—', confirmedBy: 'The earliest appointment we have this week—' },
  { name: 'heading: by its newline', input: '## Opening hours\nWe open at nine.', sentence: 'Opening hours', confirmedBy: '## Opening hours\n' },
  { name: 'bold sentence: by the first letter after the closing marker', input: '**Your order has shipped.** It arrives Monday.', sentence: 'Your order has shipped.', confirmedBy: '**Your order has shipped.** I' },
];

describe('SentenceSegmenter emits as early as possible', () => {
  it.each(TIMING_CASES)('$name', ({ input, sentence, confirmedBy }) => {
    expect(input.startsWith(confirmedBy)).toBe(true);
    const deltas = Array.from(input);
    const emission = feedRecording(new SentenceSegmenter(), deltas).find((e) => e.sentence === sentence);
    expect(emission).toBeDefined();
    expect(deltas.slice(0, (emission?.delta ?? -1) + 1).join('')).toBe(confirmedBy);
  });

  it('emits each sentence in the push of the LLM token that confirms it', () => {
    const tokens = [
      ...['Sure', '!', ' I', ' found', ' your', ' booking', '.', ' It', ' is', ' for', ' two', ' people', ' on', ' Friday', '.'],
      ...['\n\n', '-', ' **', 'Time', ':**', ' 7', ' p', '.m', '.\n', '-', ' **', 'Table', ':**', ' 12'],
    ];
    const segmenter = new SentenceSegmenter();
    const pushes = tokens.map((token) => segmenter.push(token));
    const byToken = pushes.flatMap((sentences, i) => (sentences.length > 0 ? [[tokens[i], sentences]] : []));
    expect(byToken).toEqual([
      [' It', ['Sure! I found your booking.']],
      ['\n\n', ['It is for two people on Friday.']],
      ['.\n', ['Time: 7 p.m.']],
    ]);
    expect(segmenter.end()).toEqual(['Table: 12']);
  });

  it('holds an unterminated last sentence until end()', () => {
    const segmenter = new SentenceSegmenter();
    expect(segmenter.push('Thank you for calling Acme Dental')).toEqual([]);
    expect(segmenter.end()).toEqual(['Thank you for calling Acme Dental']);
  });
});

describe('SentenceSegmenter lifecycle', () => {
  const longFirst = 'I looked through all of your recent orders, and the blue jacket shipped.';

  it('end() readies it for the next answer, fast path included', () => {
    const segmenter = new SentenceSegmenter();
    const expected = ['I looked through all of your recent orders,', 'and the blue jacket shipped.'];
    expect([...segmenter.push(longFirst), ...segmenter.end()]).toEqual(expected);
    expect([...segmenter.push(longFirst), ...segmenter.end()]).toEqual(expected);
  });

  it('reset() drops what is buffered, including markdown held back and carried short sentences', () => {
    const segmenter = new SentenceSegmenter();
    expect(segmenter.push('Okay. Half a sentence about **bo')).toEqual([]);
    segmenter.reset();
    expect([...segmenter.push('A new answer starts here.'), ...segmenter.end()]).toEqual(['A new answer starts here.']);
  });

  it.each([
    ['firstChunkMinChars', { firstChunkMinChars: 0 }],
    ['minSentenceChars', { minSentenceChars: -1 }],
    ['firstChunkMaxWaitChars', { firstChunkMaxWaitChars: 2.5 }],
  ])('rejects a bad %s', (field, options) => {
    expect(() => new SentenceSegmenter(options)).toThrow(new RegExp(field));
  });
});

describe('streaming harness', () => {
  /** A segmenter that ignores text split across deltas: the kind of bug the split plans exist to catch. */
  class PerDeltaSplitter implements StreamSegmenter {
    push(delta: string): string[] {
      return delta.split(/(?<=[.!?])\s+/).filter((s) => s.trim() !== '');
    }
    end(): string[] {
      return [];
    }
  }

  it('catches a segmenter whose output depends on how the text was split', () => {
    const input = 'The first sentence is here. The second one follows.';
    const [whole, ...splits] = deltaPlans(input).map(({ deltas }) => feed(new PerDeltaSplitter(), deltas));
    expect(whole).toEqual(['The first sentence is here.', 'The second one follows.']);
    for (const split of splits) expect(split).not.toEqual(whole);
  });

  it('splits deterministically per seed into 1 to 5 code points', () => {
    const text = 'Ünïcödé 😊 text, split many ways.';
    const deltas = randomDeltas(text, 7);
    expect(randomDeltas(text, 7)).toEqual(deltas);
    expect(deltas.join('')).toBe(text);
    for (const delta of deltas) expect(Array.from(delta).length).toBeGreaterThanOrEqual(1);
    for (const delta of deltas) expect(Array.from(delta).length).toBeLessThanOrEqual(5);
  });
});
