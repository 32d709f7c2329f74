import { SentenceSegmenter, SentenceSegmenterOptions } from './sentence-segmenter';
import { ALL_CASES } from './sentence-segmenter.cases';
import {
  StreamSegmenter,
  deltaPlans,
  feed,
  feedRecording,
  randomDeltas,
  seededRandom,
  withoutEagerBoundaries,
} from './streaming.harness';

/** Extra seeds for the whole-versus-split comparison, beyond the three splits checked against `expected`. */
const EXTRA_SPLIT_SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

const strict = (options?: SentenceSegmenterOptions): SentenceSegmenter =>
  new SentenceSegmenter({ ...options, eagerEnds: false });

/**
 * Every case twice. Strict (eagerEnds: false): the sentences depend only on the text, for every
 * split. Eager (the default): the same sentences for every split on which no eager rule can fire
 * (withoutEagerBoundaries); the splits where one does are eager-ends.spec.ts's business.
 */
describe('SentenceSegmenter cases', () => {
  it('has at least 60 cases with unique names', () => {
    expect(ALL_CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(ALL_CASES.map((c) => c.name)).size).toBe(ALL_CASES.length);
  });

  describe.each(ALL_CASES)('$name', ({ input, expected, options }) => {
    it.each(deltaPlans(input))('strict: gives the expected sentences when fed $label', ({ deltas }) => {
      expect(feed(strict(options), deltas)).toEqual(expected);
    });

    it('strict: gives the same sentences under 20 more random splits', () => {
      const whole = feed(strict(options), [input]);
      for (const seed of EXTRA_SPLIT_SEEDS) {
        const sentences = feed(strict(options), randomDeltas(input, seed));
        expect({ seed, sentences }).toEqual({ seed, sentences: whole });
      }
    });

    it.each(deltaPlans(input))('eager: gives the expected sentences when fed $label, eager boundaries joined', ({ deltas }) => {
      expect(feed(new SentenceSegmenter(options), withoutEagerBoundaries(deltas))).toEqual(expected);
    });

    it('eager: gives the same sentences under 20 more random splits, eager boundaries joined', () => {
      for (const seed of EXTRA_SPLIT_SEEDS) {
        const sentences = feed(new SentenceSegmenter(options), withoutEagerBoundaries(randomDeltas(input, seed)));
        expect({ seed, sentences }).toEqual({ seed, sentences: expected });
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

function fuzzText(n: number): string {
  const random = seededRandom(n);
  const length = 1 + Math.floor(random() * 40);
  return Array.from({ length }, () => FUZZ_FRAGMENTS[Math.floor(random() * FUZZ_FRAGMENTS.length)]).join('');
}

function fuzzSplits(text: string, n: number): string[][] {
  return [Array.from(text), randomDeltas(text, n), randomDeltas(text, n + FUZZ_TEXTS)];
}

/** What is spoken, whatever the cuts: letters and digits in order (eager ends move cuts, drop only glued marks). */
function words(sentences: readonly string[]): string {
  return sentences.join(' ').replace(/[^\p{L}\p{N}]+/gu, '');
}

const FUZZ_OPTIONS: Array<[string, SentenceSegmenterOptions]> = [
  ['default options', {}],
  ['every rule enabled at small sizes', { firstChunkMinChars: 5, minSentenceChars: 4, firstChunkMaxWaitChars: 15 }],
];

describe('SentenceSegmenter on random markdown-like text', () => {
  it.each(FUZZ_OPTIONS)('strict: gives the same trimmed, non-empty sentences whole and split (%s)', (_label, options) => {
    for (let n = 0; n < FUZZ_TEXTS; n++) {
      const text = fuzzText(n);
      const whole = feed(strict(options), [text]);
      for (const sentence of whole) expect(sentence).toBe(sentence.trim());
      expect(whole).not.toContain('');
      for (const deltas of fuzzSplits(text, n)) {
        expect({ text, sentences: feed(strict(options), deltas) }).toEqual({ text, sentences: whole });
      }
    }
  });

  it.each(FUZZ_OPTIONS)('eager: gives the same sentences whole and split where no eager rule applies (%s)', (_label, options) => {
    for (let n = 0; n < FUZZ_TEXTS; n++) {
      const text = fuzzText(n);
      const whole = feed(new SentenceSegmenter(options), [text]);
      for (const deltas of fuzzSplits(text, n)) {
        const sentences = feed(new SentenceSegmenter(options), withoutEagerBoundaries(deltas));
        expect({ text, sentences }).toEqual({ text, sentences: whole });
      }
    }
  });

  it.each(FUZZ_OPTIONS)('eager: on any split, says every word the strict rules say, trimmed and non-empty (%s)', (_label, options) => {
    for (let n = 0; n < FUZZ_TEXTS; n++) {
      const text = fuzzText(n);
      const spoken = words(feed(strict(options), [text]));
      for (const deltas of fuzzSplits(text, n)) {
        const sentences = feed(new SentenceSegmenter(options), deltas);
        for (const sentence of sentences) expect(sentence).toBe(sentence.trim());
        expect(sentences).not.toContain('');
        expect({ text, spoken: words(sentences) }).toEqual({ text, spoken });
      }
    }
  });
});

/**
 * Each sentence must come out of the push() of the character that confirms it — not earlier (that
 * would be a guess) and not later (that would be latency). Fed one code point at a time, so every
 * terminator ends a delta: `confirmedBy` is the strict rules' moment (eagerEnds: false),
 * `eagerConfirmedBy` the eager rules' where they confirm earlier (the terminator itself).
 */
const TIMING_CASES: Array<{ name: string; input: string; sentence: string; confirmedBy: string; eagerConfirmedBy?: string }> = [
  { name: 'period: by the first letter of the next word', input: 'Your table is ready now. Please come in.', sentence: 'Your table is ready now.', confirmedBy: 'Your table is ready now. P', eagerConfirmedBy: 'Your table is ready now.' },
  { name: 'exclamation: by the space after it', input: 'That is wonderful news! Tell me more.', sentence: 'That is wonderful news!', confirmedBy: 'That is wonderful news! ', eagerConfirmedBy: 'That is wonderful news!' },
  { name: 'question: by the space after it', input: 'Can I help you with anything else? Thanks.', sentence: 'Can I help you with anything else?', confirmedBy: 'Can I help you with anything else? ', eagerConfirmedBy: 'Can I help you with anything else?' },
  { name: 'quoted exclamation: by the next word', input: 'He shouted "Stop right there!" Then he ran.', sentence: 'He shouted "Stop right there!"', confirmedBy: 'He shouted "Stop right there!" T' },
  { name: 'abbreviation: by the word after the real end', input: 'Please ask Dr. Smith about it. Thanks a lot.', sentence: 'Please ask Dr. Smith about it.', confirmedBy: 'Please ask Dr. Smith about it. T', eagerConfirmedBy: 'Please ask Dr. Smith about it.' },
  { name: 'newline: by the newline', input: 'Here are your options\n- one', sentence: 'Here are your options', confirmedBy: 'Here are your options\n' },
  { name: 'CJK stop: by the next character', input: '今日はとてもいい天気ですね。明日も', sentence: '今日はとてもいい天気ですね。', confirmedBy: '今日はとてもいい天気ですね。明' },
  { name: 'fast-path comma: by the space after it', input: 'I looked through all of your recent orders, and found it.', sentence: 'I looked through all of your recent orders,', confirmedBy: 'I looked through all of your recent orders, ', eagerConfirmedBy: 'I looked through all of your recent orders,' },
  { name: 'fast-path conjunction: by the space after it', input: 'Your reservation for four people is confirmed and a text will follow.', sentence: 'Your reservation for four people is confirmed', confirmedBy: 'Your reservation for four people is confirmed and ' },
  { name: 'fast-path em dash: by the dash itself', input: 'The earliest appointment we have this week—Thursday.', sentence: 'The earliest appointment we have this week—', confirmedBy: 'The earliest appointment we have this week—' },
  { name: 'heading: by its newline', input: '## Opening hours\nWe open at nine.', sentence: 'Opening hours', confirmedBy: '## Opening hours\n' },
  { name: 'bold sentence: by the first letter after the closing marker', input: '**Your order has shipped.** It arrives Monday.', sentence: 'Your order has shipped.', confirmedBy: '**Your order has shipped.** I', eagerConfirmedBy: '**Your order has shipped.' },
];

/** The prefix of `input` fed when `sentence` came out, fed one code point at a time. */
function fedWhenEmitted(segmenter: SentenceSegmenter, input: string, sentence: string): string | undefined {
  const deltas = Array.from(input);
  const emission = feedRecording(segmenter, deltas).find((e) => e.sentence === sentence);
  return emission === undefined ? undefined : deltas.slice(0, emission.delta + 1).join('');
}

/** A short answer streamed as an LLM does, one token per delta, with markdown. */
const TOKENS = [
  ...['Sure', '!', ' I', ' found', ' your', ' booking', '.', ' It', ' is', ' for', ' two', ' people', ' on', ' Friday', '.'],
  ...['\n\n', '-', ' **', 'Time', ':**', ' 7', ' p', '.m', '.\n', '-', ' **', 'Table', ':**', ' 12'],
];

function sentencesByToken(segmenter: SentenceSegmenter): Array<[number, string[]]> {
  const pushes = TOKENS.map((token) => segmenter.push(token));
  return pushes.flatMap((sentences, i): Array<[number, string[]]> => (sentences.length > 0 ? [[i, sentences]] : []));
}

describe('SentenceSegmenter emits as early as possible', () => {
  it.each(TIMING_CASES)('strict: $name', ({ input, sentence, confirmedBy }) => {
    expect(input.startsWith(confirmedBy)).toBe(true);
    expect(fedWhenEmitted(strict(), input, sentence)).toBe(confirmedBy);
  });

  it.each(TIMING_CASES)('eager: $name', ({ input, sentence, confirmedBy, eagerConfirmedBy }) => {
    expect(fedWhenEmitted(new SentenceSegmenter(), input, sentence)).toBe(eagerConfirmedBy ?? confirmedBy);
  });

  it('strict: emits each sentence in the push of the LLM token that confirms it', () => {
    const segmenter = strict();
    expect(sentencesByToken(segmenter)).toEqual([
      [7, ['Sure! I found your booking.']], // ' It'
      [15, ['It is for two people on Friday.']], // '\n\n'
      [23, ['Time: 7 p.m.']], // '.\n'
    ]);
    expect(segmenter.end()).toEqual(['Table: 12']);
  });

  it('eager: emits each sentence in the push of the LLM token that holds its terminator', () => {
    const segmenter = new SentenceSegmenter();
    expect(sentencesByToken(segmenter)).toEqual([
      [6, ['Sure! I found your booking.']], // '.' ("Sure!" alone would be held back as short: no eager end)
      [14, ['It is for two people on Friday.']], // '.'
      [23, ['Time: 7 p.m.']], // '.\n' ("p.m" holds a dot: the eager rule waits, the newline confirms)
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

  it('reset() forgets an eager end, so a quote starting the next answer is kept', () => {
    const segmenter = new SentenceSegmenter();
    expect(segmenter.push('Your table is ready now!')).toEqual(['Your table is ready now!']);
    segmenter.reset();
    expect([...segmenter.push('"Hello" is how we greet.'), ...segmenter.end()]).toEqual(['"Hello" is how we greet.']);
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

  it('joins each delta that ends where an eager rule could fire to the next, after markdown', () => {
    const deltas = ['Hi', ' there', '.', ' Next', ' one', ',', ' a', 'b.**', ' c', '?'];
    expect(withoutEagerBoundaries(deltas)).toEqual(['Hi', ' there', '. Next', ' one', ', a', 'b.** c', '?']);
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
