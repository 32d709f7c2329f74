import { answerSentences, generateAnswer, topicOf } from './answer.generator';
import { tokenize } from './tokenizer';

const QUESTIONS = [
  'What are your opening hours on Saturday?',
  'How much does the premium plan cost?',
  'Can I change my delivery address?',
  'Why was my card declined yesterday?',
  'Do you have parking near the clinic?',
  'How long does a refund take?',
  'I need to reschedule my appointment with the dentist.',
  'Is the new app available on Android?',
  'Where do I find my reference number?',
  'What happens if I miss a payment?',
];

/** Sentence ends the way a listener hears them: terminal punctuation not inside an abbreviation or number. */
const ABBREVIATION = /\b(?:Dr|St|Mon|Fri|no|Approx|e\.g|i\.e|a\.m|p\.m|U\.S|U\.K)\.|\d\.\d/;

describe('generateAnswer', () => {
  it('is deterministic: the same question, the same answer', () => {
    for (const q of QUESTIONS) expect(generateAnswer(q)).toBe(generateAnswer(q));
  });

  it('varies with the question', () => {
    expect(new Set(QUESTIONS.map(generateAnswer)).size).toBe(QUESTIONS.length);
  });

  it('answers in 3-4 sentences that name the topic and end with a question or offer', () => {
    const counts = new Set<number>();
    for (const q of QUESTIONS) {
      const sentences = answerSentences(q);
      counts.add(sentences.length);
      expect(sentences.length).toBeGreaterThanOrEqual(3);
      expect(sentences.length).toBeLessThanOrEqual(4);
      expect(sentences[0]).toContain(topicOf(q));
      for (const s of sentences) expect(s).toMatch(/^[A-Z].*[.?!]$/);
      expect(generateAnswer(q)).toBe(sentences.join(' '));
    }
    expect([...counts].sort()).toEqual([3, 4]); // both lengths occur
  });

  it('carries numbers and abbreviations in most answers (what a segmenter must not split on)', () => {
    const withNumber = QUESTIONS.filter((q) => /\d/.test(generateAnswer(q)));
    const withAbbreviation = QUESTIONS.filter((q) => ABBREVIATION.test(generateAnswer(q)));
    expect(withNumber.length).toBe(QUESTIONS.length);
    expect(withAbbreviation.length).toBeGreaterThanOrEqual(QUESTIONS.length / 2);
  });

  it('picks the content words of the question as its topic', () => {
    expect(topicOf('What are your opening hours on Saturday?')).toBe('opening hours Saturday');
    expect(topicOf('Hi!')).toBe('your question');
  });
});

describe('tokenize', () => {
  it('is lossless and averages about 4 characters per token on answers', () => {
    const text = QUESTIONS.map(generateAnswer).join(' ');
    const tokens = tokenize(text);
    expect(tokens.join('')).toBe(text);
    const average = text.length / tokens.length;
    expect(average).toBeGreaterThan(3);
    expect(average).toBeLessThan(5.5);
  });

  it('keeps short words whole with their leading space and cuts long ones into 4-letter pieces', () => {
    expect(tokenize('Hello there, internationalisation!')).toEqual(['Hello', ' there', ',', ' inte', 'rnat', 'iona', 'lisa', 'tion', '!']);
  });
});
