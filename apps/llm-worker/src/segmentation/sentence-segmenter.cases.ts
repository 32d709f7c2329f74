import { SentenceSegmenterOptions } from './sentence-segmenter';

/**
 * The segmenter's behaviour as a table: raw LLM text in, the sentences TTS must receive out.
 * Every expectation is written by hand; sentence-segmenter.spec.ts feeds each input whole, one code
 * point at a time and in seeded random deltas, and all must give exactly `expected`.
 * Unless a case sets options, the defaults apply (fast path from 40 chars, merge under 12).
 */
export interface SegmenterCase {
  name: string;
  input: string;
  expected: string[];
  options?: SentenceSegmenterOptions;
}

/** Cases that isolate a boundary rule switch merging off, so a wrong cut shows as a wrong split. */
const NO_MERGE: SentenceSegmenterOptions = { minSentenceChars: 1 };

export const BASIC_CASES: SegmenterCase[] = [
  { name: 'two plain sentences', input: 'The weather is nice today. Let us go for a walk.', expected: ['The weather is nice today.', 'Let us go for a walk.'] },
  { name: 'question then exclamation', input: 'Is your order number ready? Great, thank you so much!', expected: ['Is your order number ready?', 'Great, thank you so much!'] },
  { name: 'interrobang stays with its sentence', input: 'You booked it twice?! That should not happen.', expected: ['You booked it twice?!', 'That should not happen.'] },
  { name: 'repeated exclamation marks', input: 'That is wonderful news!!! I am so happy for you.', expected: ['That is wonderful news!!!', 'I am so happy for you.'] },
  { name: 'question mark ends even before a lower-case word', input: 'Why not? we can try again tomorrow.', expected: ['Why not?', 'we can try again tomorrow.'], options: NO_MERGE },
  { name: 'unterminated text is flushed by end()', input: 'I will check that for you', expected: ['I will check that for you'] },
  { name: 'whitespace only gives nothing', input: '   \n\n \t ', expected: [] },
  { name: 'runs of spaces are folded', input: 'Hello   there,  friend.   How   are you?', expected: ['Hello there, friend.', 'How are you?'] },
  { name: 'carriage returns are dropped', input: 'The first line.\r\nThe second line.', expected: ['The first line.', 'The second line.'] },
  { name: 'newline ends an unterminated line', input: 'First line without a stop\nSecond line here', expected: ['First line without a stop', 'Second line here'] },
  { name: 'paragraph break after a sentence', input: 'That is all for today.\n\nAnything else I can do?', expected: ['That is all for today.', 'Anything else I can do?'] },
  { name: 'emoji stays in the sentence', input: 'Have a great day! 😊 See you soon.', expected: ['Have a great day!', '😊 See you soon.'] },
];

export const MERGE_CASES: SegmenterCase[] = [
  { name: 'short first sentence joins the next', input: 'Sure. I can help you with your booking.', expected: ['Sure. I can help you with your booking.'] },
  { name: 'short sentences pile up until long enough', input: 'Yes. Okay. Right. Let me check.', expected: ['Yes. Okay. Right.', 'Let me check.'] },
  { name: 'short last sentence is still sent at the end', input: 'Your table is booked for seven. Bye!', expected: ['Your table is booked for seven.', 'Bye!'] },
  { name: 'short sentence in the middle joins the next', input: 'I found two flights for you. Great. The first leaves at noon.', expected: ['I found two flights for you.', 'Great. The first leaves at noon.'] },
  { name: 'minSentenceChars lowered keeps short sentences apart', input: 'Sure. I can help.', expected: ['Sure.', 'I can help.'], options: { minSentenceChars: 3 } },
  { name: 'short line without a terminator is not merged', input: 'Menu\nWe serve lunch from noon.', expected: ['Menu', 'We serve lunch from noon.'] },
];

