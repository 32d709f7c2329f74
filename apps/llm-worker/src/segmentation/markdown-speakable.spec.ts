import { MarkdownSpeakable } from './markdown-speakable';
import { speakable } from './speakable';
import { deltaPlans } from './streaming.harness';

function strip(deltas: readonly string[]): string {
  const markdown = new MarkdownSpeakable();
  return deltas.map((d) => markdown.push(d)).join('') + markdown.end();
}

/** Raw markdown in, the exact text handed to the sentence scanner out ("\n" = line end). */
const MARKDOWN_CASES: Array<{ name: string; input: string; expected: string }> = [
  { name: 'bold and italic', input: '**bold** and *it* and _em_', expected: 'bold and it and em' },
  { name: 'star bullet', input: '* item one\n* item two', expected: 'item one\nitem two' },
  { name: 'italic at a line start is not a bullet', input: '*not a bullet*', expected: 'not a bullet' },
  { name: 'spaced star is a literal', input: '2 * 3 = 6', expected: '2 * 3 = 6' },
  { name: 'snake_case kept, dunder dropped', input: 'snake_case_name and __init__', expected: 'snake_case_name and init' },
  { name: 'heading marker dropped', input: '# Title\ntext', expected: 'Title\ntext' },
  { name: 'hash without a space is text', input: '#1 priority', expected: '#1 priority' },
  { name: 'link target with parentheses skipped', input: '[a](b(c)d) x', expected: 'a x' },
  { name: 'bracket without a target dropped', input: 'see [1] below', expected: 'see 1 below' },
  { name: 'image dropped with alt text', input: '![alt text](u) x', expected: 'x' },
  { name: 'backtick fence dropped', input: '```\ncode\n```\nafter', expected: '\nafter' },
  { name: 'tilde fence dropped, unclosed at the end', input: 'before\n~~~\ncode', expected: 'before\n' },
  { name: 'table', input: '| a | b |\n|:--|--:|\n| 1 | 2. |\n| 3. | 4 |', expected: 'a, b\n\n1, 2.\n3. 4' },
  { name: 'pipe outside a table dropped', input: 'this | that', expected: 'this that' },
  { name: 'number at a line start is not a list marker', input: '3.14 is pi\n2024 was good', expected: '3.14 is pi\n2024 was good' },
  { name: 'ordered marker with parenthesis', input: '10) ten', expected: 'ten' },
  { name: 'nested quote and bullet', input: '> - quoted item', expected: 'quoted item' },
  { name: 'indented bullet with a link', input: '   - [link](u) here', expected: 'link here' },
  { name: 'escapes', input: 'a \\* b \\_c\\_ back\\slash', expected: 'a * b _c_ backslash' },
  { name: 'strikethrough markers dropped, single tilde kept', input: '~~old~~ new ~5', expected: 'old new ~5' },
  { name: 'rule lines dropped', input: 'a\n***\n- - -\n___\nb', expected: 'a\n\n\n\nb' },
  { name: 'setext underline dropped', input: 'Title\n=====\nbody', expected: 'Title\n\nbody' },
  { name: 'unclosed bold flushed at the end', input: 'some **bold', expected: 'some bold' },
  { name: 'exclamation before text kept', input: 'Wow! Great', expected: 'Wow! Great' },
  { name: 'image right after an exclamation: the mark kept, the alt text hidden', input: 'Wow![a map](u) ok', expected: 'Wow! ok' },
  { name: 'image after a space still dropped whole', input: 'See ![a map](u) ok', expected: 'See ok' },
  { name: 'spaces folded and dropped at line start', input: '   lots    of   space  ', expected: 'lots of space ' },
];

describe('MarkdownSpeakable', () => {
  describe.each(MARKDOWN_CASES)('$name', ({ input, expected }) => {
    it.each(deltaPlans(input))('fed $label', ({ deltas }) => {
      expect(strip(deltas)).toBe(expected);
    });
  });

  it('passes plain text on at once, holding nothing back', () => {
    const markdown = new MarkdownSpeakable();
    expect(markdown.push('Hello')).toBe('Hello');
    expect(markdown.push(' there.')).toBe(' there.');
  });

  it('passes an exclamation after a word on at once, so the segmenter can end the sentence with it', () => {
    const markdown = new MarkdownSpeakable();
    expect(markdown.push('Great')).toBe('Great');
    expect(markdown.push('!')).toBe('!');
    expect(markdown.push('!')).toBe('!');
  });

  it('holds an exclamation after a space until the next character says whether it opens an image', () => {
    const markdown = new MarkdownSpeakable();
    expect(markdown.push('a !')).toBe('a ');
    expect(markdown.push('[')).toBe('');
  });

  it('holds a star until its run ends', () => {
    const markdown = new MarkdownSpeakable();
    expect(markdown.push('a *')).toBe('a ');
    expect(markdown.push('*')).toBe('');
    expect(markdown.push('b')).toBe('b');
  });
});

describe('speakable', () => {
  it.each([
    ['markdown and paragraphs', '**Hello!** Welcome to *Acme*.\n\nHow can I help?', 'Hello! Welcome to Acme. How can I help?'],
    ['extra whitespace', '  Sorry,   I did not catch that. ', 'Sorry, I did not catch that.'],
    ['numbers and symbols untouched', 'It costs $4.99 at 10:30, about 3.5 km away.', 'It costs $4.99 at 10:30, about 3.5 km away.'],
    ['bullets joined', 'Options:\n- one\n- two', 'Options: one two'],
  ])('%s', (_name, input, expected) => {
    expect(speakable(input)).toBe(expected);
  });
});
