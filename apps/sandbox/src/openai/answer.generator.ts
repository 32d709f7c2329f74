/**
 * Deterministic, natural-sounding answers: the same question always gets the same 3-4 sentences, and
 * different questions get different ones. Every answer opens by naming the question's topic, carries
 * one or two factual sentences with numbers and abbreviations ("Dr.", "a.m.", "e.g.", "$12.50",
 * "3.5") — exactly what a sentence segmenter must not split on — and closes with a follow-up offer.
 */

const STOP_WORDS = new Set(
  (
    'a an the and or but if then so to of in on at by for with about from into over under is are was were be been ' +
    'am do does did have has had can could would should will shall may might must i you he she it we they me my your ' +
    'our their his her its this that these those what which who whom whose when where why how there here please ' +
    'tell know want need like just also any some much many more most very really thanks thank hi hello hey yes no not'
  ).split(' '),
);

const OPENERS = [
  'Thanks for asking about {topic}.',
  'Good question about {topic}.',
  'Sure, I can help with {topic}.',
  "Happy to explain {topic}, it's simpler than it sounds.",
  'Let me walk you through {topic}.',
  "Of course, here's what you need to know about {topic}.",
];

const FACTS = [
  'Most customers sort it out in about {small} minutes, e.g. by calling the main line.',
  'Our office on {street} St. is open from 9 a.m. to 5:30 p.m., Mon. to Fri.',
  'The standard fee is ${price}, and it drops to ${lowPrice} after the first {small} months.',
  "Dr. Patel's team handles roughly {percent}% of these cases within {small} days.",
  "You'll need reference no. {ref}, which is printed on page {page} of your letter.",
  'Version {version} of the app added this, so please update if you have an older one.',
  'It takes around {hours} hours in total, i.e. less than a working day.',
  'Approx. {count} people asked about this last week, so you are in good company.',
  'The U.S. office and the U.K. office both follow the same {small}-step process.',
  'Delivery is usually {small} to {bigger} business days, and tracking starts within {hours} hours.',
];

const CLOSERS = [
  'Is there anything else I can help you with?',
  'Would you like me to send the details by text message?',
  "Let me know if you'd like me to go over any of that again.",
  'Shall I book that for you now?',
  'Do you want me to note that on your account?',
];

const STREETS = ['Baker', 'Main', 'Elm', 'King', 'Market', 'Church'];

/** FNV-1a, 32 bits: a stable hash so answers never depend on run, time or machine. */
function hash(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The question's content words, in order and as written, at most three: "opening hours Saturday". */
export function topicOf(question: string): string {
  const words = question
    .replace(/[^\p{L}\p{N}\s'-]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w.toLowerCase()));
  const unique = [...new Set(words)].slice(0, 3);
  return unique.length > 0 ? unique.join(' ') : 'your question';
}

function fill(template: string, h: number, topic: string): string {
  const n = (salt: number, mod: number) => hash(String(h), salt) % mod;
  const small = 2 + n(1, 9);
  const values: Record<string, string> = {
    topic,
    small: String(small),
    bigger: String(small + 2 + n(2, 4)),
    street: STREETS[n(3, STREETS.length)],
    price: `${10 + n(4, 90)}.${n(5, 2) === 0 ? '50' : '99'}`,
    lowPrice: `${5 + n(6, 5)}.00`,
    percent: String(60 + n(7, 35)),
    ref: `${100000 + n(8, 899999)}`,
    page: String(2 + n(9, 6)),
    version: `${2 + n(10, 4)}.${n(11, 10)}`,
    hours: `${1 + n(12, 6)}.5`,
    count: String(120 + n(13, 880)),
  };
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? key);
}

/** The answer's sentences (3 or 4): opener, one or two facts, closer. */
export function answerSentences(question: string): string[] {
  const normalized = question.trim().toLowerCase();
  const h = hash(normalized);
  const topic = topicOf(question);
  const sentences = [OPENERS[h % OPENERS.length]];
  const first = hash(normalized, 1) % FACTS.length;
  sentences.push(FACTS[first]);
  if (hash(normalized, 2) % 2 === 0) sentences.push(FACTS[(first + 1 + (hash(normalized, 3) % (FACTS.length - 1))) % FACTS.length]);
  sentences.push(CLOSERS[hash(normalized, 4) % CLOSERS.length]);
  return sentences.map((s, i) => fill(s, hash(normalized, 10 + i), topic));
}

export function generateAnswer(question: string): string {
  return answerSentences(question).join(' ');
}