export const ABBREVIATION_CASES: SegmenterCase[] = [
  { name: 'title before a name', input: 'Dr. Smith will see you at noon. Please arrive early.', expected: ['Dr. Smith will see you at noon.', 'Please arrive early.'] },
  { name: 'several titles', input: 'Mr. and Mrs. Lee booked with Prof. Adams. They paid already.', expected: ['Mr. and Mrs. Lee booked with Prof. Adams.', 'They paid already.'] },
  { name: 'Ms. and St. before names', input: 'Ms. Garcia lives on St. Mark Street. She called today.', expected: ['Ms. Garcia lives on St. Mark Street.', 'She called today.'] },
  { name: 'St. is never an end, even as a street (accepted miss)', input: 'Turn left on Main St. Then walk two blocks.', expected: ['Turn left on Main St. Then walk two blocks.'] },
  { name: 'Jr. before a lower-case word', input: 'The caller was Martin Jr. who phoned earlier. He sounded calm.', expected: ['The caller was Martin Jr. who phoned earlier.', 'He sounded calm.'] },
  { name: 'vs. before a capital', input: 'It is the Lakers vs. Celtics game tonight. Tickets are sold out.', expected: ['It is the Lakers vs. Celtics game tonight.', 'Tickets are sold out.'] },
  { name: 'etc. before a capital ends the sentence', input: 'Bring your ID, passport, etc. The desk opens at nine.', expected: ['Bring your ID, passport, etc.', 'The desk opens at nine.'] },
  { name: 'etc. before a lower-case word does not', input: 'Pens, paper, etc. are in the top drawer.', expected: ['Pens, paper, etc. are in the top drawer.'] },
  { name: 'etc. before a comma does not', input: 'Pens, paper, etc., all in the top drawer.', expected: ['Pens, paper, etc., all in the top drawer.'] },
  { name: 'e.g. and i.e. even before a capital', input: 'Pick a city, e.g. Paris or Rome, i.e. somewhere warm. Then call me.', expected: ['Pick a city, e.g. Paris or Rome, i.e. somewhere warm.', 'Then call me.'] },
  { name: 'U.S. before a lower-case word', input: 'Shipping to the U.S. takes five days. Canada is faster.', expected: ['Shipping to the U.S. takes five days.', 'Canada is faster.'] },
  { name: 'U.K. before a capital ends the sentence', input: 'We also ship to the U.K. Delivery takes a week.', expected: ['We also ship to the U.K.', 'Delivery takes a week.'] },
  { name: 'a.m. before lower-case, p.m. before capital', input: 'We open at 9 a.m. sharp and close at 5 p.m. Please come early.', expected: ['We open at 9 a.m. sharp and close at 5 p.m.', 'Please come early.'] },
  { name: 'Inc. mid-sentence, Ltd. at the end', input: 'Acme Inc. is our partner. We also work with Widgets Ltd. They ship fast.', expected: ['Acme Inc. is our partner.', 'We also work with Widgets Ltd.', 'They ship fast.'] },
  { name: 'No. before a number', input: 'Your ticket is No. 42 in the queue. Please hold.', expected: ['Your ticket is No. 42 in the queue.', 'Please hold.'] },
  { name: 'month abbreviation before a day', input: 'Your visit is on Jan. 5 at noon. See you then.', expected: ['Your visit is on Jan. 5 at noon.', 'See you then.'] },
  { name: 'No. as an answer ends the sentence', input: 'No. That flight was cancelled yesterday.', expected: ['No.', 'That flight was cancelled yesterday.'], options: NO_MERGE },
  { name: 'initials of a name', input: 'J. R. R. Tolkien wrote that book. It is long.', expected: ['J. R. R. Tolkien wrote that book.', 'It is long.'] },
  { name: 'unknown abbreviation before a lower-case word', input: 'The park is 3 km. away from here. Walk north.', expected: ['The park is 3 km. away from here.', 'Walk north.'] },
  { name: 'abbreviation at the very end', input: 'Please ask for Dr.', expected: ['Please ask for Dr.'] },
];

