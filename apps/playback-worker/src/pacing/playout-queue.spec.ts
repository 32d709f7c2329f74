import { AudioFormat } from '@app/contracts';
import { PlayoutQueue } from './playout-queue';
import { AudioChunkInput, AudioEndInput, PlayoutItem, isPlayoutMark } from './turn-playout';

/** A chunk of `frames` × 160 bytes (plus `extra`), every byte `fill`, so each frame says whose it is. */
function audio(
  turnId: string,
  seq: number,
  chunk: number,
  fill: number,
  options: { frames?: number; extra?: number; fence?: number; text?: string; format?: AudioFormat } = {},
): AudioChunkInput {
  const bytes = Buffer.alloc((options.frames ?? 1) * 160 + (options.extra ?? 0), fill);
  return {
    turnId,
    seq,
    chunk,
    format: options.format ?? 'ulaw_8000',
    payload: bytes.toString('base64'),
    fence: options.fence ?? 1,
    text: options.text,
  };
}

function end(turnId: string, seq: number, chunks: number, last = false, fence = 1): AudioEndInput {
  return { turnId, seq, chunks, last, fence };
}

/** Items as a readable trace: `f<fill byte>` per frame, `m<mark name>` per mark. */
const trace = (items: PlayoutItem[]): string[] =>
  items.map((item) => (isPlayoutMark(item) ? `m${item.name}` : `f${item[0]}`));

