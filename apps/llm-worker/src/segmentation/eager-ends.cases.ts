import { SentenceSegmenterOptions } from './sentence-segmenter';

/**
 * Eager ends (eager-rules.ts) as a table: a stream split the way an LLM sends it, one token per
 * delta, and the exact push that returns each sentence. Written by hand; eager-ends.spec.ts checks
 * `expected` (sentence and the index of the delta whose push returns it; `deltas.length` is end())
 * with the default options, and `strict` (the same deltas with eagerEnds: false) where it differs.
 */
export interface EagerCase {
  name: string;
  deltas: string[];
  expected: Array<[sentence: string, delta: number]>;
  /** What the strict rules give for the same deltas, when an eager end gives something else (the trade). */
  strict?: string[];
  options?: SentenceSegmenterOptions;
}

/** Each sentence here comes out of the push of the delta holding its own terminator (or of end()). */
export const EAGER_CASES: EagerCase[] = [
  {
    name: 'exclamation at the end of a token',
    deltas: ['That', ' is', ' wonderful', ' news', '!', ' Tell', ' me', ' more', '.'],
    expected: [['That is wonderful news!', 4], ['Tell me more.', 8]],
  },
  {
    name: 'question mark at the end of a token',
    deltas: ['Can', ' I', ' help', ' you', ' with', ' anything', ' else', '?', ' Thanks', ' for', ' calling', '.'],
    expected: [['Can I help you with anything else?', 7], ['Thanks for calling.', 11]],
  },
  {
    name: 'interrobang in one token',
    deltas: ['You', ' booked', ' it', ' twice', '?!', ' That', ' should', ' not', ' happen', '.'],
    expected: [['You booked it twice?!', 4], ['That should not happen.', 9]],
  },
  {
    name: 'repeated marks split across tokens: the glued rest is dropped',
    deltas: ['That', ' is', ' wonderful', ' news', '!', '!!', ' I', ' am', ' so', ' happy', '.'],
    expected: [['That is wonderful news!', 4], ['I am so happy.', 10]],
    strict: ['That is wonderful news!!!', 'I am so happy.'],
  },
  {
    name: 'period after a word',
    deltas: ['Your', ' table', ' is', ' ready', ' now', '.', ' Please', ' come', ' in', '.'],
    expected: [['Your table is ready now.', 5], ['Please come in.', 9]],
  },
  {
    name: 'period after digits then letters, which cannot be a decimal',
    deltas: ['We', ' open', ' at', ' 10am', '.', ' See', ' you', ' there', '.'],
    expected: [['We open at 10am.', 4], ['See you there.', 8]],
  },
  {
    name: 'period before a closing bold marker',
    deltas: ['**', 'Your', ' order', ' has', ' shipped', '.', '**', ' It', ' arrives', ' Monday', '.'],
    expected: [['Your order has shipped.', 5], ['It arrives Monday.', 10]],
  },
  {
    name: 'period after a non-Latin word',
    deltas: ['Спасибо', ' за', ' ваш', ' звонок', '.', ' До', ' свидания', '.'],
    expected: [['Спасибо за ваш звонок.', 4], ['До свидания.', 7]],
  },
  {
    name: 'closing quote glued to an eager end is dropped, not read',
    deltas: ['He', ' told', ' me', ' "', 'Stop', '. Go', ' home', ' now', '!', '"', ' Then', ' he', ' left', '.'],
    expected: [['He told me "Stop.', 5], ['Go home now!', 8], ['Then he left.', 13]],
    strict: ['He told me "Stop.', 'Go home now!"', 'Then he left.'],
  },
  {
    name: 'closing bracket glued to an eager end is dropped, not read',
    deltas: ['Bring', ' the', ' signed', ' form', '.', ')', ' The', ' clerk', ' will', ' stamp', ' it', '.'],
    expected: [['Bring the signed form.', 4], ['The clerk will stamp it.', 11]],
    strict: ['Bring the signed form.)', 'The clerk will stamp it.'],
  },
  {
    name: 'short last sentence is not held: end() sends it, eager or not',
    deltas: ['Your', ' table', ' is', ' booked', '.', ' Bye', '!'],
    expected: [['Your table is booked.', 4], ['Bye!', 7]],
  },
  {
    name: 'fast-path comma after a letter',
    deltas: ['I', ' looked', ' through', ' all', ' of', ' your', ' recent', ' orders', ',', ' and', ' the', ' blue', ' jacket', ' shipped', '.'],
    expected: [['I looked through all of your recent orders,', 8], ['and the blue jacket shipped.', 14]],
  },
  {
    name: 'fast-path colon after a letter',
    deltas: ['Here', ' is', ' what', ' I', ' found', ' in', ' our', ' records', ' for', ' you', ':', ' two', ' open', ' tickets', '.'],
    expected: [['Here is what I found in our records for you:', 10], ['two open tickets.', 14]],
  },
  {
    // The accepted miss: tokenizers send ".com" as one token, so a delta ends on a domain's dot only
    // when a stream sends "." alone. One token of latency on every turn is worth far more than this
    // rare mis-split, which still says every word.
    name: 'domain split exactly at its dot (accepted miss)',
    deltas: ['Book', ' online', ' at', ' example', '.', 'com', ' before', ' noon', '.'],
    expected: [['Book online at example.', 4], ['com before noon.', 8]],
    strict: ['Book online at example.com before noon.'],
  },
  {
    name: 'ellipsis split as "." then ".." (accepted miss)',
    deltas: ['I', ' was', ' thinking', '.', '..', ' maybe', ' next', ' Tuesday', '.'],
    expected: [['I was thinking.', 3], ['maybe next Tuesday.', 8]],
    strict: ['I was thinking... maybe next Tuesday.'],
  },
  {
    name: 'unknown abbreviation before a lower-case word (accepted miss)',
    deltas: ['We', ' fly', ' from', ' Denver', ' Intl', '.', ' at', ' noon', '.'],
    expected: [['We fly from Denver Intl.', 5], ['at noon.', 9]],
    strict: ['We fly from Denver Intl. at noon.'],
  },
];

