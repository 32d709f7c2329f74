import { FakeClock } from '@app/clock';
import { FramePacer } from './frame-pacer';
import { framesPlayedOfTurn, heardText } from './heard-text';
import { PlayoutQueue } from './playout-queue';
import { AudioChunkInput, PlayoutItem, isPlayoutMark } from './turn-playout';

/**
 * The three pieces wired the way the playback-worker wires them: bus audio → PlayoutQueue → FramePacer →
 * Telnyx; on a barge-in, cancel + clear, then the heard text from the queue's records and the pacer's
 * heard position.
 */
function chunk(turnId: string, seq: number, index: number, frames: number, text?: string): AudioChunkInput {
  return { turnId, seq, chunk: index, format: 'ulaw_8000', payload: Buffer.alloc(frames * 160, 0x55).toString('base64'), fence: 1, text };
}

describe('playout, pacing and heard text together', () => {
  it('a barge-in mid-sentence reports the words played, and nothing of the old turn is sent after it', () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const pacer = new FramePacer(clock, {
      send: (callId) => sent.push(`${callId}:frame@${clock.now()}`),
      mark: (callId, name) => sent.push(`${callId}:mark ${name}@${clock.now()}`),
    });
    const queue = new PlayoutQueue('PCMU');
    const play = (items: PlayoutItem[]) => {
      for (const item of items) {
        if (isPlayoutMark(item)) pacer.enqueueMark('c', item.name, item.last);
        else pacer.enqueue('c', item);
      }
    };

    // A previous, finished turn: 10 frames, positions 0..9.
    play(queue.pushAudio(chunk('1', 0, 0, 10, 'Hi.')).items);
    play(queue.pushEnd({ turnId: '1', seq: 0, chunks: 1, last: true, fence: 1 }).items);
    clock.advance(1000);

    // Turn 2: sentence 0 is 1 s (50 frames), sentence 1 is 2 s (100 frames).
    play(queue.pushAudio(chunk('2', 0, 0, 50, 'Sure, I can help.')).items);
    play(queue.pushEnd({ turnId: '2', seq: 0, chunks: 1, last: false, fence: 1 }).items);
    play(queue.pushAudio(chunk('2', 1, 0, 100, 'Your order ships on Monday morning.')).items);
    play(queue.pushEnd({ turnId: '2', seq: 1, chunks: 1, last: true, fence: 1 }).items);
    clock.advance(1000 + 1000); // all of sentence 0 and half of sentence 1 played

    // The caller barges in.
    queue.cancelTurn('2');
    const heardPosition = pacer.clear('c');
    const record = queue.turn('2')!;
    const played = framesPlayedOfTurn(record, heardPosition);
    expect(played).toBe(100);
    expect(heardText(record.sentences, played)).toEqual({ text: 'Sure, I can help. Your order ships', complete: false });

    const sentAtBargeIn = sent.length;
    clock.advance(5000);
    expect(sent.length).toBe(sentAtBargeIn);
    expect(sent).toContain('c:mark 2:0@1880'); // sentence 0's 50th frame went out 120 ms before it played
    expect(sent.some((event) => event.startsWith('c:mark 2:1'))).toBe(false);
    expect(pacer.stats('c')).toMatchObject({ underruns: 0, starvedGaps: 0 });
  });
});
