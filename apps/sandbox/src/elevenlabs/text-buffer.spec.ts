import { DEFAULT_CHUNK_LENGTH_SCHEDULE } from './elevenlabs.constants';
import { TextBuffer, scheduleFrom } from './text-buffer';

describe('TextBuffer (the service-side chunk schedule)', () => {
  it('holds text until the next threshold of [120, 160, 250, 290], the last one repeating', () => {
    const buffer = new TextBuffer(DEFAULT_CHUNK_LENGTH_SCHEDULE, false);
    expect(buffer.push('x'.repeat(119))).toEqual([]);
    expect(buffer.push('y')).toEqual(['x'.repeat(119) + 'y']);
    expect(buffer.push('z'.repeat(159))).toEqual([]);
    expect(buffer.push('z')).toHaveLength(1);
    expect(buffer.push('a'.repeat(250))).toHaveLength(1);
    expect(buffer.push('b'.repeat(289))).toEqual([]);
    expect(buffer.push('b')).toHaveLength(1);
    expect(buffer.push('c'.repeat(289))).toEqual([]); // 290 again
  });

  it('generates everything on flush, never whitespace alone, and forgets text on discard', () => {
    const buffer = new TextBuffer(DEFAULT_CHUNK_LENGTH_SCHEDULE, false);
    expect(buffer.push(' ')).toEqual([]);
    expect(buffer.flush()).toEqual([]); // only the opening space: nothing to say
    buffer.push('Hello. ');
    expect(buffer.flush()).toEqual([' Hello. ']);
    buffer.push('Dropped. ');
    buffer.discard();
    expect(buffer.flush()).toEqual([]);
  });

  it('with auto_mode generates each text as it arrives', () => {
    const buffer = new TextBuffer(DEFAULT_CHUNK_LENGTH_SCHEDULE, true);
    expect(buffer.push(' ')).toEqual([]);
    expect(buffer.push('Hi. ')).toEqual([' Hi. ']);
    expect(buffer.push('Bye. ')).toEqual(['Bye. ']);
  });

  it("takes the client's chunk_length_schedule from generation_config when usable", () => {
    expect(scheduleFrom({ chunk_length_schedule: [50, 80] }, DEFAULT_CHUNK_LENGTH_SCHEDULE)).toEqual([50, 80]);
    expect(scheduleFrom({ chunk_length_schedule: 'x' }, DEFAULT_CHUNK_LENGTH_SCHEDULE)).toBe(DEFAULT_CHUNK_LENGTH_SCHEDULE);
    expect(scheduleFrom(undefined, DEFAULT_CHUNK_LENGTH_SCHEDULE)).toBe(DEFAULT_CHUNK_LENGTH_SCHEDULE);
  });
});