describe('PlayoutQueue', () => {
  let queue: PlayoutQueue;
  beforeEach(() => {
    queue = new PlayoutQueue('PCMU');
  });

  it('releases a sentence as 20 ms frames, then its mark, and records its text and length', () => {
    expect(trace(queue.pushAudio(audio('1', 0, 0, 1, { frames: 2, text: 'Hello there.' })).items)).toEqual(['f1', 'f1']);
    expect(trace(queue.pushAudio(audio('1', 0, 1, 2)).items)).toEqual(['f2']);
    expect(trace(queue.pushEnd(end('1', 0, 2, true)).items)).toEqual(['m1:0:end']);
    expect(queue.turn('1')).toEqual({
      turnId: '1',
      startFrame: 0,
      frames: 3,
      sentences: [{ seq: 0, text: 'Hello there.', frames: 3, complete: true }],
      complete: true,
      cancelled: false,
    });
  });

  it('ignores a chunk or an end seen before', () => {
    queue.pushAudio(audio('1', 0, 0, 1));
    expect(queue.pushAudio(audio('1', 0, 0, 1))).toEqual({ items: [], dropped: 'duplicate' });
    queue.pushAudio(audio('1', 0, 2, 3)); // held, waiting for chunk 1
    expect(queue.pushAudio(audio('1', 0, 2, 3))).toEqual({ items: [], dropped: 'duplicate' });
    queue.pushEnd(end('1', 0, 3));
    expect(queue.pushEnd(end('1', 0, 3)).dropped).toBe('duplicate');
    expect(trace(queue.pushAudio(audio('1', 0, 1, 2)).items)).toEqual(['f2', 'f3', 'm1:0']);
    expect(queue.pushEnd(end('1', 0, 3)).dropped).toBe('duplicate');
  });

  it('holds chunk k+1 until chunk k, and sentence n+1 until sentence n has ended', () => {
    expect(queue.pushAudio(audio('1', 0, 1, 2)).items).toEqual([]);
    expect(queue.pushAudio(audio('1', 1, 0, 3, { text: 'Second.' })).items).toEqual([]);
    expect(queue.pushEnd(end('1', 1, 1, true)).items).toEqual([]);
    expect(queue.waitingFor()).toEqual({ turnId: '1', seq: 0, chunk: 0 });
    expect(trace(queue.pushAudio(audio('1', 0, 0, 1, { text: 'First.' })).items)).toEqual(['f1', 'f2']);
    expect(trace(queue.pushEnd(end('1', 0, 2)).items)).toEqual(['m1:0', 'f3', 'm1:1:end']);
    expect(queue.waitingFor()).toBeUndefined();
    expect(queue.turn('1')!.sentences.map((s) => [s.text, s.frames])).toEqual([
      ['First.', 2],
      ['Second.', 1],
    ]);
  });

  it('pads the end of a sentence to a whole frame with μ-law silence', () => {
    expect(queue.pushAudio(audio('1', 0, 0, 7, { frames: 0, extra: 100 })).items).toEqual([]);
    const [frame, mark] = queue.pushEnd(end('1', 0, 1)).items as [Buffer, PlayoutItem];
    expect(frame.subarray(0, 100).every((b) => b === 7)).toBe(true);
    expect(frame.subarray(100).every((b) => b === 0xff)).toBe(true);
    expect(isPlayoutMark(mark)).toBe(true);
  });

  it('drops the audio of older turns, and what was held of a turn when a newer one starts', () => {
    queue.pushAudio(audio('1', 0, 0, 1));
    queue.pushAudio(audio('1', 0, 2, 9)); // held
    expect(trace(queue.pushAudio(audio('2', 0, 0, 2)).items)).toEqual(['f2']);
    expect(queue.currentTurn).toBe('2');
    expect(queue.pushAudio(audio('1', 0, 1, 1))).toEqual({ items: [], dropped: 'old-turn' });
    expect(queue.pushEnd(end('1', 0, 3)).dropped).toBe('old-turn');
    expect(queue.turn('2')!.startFrame).toBe(1); // after turn 1's one released frame
  });

  it('compares turn ids as numbers ("10" is newer than "9")', () => {
    queue.pushAudio(audio('9', 0, 0, 1));
    expect(queue.pushAudio(audio('10', 0, 0, 2)).items.length).toBe(1);
    expect(queue.pushAudio(audio('9', 0, 1, 1)).dropped).toBe('old-turn');
  });

  it('cancelTurn drops everything held of the turn and refuses its later audio', () => {
    queue.pushAudio(audio('1', 0, 0, 1, { extra: 50 })); // 1 frame out, 50 bytes in the slicer
    queue.pushAudio(audio('1', 1, 0, 2)); // held
    queue.cancelTurn('1');
    expect(queue.pushEnd(end('1', 0, 1))).toEqual({ items: [], dropped: 'cancelled' });
    expect(queue.pushAudio(audio('1', 0, 1, 3)).dropped).toBe('cancelled');
    expect(queue.turn('1')).toMatchObject({ cancelled: true, frames: 1, complete: false });
    expect(trace(queue.pushAudio(audio('2', 0, 0, 4)).items)).toEqual(['f4']); // no leftover bytes of turn 1
  });

  it('remembers the cancel of a turn whose audio has not arrived yet', () => {
    queue.pushAudio(audio('1', 0, 0, 1));
    queue.cancelTurn('2');
    expect(queue.pushAudio(audio('2', 0, 0, 2)).dropped).toBe('cancelled');
    expect(queue.currentTurn).toBe('1');
    expect(trace(queue.pushAudio(audio('3', 0, 0, 3)).items)).toEqual(['f3']);
  });

  it('drops audio with a fence older than the highest seen for the call', () => {
    queue.pushAudio(audio('1', 0, 0, 1, { fence: 5 }));
    expect(queue.pushAudio(audio('1', 0, 1, 2, { fence: 4 }))).toEqual({ items: [], dropped: 'stale-fence' });
    expect(queue.pushEnd(end('1', 0, 2, false, 4)).dropped).toBe('stale-fence');
    expect(queue.pushAudio(audio('2', 0, 0, 2, { fence: 4 })).dropped).toBe('stale-fence');
    expect(queue.currentTurn).toBe('1'); // a stale owner cannot start a turn either
  });

  it('when the fence rises, the old owner’s held chunks give way to the new owner’s copies', () => {
    queue.pushAudio(audio('1', 0, 0, 1, { fence: 5 })); // released
    queue.pushAudio(audio('1', 0, 2, 9, { fence: 5 })); // held by the old owner
    queue.pushEnd(end('1', 0, 3, true, 5)); // held, from the old owner
    expect(queue.pushAudio(audio('1', 0, 0, 6, { fence: 6 })).dropped).toBe('duplicate'); // already played
    expect(trace(queue.pushAudio(audio('1', 0, 1, 6, { fence: 6 })).items)).toEqual(['f6']);
    expect(trace(queue.pushAudio(audio('1', 0, 2, 7, { fence: 6 })).items)).toEqual(['f7']); // not the old copy
    // The old owner's end (3 chunks) was forgotten too: the new owner's 4th chunk is in range.
    expect(trace(queue.pushAudio(audio('1', 0, 3, 8, { fence: 6 })).items)).toEqual(['f8']);
    expect(trace(queue.pushEnd(end('1', 0, 4, true, 6)).items)).toEqual(['m1:0:end']);
  });

  it('refuses sentences after the turn’s last, and chunks past a sentence’s declared count', () => {
    queue.pushEnd(end('1', 1, 1, true));
    expect(queue.pushAudio(audio('1', 2, 0, 1)).dropped).toBe('out-of-range');
    expect(queue.pushEnd(end('1', 2, 1)).dropped).toBe('out-of-range');
    queue.pushEnd(end('1', 0, 1));
    expect(queue.pushAudio(audio('1', 0, 1, 1)).dropped).toBe('out-of-range');
  });

  it('converts PCM and A-law sources to the call codec with exact frame counts', () => {
    const pcm = Buffer.alloc(3200); // 100 ms at 16 kHz, 16-bit
    const items = [
      ...queue.pushAudio({ ...audio('1', 0, 0, 0), format: 'pcm_16000', payload: pcm.toString('base64') }).items,
      ...queue.pushEnd(end('1', 0, 1)).items,
    ];
    expect(trace(items)).toEqual(['f255', 'f255', 'f255', 'f255', 'f255', 'm1:0']); // 5 frames of μ-law silence
    const alaw = new PlayoutQueue('PCMA');
    expect(trace(alaw.pushAudio(audio('1', 0, 0, 0xff, { frames: 2 })).items)).toEqual(['f213', 'f213']); // μ-law → A-law
  });

  it('plays a chunk in a format it cannot convert as nothing, so its sentence still ends', () => {
    const result = queue.pushAudio(audio('1', 0, 0, 1, { format: 'mp3_44100_128' }));
    expect(result).toEqual({ items: [], dropped: 'unsupported-format' });
    expect(trace(queue.pushEnd(end('1', 0, 1)).items)).toEqual(['m1:0']);
  });

  it('accepts bus messages directly', () => {
    const chunk = { type: 'audio' as const, callId: 'c', at: 0, ...audio('1', 0, 0, 1) };
    const done = { type: 'audio.end' as const, callId: 'c', at: 0, ...end('1', 0, 1, true) };
    expect(trace([...queue.push(chunk).items, ...queue.push(done).items])).toEqual(['f1', 'm1:0:end']);
    expect(queue.framesReleased).toBe(1);
  });
});