/**
 * Where the eager rules wait for the next delta as the strict ones do, because the terminator (or
 * comma, colon) may not be an end; the sentence's real end, later, is often eager again.
 */
export const WAITING_CASES: EagerCase[] = [
  {
    name: 'title before a name',
    deltas: ['Please', ' ask', ' Dr', '.', ' Smith', ' about', ' it', '.', ' Thanks', ' a', ' lot', '.'],
    expected: [['Please ask Dr. Smith about it.', 7], ['Thanks a lot.', 11]],
  },
  {
    name: 'etc. before a lower-case word',
    deltas: ['Pens', ',', ' paper', ',', ' etc', '.', ' are', ' in', ' the', ' drawer', '.'],
    expected: [['Pens, paper, etc. are in the drawer.', 10]],
  },
  {
    name: 'unit after a number',
    deltas: ['The', ' park', ' is', ' 3', ' km', '.', ' away', ' from', ' here', '.'],
    expected: [['The park is 3 km. away from here.', 9]],
  },
  {
    name: 'price with cents',
    deltas: ['The', ' total', ' is', ' $', '12', '.', '50', ' today', '.'],
    expected: [['The total is $12.50 today.', 8]],
  },
  {
    name: 'initials',
    deltas: ['J', '.', ' R', '.', ' R', '.', ' Tolkien', ' wrote', ' it', '.'],
    expected: [['J. R. R. Tolkien wrote it.', 9]],
  },
  {
    name: 'exclamation inside an open quote',
    deltas: ['He', ' shouted', ' "', 'Stop', '!', '"', ' at', ' the', ' driver', '.'],
    expected: [['He shouted "Stop!" at the driver.', 9]],
  },
  {
    name: 'closer in the same token as the period',
    deltas: ['She', ' replied', ' “', 'Of', ' course', '.”', ' Then', ' she', ' hung', ' up', '.'],
    expected: [['She replied “Of course.”', 6], ['Then she hung up.', 10]],
  },
  {
    name: 'domain after an address cue',
    deltas: ['Our', ' site', ' is', ' example', '.', 'com', '.', ' Book', ' there', ' today', '.'],
    expected: [['Our site is example.com.', 7], ['Book there today.', 10]],
  },
  {
    name: 'question mark in a URL',
    deltas: ['Visit', ' example', '.com', '/path', '?', 'x', '=1', ' for', ' details', '.'],
    expected: [['Visit example.com/path?x=1 for details.', 10]],
  },
  {
    name: 'thousands separator in the first piece',
    deltas: ['The', ' total', ' for', ' the', ' three', ' nights', ' comes', ' to', ' 1', ',', '250', ' dollars', ',', ' including', ' taxes', '.'],
    expected: [['The total for the three nights comes to 1,250 dollars,', 12], ['including taxes.', 15]],
  },
  {
    name: 'URL scheme colon in the first piece',
    deltas: ['For', ' the', ' fastest', ' service', ' please', ' open', ' the', ' booking', ' page', ' at', ' https', ':', '//', 'example', '.com', ' now', '.'],
    expected: [['For the fastest service please open the booking page at https://example.com now.', 17]],
  },
  {
    name: 'short sentence that would be held back anyway',
    deltas: ['Sure', '!', ' I', ' found', ' it', '.'],
    expected: [['Sure! I found it.', 5]],
  },
  {
    name: 'ellipsis token',
    deltas: ['Let', ' me', ' see', '...', ' Okay', ',', ' found', ' it', '.'],
    expected: [['Let me see...', 4], ['Okay, found it.', 8]],
  },
  {
    name: 'CJK stop waits for the next character, as before',
    deltas: ['今日は', 'とても', 'いい天気', 'ですね', '。', '明日', 'も'],
    expected: [['今日はとてもいい天気ですね。', 5], ['明日も', 7]],
  },
];