export const NUMBER_AND_ADDRESS_CASES: SegmenterCase[] = [
  { name: 'decimals and prices', input: 'Pi is about 3.14 and the fee is $4.99 today. Total is 1,000.50 dollars.', expected: ['Pi is about 3.14 and the fee is $4.99 today.', 'Total is 1,000.50 dollars.'] },
  { name: 'price at the end of a sentence', input: 'The total comes to $12. Shall I charge your card?', expected: ['The total comes to $12.', 'Shall I charge your card?'] },
  { name: 'clock time', input: 'The slot at 10:30 is free. Shall I book it?', expected: ['The slot at 10:30 is free.', 'Shall I book it?'] },
  { name: 'version number', input: 'Please update to v2.5 first. Then restart the app.', expected: ['Please update to v2.5 first.', 'Then restart the app.'] },
  { name: 'number ends a sentence before a digit', input: 'I counted 10. 3 of them were broken.', expected: ['I counted 10.', '3 of them were broken.'] },
  { name: 'digit after an ordinary word ends the sentence', input: 'Your room is on floor 4. 2 keys are at the desk.', expected: ['Your room is on floor 4.', '2 keys are at the desk.'] },
  { name: 'inline numbered list', input: 'There are two steps: 1. Open the app. 2. Tap save.', expected: ['There are two steps: 1. Open the app.', '2. Tap save.'] },
  { name: 'URL with a query string', input: 'Visit example.com/path?x=1 for details. It is free.', expected: ['Visit example.com/path?x=1 for details.', 'It is free.'] },
  { name: 'domain at the end of a sentence', input: 'Our site is example.com. You can book there.', expected: ['Our site is example.com.', 'You can book there.'] },
  { name: 'e-mail address', input: 'Write to john.doe@mail.co.uk today. We reply fast.', expected: ['Write to john.doe@mail.co.uk today.', 'We reply fast.'] },
  { name: 'full https URL', input: 'Go to https://shop.example.com/a.b?c=d now. Thanks for waiting.', expected: ['Go to https://shop.example.com/a.b?c=d now.', 'Thanks for waiting.'] },
];

export const ELLIPSIS_AND_QUOTE_CASES: SegmenterCase[] = [
  { name: 'ellipsis before a lower-case word continues', input: 'I was thinking... maybe we could try Tuesday.', expected: ['I was thinking... maybe we could try Tuesday.'] },
  { name: 'ellipsis before a capital ends the sentence', input: 'Let me see what I can find... Okay, I found it.', expected: ['Let me see what I can find...', 'Okay, I found it.'] },
  { name: 'ellipsis character', input: 'Hmm, one moment please… Alright, you are all set.', expected: ['Hmm, one moment please…', 'Alright, you are all set.'] },
  { name: 'ellipsis without a space', input: 'Wait...what did you say?', expected: ['Wait...what did you say?'] },
  { name: 'sentence ends inside quotes', input: 'He said "Stop." Then he left.', expected: ['He said "Stop."', 'Then he left.'] },
  { name: 'quoted period before a lower-case word', input: '"Stop." he said to the driver. Nobody moved.', expected: ['"Stop." he said to the driver.', 'Nobody moved.'] },
  { name: 'quoted exclamation before a lower-case word', input: '"Stop!" he shouted at the driver. Nobody listened.', expected: ['"Stop!" he shouted at the driver.', 'Nobody listened.'] },
  { name: 'question inside quotes before a capital', input: 'He asked "Are you open?" We said yes.', expected: ['He asked "Are you open?"', 'We said yes.'] },
  { name: 'sentence ends inside brackets', input: 'Bring the form (see above.) The clerk will stamp it.', expected: ['Bring the form (see above.)', 'The clerk will stamp it.'] },
  { name: 'curly quotes', input: 'She replied “Of course.” Then she hung up.', expected: ['She replied “Of course.”', 'Then she hung up.'] },
  { name: 'bracketed question', input: '(Is that okay?) Let me know.', expected: ['(Is that okay?)', 'Let me know.'] },
  { name: 'colon is not a sentence end', input: 'Note: the office is closed on Monday. Call Tuesday.', expected: ['Note: the office is closed on Monday.', 'Call Tuesday.'] },
  { name: 'CJK full stops need no space', input: '今日はとてもいい天気ですね。明日も晴れるでしょうか？はい、そう思います！', expected: ['今日はとてもいい天気ですね。', '明日も晴れるでしょうか？', 'はい、そう思います！'] },
  { name: 'short CJK sentences merge without a space', input: '你好。我是客服助手！有什么可以帮您？', expected: ['你好。我是客服助手！有什么可以帮您？'] },
  { name: 'CJK stop keeps its closing bracket', input: '「ありがとうございます。」次の方どうぞ。', expected: ['「ありがとうございます。」', '次の方どうぞ。'] },
];

export const MARKDOWN_CASES: SegmenterCase[] = [
  { name: 'bold and italic markers dropped', input: '**Great news!** Your *order* has shipped.', expected: ['Great news! Your order has shipped.'] },
  { name: 'heading is its own sentence', input: '## Opening hours\nWe open at nine every day.', expected: ['Opening hours', 'We open at nine every day.'] },
  { name: 'bullets of each kind', input: 'Here is what you need:\n- a photo ID\n- your booking code\n* a credit card\n+ a pen', expected: ['Here is what you need:', 'a photo ID', 'your booking code', 'a credit card', 'a pen'] },
  { name: 'numbered list markers dropped', input: 'Steps:\n1. Open the app.\n2. Tap book.\n3. Pay.', expected: ['Steps:', 'Open the app.', 'Tap book. Pay.'] },
  { name: 'link keeps its text', input: 'See [our menu](https://x.com/menu_(new)) for prices. Enjoy your meal.', expected: ['See our menu for prices.', 'Enjoy your meal.'] },
  { name: 'inline code keeps its text', input: 'Type `help` to list the commands. It works anywhere.', expected: ['Type help to list the commands.', 'It works anywhere.'] },
  { name: 'code fence dropped whole', input: 'Run this command:\n```bash\nnpm install. Then\n```\nThen restart the server.', expected: ['Run this command:', 'Then restart the server.'] },
  { name: 'table rows as sentences, separator dropped', input: '| Plan | Price |\n|:---|---:|\n| Basic | $5 |\n| Pro | $9 |', expected: ['Plan, Price', 'Basic, $5', 'Pro, $9'] },
  { name: 'horizontal rule dropped', input: 'That covers billing.\n\n---\n\nNow about shipping times.', expected: ['That covers billing.', 'Now about shipping times.'] },
  { name: 'underscore emphasis dropped, snake_case kept', input: '__Note__: the field is user_id in the form.', expected: ['Note: the field is user_id in the form.'] },
  { name: 'blockquote marker dropped', input: '> Please hold the line.\nThank you for waiting.', expected: ['Please hold the line.', 'Thank you for waiting.'] },
  { name: 'tilde before a number kept', input: 'It takes ~5 minutes to arrive. See you.', expected: ['It takes ~5 minutes to arrive.', 'See you.'] },
  { name: 'escaped star kept', input: 'Rated 5\\* by our guests. Book now.', expected: ['Rated 5* by our guests.', 'Book now.'] },
  { name: 'image dropped with its alt text', input: '![office map](https://x/map.png) The office is downtown.', expected: ['The office is downtown.'] },
  { name: 'bold label in a bullet', input: '- **Monday:** closed\n- **Tuesday:** open', expected: ['Monday: closed', 'Tuesday: open'] },
];

export const FAST_PATH_CASES: SegmenterCase[] = [
  { name: 'first piece cut at a comma', input: 'I looked through all of your recent orders, and the blue jacket shipped yesterday.', expected: ['I looked through all of your recent orders,', 'and the blue jacket shipped yesterday.'] },
  { name: 'first piece cut before a conjunction', input: 'Your reservation for four people is confirmed and a reminder text will follow.', expected: ['Your reservation for four people is confirmed', 'and a reminder text will follow.'] },
  { name: 'only the first piece is cut early', input: 'I looked through all of your recent orders, and the blue jacket shipped yesterday, so it should arrive soon, probably on Monday.', expected: ['I looked through all of your recent orders,', 'and the blue jacket shipped yesterday, so it should arrive soon, probably on Monday.'] },
  { name: 'short first sentence closes the fast path', input: 'Sure, I can help. Your booking, as far as I can see right now, is completely fine.', expected: ['Sure, I can help.', 'Your booking, as far as I can see right now, is completely fine.'] },
  { name: 'carried short sentence counts toward the first piece', input: 'Okay! So I checked the calendar for next week, and Tuesday is open.', expected: ['Okay! So I checked the calendar for next week,', 'and Tuesday is open.'] },
  { name: 'first piece cut at a colon', input: 'Here is what I found in our records for you: two open tickets and one closed.', expected: ['Here is what I found in our records for you:', 'two open tickets and one closed.'] },
  { name: 'thousands separator is not a clause', input: 'The total for the three nights comes to 1,250 dollars, including taxes.', expected: ['The total for the three nights comes to 1,250 dollars,', 'including taxes.'] },
  { name: 'first piece cut at an em dash', input: 'The earliest appointment we have this week—Thursday at noon—is still open.', expected: ['The earliest appointment we have this week—', 'Thursday at noon—is still open.'] },
  { name: 'first piece cut at a spaced hyphen', input: 'The earliest appointment available this week - Thursday - is open.', expected: ['The earliest appointment available this week -', 'Thursday - is open.'] },
  { name: 'hyphen inside a word is not a clause', input: 'Please remember that the earliest check-in is at three and check-out is at eleven.', expected: ['Please remember that the earliest check-in is at three', 'and check-out is at eleven.'] },
  { name: 'conjunction must be a whole word', input: 'We can reserve the corner table by the window android users can pay by phone.', expected: ['We can reserve the corner table by the window android users can pay by phone.'] },
  { name: 'no cut before the minimum', input: 'Yes, and the room has a view.', expected: ['Yes, and the room has a view.'] },
  { name: 'firstChunkMinChars option', input: 'Well, I think so, yes.', expected: ['Well, I think so,', 'yes.'], options: { firstChunkMinChars: 10 } },
  { name: 'firstChunkMinChars Infinity switches the fast path off', input: 'I looked through all of your recent orders, and the blue jacket shipped yesterday.', expected: ['I looked through all of your recent orders, and the blue jacket shipped yesterday.'], options: { firstChunkMinChars: Infinity } },
  { name: 'firstChunkMaxWaitChars cuts at the last space', input: 'Thank you very much for calling the Grand Hotel reservations desk today.', expected: ['Thank you very much for', 'calling the Grand Hotel reservations desk today.'], options: { firstChunkMaxWaitChars: 30 } },
  { name: 'a heading is the first piece and closes the fast path', input: '# Your trip\nI looked through all of your recent bookings, and everything is in order.', expected: ['Your trip', 'I looked through all of your recent bookings, and everything is in order.'] },
];

export const ALL_CASES: SegmenterCase[] = [
  ...BASIC_CASES,
  ...MERGE_CASES,
  ...ABBREVIATION_CASES,
  ...NUMBER_AND_ADDRESS_CASES,
  ...ELLIPSIS_AND_QUOTE_CASES,
  ...MARKDOWN_CASES,
  ...FAST_PATH_CASES,
];
